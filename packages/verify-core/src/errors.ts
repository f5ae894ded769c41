/**
 * Why a verify-core operation failed.
 *
 * User errors (the policy, the command line, a report the user attached) are kept apart from
 * faults of the code (`BUG`): `isUserError(code)` tells which is which, and the CLI exits 2 on
 * the first kind.
 */
export type VerifyCoreErrorCode =
  /** The policy file is not valid (schema or semantic rule); see `PolicyError`. */
  | 'POLICY_INVALID'
  /** A file the policy names (policy itself, trust store certificates) cannot be read. */
  | 'POLICY_FILE'
  /** The command line is wrong. */
  | 'USAGE'
  /** An image reference cannot be parsed. */
  | 'REFERENCE_INVALID'
  /** An attached SBOM is not a document of the format its artifact type announces. */
  | 'SBOM_MALFORMED'
  /** An attached vulnerability report is not a document of the format its artifact type announces. */
  | 'REPORT_MALFORMED'
  /** A notation trust policy given to the notation-compatible mode is not valid. */
  | 'TRUST_POLICY_INVALID'
  /** Fetching material from the store failed. */
  | 'FETCH_FAILED'
  /** An internal fault. */
  | 'BUG';

const USER_CODES: ReadonlySet<VerifyCoreErrorCode> = new Set<VerifyCoreErrorCode>([
  'POLICY_INVALID',
  'POLICY_FILE',
  'USAGE',
  'REFERENCE_INVALID',
  'TRUST_POLICY_INVALID',
]);

/** True for configuration and usage mistakes (the user can fix them), false for runtime failures and bugs. */
export function isUserError(code: VerifyCoreErrorCode): boolean {
  return USER_CODES.has(code);
}

/** The one error base class of @scs/verify-core. `message` is what a user reads; it never holds secrets. */
export class VerifyCoreError extends Error {
  readonly code: VerifyCoreErrorCode;

  constructor(code: VerifyCoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VerifyCoreError';
    this.code = code;
  }
}

/** Where in a file a problem is: 1-based line and column. */
export interface SourcePosition {
  line: number;
  column: number;
}

/** One problem found in a policy file. */
export interface PolicyProblem {
  /** JSON-pointer-like path of the field, e.g. `spec.scopes[0].signature.trustStores`. */
  path: string;
  /** What is wrong. */
  message: string;
  /** What to do about it. */
  fix: string;
  /** Where the field is in the file, when known. */
  position?: SourcePosition;
}

/**
 * The policy file is not valid. Carries every problem found (the first one is the message) so
 * `scs policy check` can list them all; each names the field path, its line and the fix.
 */
export class PolicyError extends VerifyCoreError {
  readonly problems: readonly PolicyProblem[];
  readonly file: string | undefined;

  constructor(
    problems: readonly PolicyProblem[],
    options?: { file?: string; cause?: unknown; code?: 'POLICY_INVALID' | 'POLICY_FILE' },
  ) {
    const first = problems[0];
    if (first === undefined) throw new VerifyCoreError('BUG', 'PolicyError needs at least one problem');
    super(options?.code ?? 'POLICY_INVALID', formatPolicyProblem(first, options?.file), {
      cause: options?.cause,
    });
    this.name = 'PolicyError';
    this.problems = problems;
    this.file = options?.file;
  }
}

/** `file:line:col: path: message. Fix: …` — one line a user can act on. */
export function formatPolicyProblem(problem: PolicyProblem, file?: string): string {
  const where = [file, problem.position?.line, problem.position?.column]
    .filter((x) => x !== undefined)
    .join(':');
  const prefix = where === '' ? '' : `${where}: `;
  const path = problem.path === '' ? '' : `${problem.path}: `;
  return `${prefix}${path}${problem.message}. Fix: ${problem.fix}`;
}
