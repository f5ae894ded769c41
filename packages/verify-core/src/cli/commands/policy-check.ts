import { PolicyError, formatPolicyProblem } from '../../errors.js';
import { loadPolicy } from '../../policy/load-policy.js';
import type { CliCommandContext } from '../command.js';
import { outputOption, parseCommandArgs } from '../parse-args.js';

export const POLICY_CHECK_USAGE = 'scs policy check <scs-policy.yaml> [--output text|json]';

/**
 * `scs policy check <file>`: validate a policy (schema, semantic rules, trust store files) and
 * show its warnings (e.g. `trustedIdentities: ["*"]`). Exit 0 valid, 2 invalid.
 */
export async function policyCheck(args: readonly string[], ctx: CliCommandContext): Promise<number> {
  const parsed = parseCommandArgs(
    'policy check',
    args,
    { output: { type: 'string', short: 'o' } },
    { min: 1, max: 1, usage: POLICY_CHECK_USAGE },
  );
  const output = outputOption(parsed, 'policy check', ['text', 'json'] as const);
  const file = parsed.positionals[0] ?? '';
  try {
    const loaded = await loadPolicy(file, { reader: ctx.fs, now: ctx.clock });
    if (output === 'json') {
      ctx.out.stdout(
        `${JSON.stringify(
          {
            valid: true,
            file,
            name: loaded.policy.metadata.name,
            digest: loaded.digest,
            scopes: loaded.policy.spec.scopes.map((s) => ({
              name: s.name,
              registryScopes: s.registryScopes,
            })),
            warnings: loaded.warnings,
            problems: [],
          },
          null,
          2,
        )}\n`,
      );
    } else {
      const scopes = loaded.policy.spec.scopes
        .map((s) => `${s.name} (${s.registryScopes.join(', ')})`)
        .join('; ');
      ctx.out.stdout(
        `${file}: valid policy "${loaded.policy.metadata.name}", ${loaded.policy.spec.scopes.length === 1 ? 'scope' : 'scopes'} ${scopes}\n`,
      );
      for (const warning of loaded.warnings) {
        ctx.out.stderr(
          `warning: ${file}${warning.line === undefined ? '' : `:${warning.line}`}: ${warning.path}: ${warning.message}\n`,
        );
      }
    }
    return 0;
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    if (output === 'json') {
      ctx.out.stdout(
        `${JSON.stringify({ valid: false, file, warnings: [], problems: error.problems }, null, 2)}\n`,
      );
    } else {
      for (const problem of error.problems)
        ctx.out.stderr(`error: ${formatPolicyProblem(problem, error.file ?? file)}\n`);
      ctx.out.stderr(
        `${file}: invalid policy (${error.problems.length} ${error.problems.length === 1 ? 'problem' : 'problems'})\n`,
      );
    }
    return 2;
  }
}
