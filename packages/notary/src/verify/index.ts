export type { CertificateSummary, SignatureDetails, SignatureVerificationOutcome } from './outcome.js';
export { compareSemver, isValidSemver } from './semver.js';
export * from './services.js';
export {
  type ArtifactVerificationOutcome,
  DEFAULT_MAX_SIGNATURE_ATTEMPTS,
  type SignatureCandidate,
  verifyArtifact,
  type VerifyArtifactInput,
} from './verify-artifact.js';
export { type BlobDigestAlgorithm, verifySignature, type VerifySignatureInput } from './verify-signature.js';
export {
  type BlobDescriber,
  type BlobVerificationOutcome,
  verifyBlob,
  type VerifyBlobInput,
} from './verify-blob.js';
export {
  createRevocationChecker,
  createTimestampVerifier,
  type RevocationServiceOptions,
} from './notation-services.js';
