import type {
  ArtifactSignatureEvidence,
  CertificateEvidence,
  RejectedDocumentEvidence,
  SbomSignatureCheck,
  VulnerabilityReportSignatureCheck,
} from '../decision/types.js';
import { shortDigest } from './summarize.js';

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

/**
 * The signature check of the parsed SBOM or report referrers when the policy wants them signed
 * (`sbom-signature`, `vulnerability-report-signature`): the ones with a trusted signature stay
 * usable, the others are added to `rejected` with the reason. Pure.
 */
export function signedArtifactsCheck<Artifact extends AttachedArtifact<unknown>>(
  kind: { id: 'sbom-signature'; noun: 'SBOM' } | { id: 'vulnerability-report-signature'; noun: 'report' },
  parsed: readonly Artifact[],
  rejected: RejectedDocumentEvidence[],
): { check: SbomSignatureCheck | VulnerabilityReportSignatureCheck; usable: Artifact[] } {
  const { id, noun } = kind;
  const evidence: ArtifactSignatureEvidence = {
    artifacts: parsed.map((a) => ({
      digest: a.digest,
      artifactType: a.artifactType,
      verified: a.signature?.verified === true,
      ...(a.signature?.signer === undefined ? {} : { signer: a.signature.signer }),
      ...(a.signature?.verified === true ? {} : { failure: a.signature?.failure ?? 'it has no signature' }),
    })),
  };
  const usable = parsed.filter((a) => a.signature?.verified === true);
  for (const a of parsed) {
    if (a.signature?.verified !== true) {
      rejected.push({
        digest: a.digest,
        artifactType: a.artifactType,
        reason: `it has no trusted signature (${a.signature?.failure ?? 'unsigned'})`,
      });
    }
  }
  const check =
    parsed.length === 0
      ? { id, status: 'skip' as const, reason: `no ${noun} to check the signature of`, evidence }
      : usable.length > 0
        ? {
            id,
            status: 'pass' as const,
            reason: `the ${noun} ${shortDigest(usable[0]?.digest ?? '')} has a trusted signature`,
            evidence,
          }
        : {
            id,
            status: 'fail' as const,
            reason: `no attached ${noun} has a trusted signature, and the policy requires signed ${noun}s (${evidence.artifacts[0]?.failure ?? ''})`,
            evidence,
          };
  return { check, usable };
}
