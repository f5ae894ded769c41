/**
 * Types shared across @scs/notary: the validation vocabulary of the Notary Project trust policy
 * spec and the minimal descriptor a signature payload names. (@scs/notary does not depend on
 * @scs/oci; its Descriptor is structurally compatible.)
 */

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

/** The five validations of the trust policy spec, in the order notation runs them. */
export type ValidationType = 'integrity' | 'authenticity' | 'authenticTimestamp' | 'expiry' | 'revocation';

export type ValidationAction = 'enforce' | 'log' | 'skip';

export type VerificationLevelName = 'strict' | 'permissive' | 'audit' | 'skip';

/** A verification level after `override` is applied: one action per validation. */
export interface VerificationLevel {
  name: VerificationLevelName;
  enforcement: Record<ValidationType, ValidationAction>;
}

/**
 * The outcome of one validation.
 * - `pass`: it ran and succeeded;
 * - `fail`: it ran, failed, and its action is `enforce` (the signature is rejected);
 * - `logged`: it ran, failed, and its action is `log` (accepted with a warning);
 * - `skipped`: its action is `skip`, or it does not apply (e.g. no expiry set).
 */
export interface ValidationResult {
  type: ValidationType;
  action: ValidationAction;
  status: 'pass' | 'fail' | 'logged' | 'skipped';
  message: string;
}

export type TrustStoreType = 'ca' | 'signingAuthority' | 'tsa';

/** Named sets of trusted certificates (DER), as in notation's `truststore/x509/<type>/<name>/`. */
export interface TrustStore {
  /** DER certificates of the store, or a NotaryError('TRUST_STORE_INVALID') naming what is wrong. */
  certificates(type: TrustStoreType, name: string): Promise<Uint8Array[]>;
}

/** Injected clock: the verifier never reads the system time itself. */
export type Clock = () => Date;
