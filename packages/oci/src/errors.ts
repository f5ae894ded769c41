/**
 * Why an OCI store operation failed. User-facing codes; `BUG` is reserved for internal faults.
 *
 * - `REFERENCE_INVALID`: a reference, tag, digest or `oci:` target does not parse.
 * - `CONFIG_INVALID`: an option, a docker config file or a credential source is unusable.
 * - `NOT_FOUND`: the manifest, blob, tag or repository does not exist.
 * - `UNAUTHORIZED`: no or wrong credentials (401), or the token service refused them.
 * - `DENIED`: the credentials are valid but lack the permission (403).
 * - `DIGEST_MISMATCH`: the bytes received do not hash to the digest asked for.
 * - `SIZE_MISMATCH`: the bytes received are not the size the descriptor says.
 * - `TOO_LARGE`: the content is (or claims to be) bigger than the allowed bound.
 * - `MANIFEST_INVALID`: a manifest or index is not valid JSON of the expected shape.
 * - `UNSUPPORTED`: a media type, digest algorithm or feature this store does not handle.
 * - `PROTOCOL`: the registry answered something the distribution spec does not allow.
 * - `INSECURE`: an operation would downgrade https to http or leak credentials.
 * - `NETWORK`: the connection failed (after retries).
 * - `TIMEOUT`: the server did not answer in time (after retries).
 * - `RATE_LIMITED`: still 429 after the retry budget.
 * - `SERVER`: still 5xx after the retry budget.
 * - `CONFLICT`: a concurrent writer kept changing the same tag beyond the retry budget.
 * - `IO`: reading or writing the OCI layout directory failed.
 * - `ABORTED`: the caller's signal aborted the operation.
 */
export type OciErrorCode =
  | 'REFERENCE_INVALID'
  | 'CONFIG_INVALID'
  | 'NOT_FOUND'
  | 'UNAUTHORIZED'
  | 'DENIED'
  | 'DIGEST_MISMATCH'
  | 'SIZE_MISMATCH'
  | 'TOO_LARGE'
  | 'MANIFEST_INVALID'
  | 'UNSUPPORTED'
  | 'PROTOCOL'
  | 'INSECURE'
  | 'NETWORK'
  | 'TIMEOUT'
  | 'RATE_LIMITED'
  | 'SERVER'
  | 'CONFLICT'
  | 'IO'
  | 'ABORTED'
  | 'BUG';

/** Codes that come from what the user configured or asked for, rather than from the remote side. */
const USER_ERROR_CODES: ReadonlySet<OciErrorCode> = new Set<OciErrorCode>([
  'REFERENCE_INVALID',
  'CONFIG_INVALID',
  'UNAUTHORIZED',
  'DENIED',
  'INSECURE',
]);

/** The one error type of @scs/oci. `message` is what a user reads; it never holds secrets. */
export class OciError extends Error {
  readonly code: OciErrorCode;

  constructor(code: OciErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OciError';
    this.code = code;
  }

  /** True when the fix is on the user's side (configuration, credentials, input). */
  get isUserError(): boolean {
    return USER_ERROR_CODES.has(this.code);
  }
}

export function isOciError(value: unknown, code?: OciErrorCode): value is OciError {
  return value instanceof OciError && (code === undefined || value.code === code);
}
