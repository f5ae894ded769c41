/** Why a notary operation failed. User-facing codes; `BUG` is reserved for internal faults. */
export type NotaryErrorCode =
  | 'ENVELOPE_MALFORMED'
  | 'ENVELOPE_UNSUPPORTED'
  | 'SIGNATURE_INVALID'
  | 'PAYLOAD_MISMATCH'
  | 'CERTIFICATE_INVALID'
  | 'CHAIN_INVALID'
  | 'UNTRUSTED'
  | 'IDENTITY_MISMATCH'
  | 'EXPIRED'
  | 'TIMESTAMP_INVALID'
  | 'REVOKED'
  | 'REVOCATION_UNKNOWN'
  | 'TRUST_POLICY_INVALID'
  | 'TRUST_STORE_INVALID'
  | 'NO_APPLICABLE_POLICY'
  | 'KEY_INVALID'
  | 'SIGNER_FAILED'
  | 'BUG';

/** The one error type of @scs/notary. `message` is what a user reads; never holds secrets. */
export class NotaryError extends Error {
  readonly code: NotaryErrorCode;

  constructor(code: NotaryErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NotaryError';
    this.code = code;
  }
}
