import { createHash } from 'node:crypto';
import { PolicyError } from '../errors.js';
import { checkPolicy } from './check-policy.js';
import type { PolicyFile } from './policy-file.js';
import { normalizePolicy } from './policy-file.js';
import type { LoadedPolicy } from './types.js';
import { validatePolicySchema } from './validate-schema.js';
import type { YamlSource } from './yaml-source.js';
import { parseYamlSource } from './yaml-source.js';

export interface ParsePolicyOptions {
  /** Shown in errors (`file:line:col`). */
  file?: string;
  /** Directory relative certificate paths are resolved against; kept as written when absent. */
  baseDir?: string;
  /** "Now", for expired-exception warnings. Inject a clock; defaults to the system time. */
  now?: Date;
}

/** The parsed policy and its source, for callers that report more problems against the file. */
export function parsePolicyWithSource(
  text: string,
  options: ParsePolicyOptions = {},
): { loaded: LoadedPolicy; source: YamlSource } {
  const errorOptions = options.file === undefined ? {} : { file: options.file };
  const parsed = parseYamlSource(text);
  if ('problems' in parsed) throw new PolicyError(parsed.problems, errorOptions);
  const { source } = parsed;
  if (source.value === null || source.value === undefined) {
    throw new PolicyError(
      [
        {
          path: '',
          message: 'the policy is empty',
          fix: 'start from the example in packages/verify-core/README.md (apiVersion: scs.dev/v1alpha1, kind: SupplyChainPolicy)',
        },
      ],
      errorOptions,
    );
  }
  const schemaProblems = validatePolicySchema(source);
  if (schemaProblems.length > 0) throw new PolicyError(schemaProblems, errorOptions);
  const file = source.value as PolicyFile;
  const { problems, warnings } = checkPolicy(file, source, options.now ?? new Date());
  if (problems.length > 0) throw new PolicyError(problems, errorOptions);
  const policy = normalizePolicy(file, options.baseDir);
  return {
    loaded: {
      policy,
      warnings,
      digest: `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`,
      ...(options.file === undefined ? {} : { file: options.file }),
    },
    source,
  };
}

/**
 * Parse and validate a policy text (YAML or JSON). Pure: no file is read (see `loadPolicy` for
 * the trust store files). Throws `PolicyError` listing every problem, each with its field path,
 * line and fix; returns the typed policy with defaults and the warnings otherwise.
 */
export function parsePolicy(text: string, options: ParsePolicyOptions = {}): LoadedPolicy {
  return parsePolicyWithSource(text, options).loaded;
}
