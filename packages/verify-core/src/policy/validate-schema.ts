import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import policySchema from '../../schema/scs-policy.schema.json' with { type: 'json' };
import type { PolicyProblem } from '../errors.js';
import type { FieldPath, YamlSource } from './yaml-source.js';
import { formatFieldPath } from './yaml-source.js';

/** The published JSON Schema of `scs-policy.yaml`, as data. */
export const POLICY_SCHEMA: Readonly<Record<string, unknown>> = policySchema;

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  compiled ??= new Ajv2020({ allErrors: true, verbose: true, strict: true, strictRequired: false }).compile(
    policySchema,
  );
  return compiled;
}

/** Check the parsed document against the published JSON Schema; one problem per wrong field. */
export function validatePolicySchema(source: YamlSource): PolicyProblem[] {
  const validate = validator();
  if (validate(source.value)) return [];
  const errors = validate.errors ?? [];
  const problems: PolicyProblem[] = [];
  const seen = new Set<string>();
  // A failed `oneOf` (trust store sources) also reports each branch's failure: keep only the oneOf.
  const oneOfPaths = new Set(errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath));
  for (const error of errors) {
    if (error.schemaPath.includes('/oneOf/') && oneOfPaths.has(error.instancePath)) continue;
    const problem = toProblem(error, source);
    const key = `${problem.path}\u0000${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return problems;
}

function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the text ${JSON.stringify(value)}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}

function quoteList(values: readonly unknown[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ');
}

function toProblem(error: ErrorObject, source: YamlSource): PolicyProblem {
  const path: FieldPath = pointerToPath(error.instancePath);
  const at = formatFieldPath(path);
  const parentSchema = error.parentSchema as
    { properties?: Record<string, unknown>; description?: string } | undefined;
  const params = error.params as Record<string, unknown>;
  const position = source.positionOf(path);
  const base = (problem: Omit<PolicyProblem, 'position'>, where = position): PolicyProblem =>
    where === undefined ? problem : { ...problem, position: where };

  switch (error.keyword) {
    case 'additionalProperties': {
      const field = String(params.additionalProperty);
      const known = Object.keys(parentSchema?.properties ?? {});
      const suggestion = closest(field, known);
      const fieldPath = [...path, field];
      return base(
        {
          path: formatFieldPath(fieldPath),
          message: `unknown field "${field}"`,
          fix:
            suggestion === undefined
              ? `remove it; the fields allowed here are ${known.join(', ')}`
              : `did you mean "${suggestion}"? The fields allowed here are ${known.join(', ')}`,
        },
        source.positionOf(fieldPath, { key: true }),
      );
    }
    case 'required': {
      const field = String(params.missingProperty);
      return base({
        path: formatFieldPath([...path, field]),
        message: `required field "${field}" is missing`,
        fix: `add "${field}" to ${at === '' ? 'the top level' : at}${REQUIRED_HINTS[field] ?? ''}`,
      });
    }
    case 'type':
      return base({
        path: at,
        message: `must be ${article(String(params.type))}, not ${describe(error.data)}`,
        fix: TYPE_FIXES[String(params.type)] ?? `write ${article(String(params.type))}`,
      });
    case 'enum':
      return base({
        path: at,
        message: `${describe(error.data)} is not an accepted value`,
        fix: `use one of ${quoteList(params.allowedValues as unknown[])}`,
      });
    case 'const':
      return base({
        path: at,
        message: `${describe(error.data)} is not supported`,
        fix: `write ${JSON.stringify(params.allowedValue)}`,
      });
    case 'pattern':
      return base({
        path: at,
        message: `${describe(error.data)} is not in the expected form`,
        fix: PATTERN_FIXES[lastName(path)] ?? `match the pattern ${String(params.pattern)}`,
      });
    case 'minItems':
      return base({
        path: at,
        message: `needs at least ${String(params.limit)} item${params.limit === 1 ? '' : 's'}`,
        fix: MIN_ITEMS_FIXES[lastName(path)] ?? 'add an item or remove the field',
      });
    case 'minLength':
      return base({ path: at, message: 'must not be empty', fix: 'write a value or remove the field' });
    case 'maxLength':
      return base({
        path: at,
        message: `is longer than ${String(params.limit)} characters`,
        fix: 'shorten it',
      });
    case 'uniqueItems':
      return base({ path: at, message: 'lists the same value twice', fix: 'remove the duplicate' });
    case 'oneOf':
      return base({
        path: at,
        message:
          params.passingSchemas === null
            ? 'a trust store needs a source of certificates'
            : 'a trust store has more than one source of certificates',
        fix: 'give exactly one of "certificates" (files), "pem" (inline PEM) or "azureKeyVault"; split the store in two to use several sources',
      });
    default:
      return base({
        path: at,
        message: error.message ?? `fails the schema rule ${error.keyword}`,
        fix: 'see packages/verify-core/schema/scs-policy.schema.json',
      });
  }
}

function lastName(path: FieldPath): string {
  for (let i = path.length - 1; i >= 0; i--) {
    const segment = path[i];
    if (typeof segment === 'string') return segment;
  }
  return '';
}

function article(type: string): string {
  const names: Record<string, string> = {
    object: 'a mapping',
    array: 'a list',
    string: 'a string',
    boolean: 'true or false',
    integer: 'an integer',
    number: 'a number',
  };
  return names[type] ?? type;
}

const TYPE_FIXES: Record<string, string> = {
  array: 'write a YAML list, e.g. `[a, b]` or one `- item` per line',
  object: 'write a mapping of `field: value` lines',
  boolean: 'write true or false (without quotes)',
  string: 'write a string (quote it if it looks like a number or a boolean)',
};

const REQUIRED_HINTS: Record<string, string> = {
  apiVersion: ': `apiVersion: scs.dev/v1alpha1`',
  kind: ': `kind: SupplyChainPolicy`',
  metadata: ': `metadata: { name: production }`',
  signature:
    ': `signature: { level: strict, trustStores: [...], trustedIdentities: [...] }` (scs never trusts every signer by default)',
  registryScopes: ': e.g. `registryScopes: ["registry.example.com/team/app"]`',
  expires: ': a date such as "2099-01-01" after which the exception no longer counts',
  reason: ': why the exception is acceptable',
};

const PATTERN_FIXES: Record<string, string> = {
  name: 'use letters, digits, "_", "." and "-" only (metadata.name: lowercase letters, digits and "-")',
  vaultUri: 'write the vault URI, e.g. https://myvault.vault.azure.net',
  certificateName: 'use the certificate name as Key Vault shows it (letters, digits and "-")',
  version: 'use the certificate version id as Key Vault shows it (32 hex characters)',
  maxAge: 'write a number followed by m, h or d, e.g. 24h or 7d',
  id: 'write the vulnerability id as the report does, e.g. CVE-2024-1234 or GHSA-xxxx-xxxx-xxxx',
  type: 'write a purl type in lowercase, e.g. npm, maven, apk, deb, rpm, pypi, golang',
  includedNamespaces:
    'write a namespace name (lowercase letters, digits, "-"), optionally with a leading or trailing *',
  excludedNamespaces:
    'write a namespace name (lowercase letters, digits, "-"), optionally with a leading or trailing *',
};

const MIN_ITEMS_FIXES: Record<string, string> = {
  scopes: 'add a scope with registryScopes and a signature policy',
  registryScopes: 'list the repositories this scope covers, or ["*"] for every repository',
  certificates: 'list at least one certificate file',
  formats: 'list at least one format, or remove the field to accept all',
};

/** The known name nearest to `word` (edit distance at most 3), if any. */
function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 4;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(
        Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
