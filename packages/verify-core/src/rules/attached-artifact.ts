import type { CertificateEvidence } from '../decision/types.js';

/** The outcome of verifying the signatures of an SBOM or report referrer (done by the engine). */
export interface ArtifactSignatureResult {
  verified: boolean;
  signer?: CertificateEvidence;
  failure?: string;
}

/** An SBOM or report referrer as the engine fetched it: parsed, or why it could not be. */
export interface AttachedArtifact<Document> {
  /** Digest of the referrer manifest. */
  digest: string;
  artifactType: string;
  /** `org.opencontainers.image.created` of the referrer, when present. */
  created?: string;
  document?: Document;
  /** Why it could not be fetched or parsed. */
  error?: string;
  /** Present when the policy asks for signed artifacts. */
  signature?: ArtifactSignatureResult;
}
