export type {
  ApplicableTrustPolicy,
  BlobTrustPolicyDocument,
  BlobTrustPolicyStatement,
  SignatureVerification,
  TrustPolicyDocument,
  TrustPolicyStatement,
  TrustStoreReference,
  VerifyTimestampOption,
} from './types.js';
export {
  findApplicableStatement,
  getApplicableTrustPolicy,
  parseOciTrustPolicy,
  validateOciTrustPolicy,
} from './oci-trust-policy.js';
export { getBlobTrustPolicy, parseBlobTrustPolicy, validateBlobTrustPolicy } from './blob-trust-policy.js';
export {
  VALIDATION_ACTIONS,
  VALIDATION_TYPES,
  resolveVerificationLevel,
  resolveVerifyTimestamp,
  verificationLevel,
} from './verification-level.js';
export { artifactPathFromReference, validateRegistryScopeFormat } from './registry-scope.js';
export {
  TRUST_POLICY_LINK,
  TRUST_STORE_TYPES,
  isTrustStoreType,
  validateTrustStoreValues,
} from './policy-core.js';
export {
  DEFAULT_JSON_LIMITS,
  JsonSyntaxError,
  parseStrictJson,
  type JsonValue,
  type StrictJsonLimits,
} from './strict-json.js';
