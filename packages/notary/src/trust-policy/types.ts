import type { TrustStoreType, VerificationLevel } from '../types.js';

export type VerifyTimestampOption = 'always' | 'afterCertExpiry';

/** `signatureVerification` as written in a policy statement. */
export interface SignatureVerification {
  /** strict | permissive | audit | skip (validated). */
  level: string;
  /** Custom actions per validation type (validated against notation's rules). */
  override?: Readonly<Record<string, string>>;
  /** When to verify the timestamp countersignature; notation's default is `always`. */
  verifyTimestamp?: string;
}

/** One statement of an OCI trust policy document (`trustpolicy.json` / `trustpolicy.oci.json`). */
export interface TrustPolicyStatement {
  name: string;
  registryScopes: readonly string[];
  signatureVerification: SignatureVerification;
  trustStores: readonly string[];
  trustedIdentities: readonly string[];
}

/** An OCI trust policy document, version 1.0. */
export interface TrustPolicyDocument {
  version: string;
  trustPolicies: readonly TrustPolicyStatement[];
}

/** One statement of a blob trust policy document (`trustpolicy.blob.json`). */
export interface BlobTrustPolicyStatement {
  name: string;
  signatureVerification: SignatureVerification;
  trustStores: readonly string[];
  trustedIdentities: readonly string[];
  globalPolicy?: boolean;
}

export interface BlobTrustPolicyDocument {
  version: string;
  trustPolicies: readonly BlobTrustPolicyStatement[];
}

/** A `<type>:<name>` trust store reference of a statement. */
export interface TrustStoreReference {
  type: TrustStoreType;
  name: string;
}

/** What a verifier needs from the statement that applies to an artifact. */
export interface ApplicableTrustPolicy {
  name: string;
  /** The level with `override` applied. */
  verificationLevel: VerificationLevel;
  verifyTimestamp: VerifyTimestampOption;
  /** The statement's raw `trustStores` values (the loaders report notation's errors on them). */
  trustStores: readonly string[];
  trustedIdentities: readonly string[];
}
