/**
 * The `SignatureVerifier` over `@scs/notary`: a scope's signature policy compiled into notation's
 * applicable trust policy and an in-memory trust store, or a notation trust policy document with
 * its trust store directory (the notation-compatible mode). Verification itself is notary's
 * `verifyArtifact` (notation's order, levels and messages).
 */
import type {
  ApplicableTrustPolicy,
  ArtifactVerificationOutcome,
  CertificateSummary,
  RevocationChecker,
  TimestampVerifier,
  TrustPolicyDocument,
  TrustStore,
} from '@scs/notary';
import { MemoryTrustStore, resolveVerificationLevel, verifyArtifact } from '@scs/notary';
import type { CertificateEvidence, SignatureEvidenceItem } from '../decision/types.js';
import type { PolicyScope, TrustStoreType } from '../policy/types.js';
import type {
  SignatureVerificationRequest,
  SignatureVerificationResult,
  SignatureVerifier,
} from './ports.js';

/** Services notary leaves to its caller (network access for timestamps' and certificates' revocation). */
export interface NotaryServices {
  timestampVerifier?: TimestampVerifier;
  revocationChecker?: RevocationChecker;
}

function certificateEvidence(summary: CertificateSummary): CertificateEvidence {
  return {
    subject: summary.subject,
    issuer: summary.issuer,
    sha256: `sha256:${summary.sha256}`,
    notBefore: summary.notBefore.toISOString(),
    notAfter: summary.notAfter.toISOString(),
  };
}

/** Notary's outcome as decision evidence. */
export function toSignatureResult(outcome: ArtifactVerificationOutcome): SignatureVerificationResult {
  const signatures: SignatureEvidenceItem[] = outcome.attempts.map((attempt) => {
    const o = attempt.outcome;
    const details = o.details;
    return {
      digest: attempt.manifest?.digest ?? `#${attempt.index + 1}`,
      ...(details === undefined ? {} : { envelopeType: details.mediaType }),
      verified: o.accepted,
      ...(details === undefined ? {} : { signer: certificateEvidence(details.signer) }),
      ...(details === undefined ? {} : { signingTime: details.signingTime.toISOString() }),
      ...(details?.expiry === undefined ? {} : { expiry: details.expiry.toISOString() }),
      ...(details?.timestamp === undefined ? {} : { timestamp: details.timestamp.from.toISOString() }),
      validations: o.results.map((r) => ({
        type: r.type,
        action: r.action,
        status: r.status,
        message: r.message,
      })),
      ...(o.accepted || o.error === undefined ? {} : { failure: o.error }),
    };
  });
  return {
    verified: outcome.verified,
    message: outcome.message,
    signatures,
    warnings: outcome.accepted?.outcome.warnings ?? [],
  };
}

/** Notation's applicable statement for a scope of an scs policy. */
export function applicableTrustPolicy(scope: PolicyScope): ApplicableTrustPolicy {
  const override: Record<string, string> = { ...scope.signature.override };
  return {
    name: scope.name,
    verificationLevel: resolveVerificationLevel({
      level: scope.signature.level,
      ...(Object.keys(override).length === 0 ? {} : { override }),
    }),
    verifyTimestamp: scope.signature.verifyTimestamp,
    trustStores:
      scope.signature.level === 'skip' ? [] : scope.signature.trustStores.map((s) => `${s.type}:${s.name}`),
    trustedIdentities: scope.signature.level === 'skip' ? [] : [...scope.signature.trustedIdentities],
  };
}

/**
 * An in-memory trust store from a policy's certificates (`<type>:<name>` → DER). Throws
 * NotaryError('TRUST_STORE_INVALID') with notation's message when a certificate may not anchor
 * trust (e.g. a non-CA, non-self-signed certificate in a `ca` store).
 */
export function policyTrustStore(
  certificates: ReadonlyMap<`${TrustStoreType}:${string}`, readonly Uint8Array[]>,
): TrustStore {
  return new MemoryTrustStore(
    [...certificates].map(([key, ders]) => {
      const colon = key.indexOf(':');
      const type = key.slice(0, colon) as TrustStoreType;
      const name = key.slice(colon + 1);
      return { type, name, files: ders.map((der, i) => ({ name: `${name}-${i + 1}.der`, data: der })) };
    }),
  );
}

/** Verify the request's signatures with notary under a trust policy document or an applicable statement. */
async function verifyUnder(
  policy: TrustPolicyDocument | ApplicableTrustPolicy,
  request: SignatureVerificationRequest,
  options: { trustStore: TrustStore; clock: () => Date; services?: NotaryServices },
): Promise<SignatureVerificationResult> {
  const outcome = await verifyArtifact({
    artifactReference: request.artifactReference,
    artifact: request.artifact,
    policy,
    trustStore: options.trustStore,
    clock: options.clock,
    signatures: request.signatures.map((s) => ({
      manifest: { mediaType: s.manifest.mediaType, digest: s.manifest.digest, size: s.manifest.size },
      envelope: s.envelope,
      envelopeMediaType: s.envelopeMediaType,
    })),
    ...(options.services?.timestampVerifier === undefined
      ? {}
      : { timestampVerifier: options.services.timestampVerifier }),
    ...(options.services?.revocationChecker === undefined
      ? {}
      : { revocationChecker: options.services.revocationChecker }),
  });
  return toSignatureResult(outcome);
}

/** Verifies signatures under the scopes of an scs policy. */
export function policySignatureVerifier(options: {
  trustStore: TrustStore;
  clock: () => Date;
  services?: NotaryServices;
}): SignatureVerifier {
  // Compiled once per scope object (a policy's scopes are immutable once parsed).
  const statements = new WeakMap<PolicyScope, ApplicableTrustPolicy>();
  return {
    async verify(request: SignatureVerificationRequest): Promise<SignatureVerificationResult> {
      let policy = statements.get(request.scope);
      if (policy === undefined) {
        policy = applicableTrustPolicy(request.scope);
        statements.set(request.scope, policy);
      }
      return await verifyUnder(policy, request, options);
    },
  };
}

/** Verifies with a notation trust policy document (statements chosen by notation's rules). */
export function notationSignatureVerifier(options: {
  document: TrustPolicyDocument;
  trustStore: TrustStore;
  clock: () => Date;
  services?: NotaryServices;
}): SignatureVerifier {
  return {
    verify(request: SignatureVerificationRequest): Promise<SignatureVerificationResult> {
      return verifyUnder(options.document, request, options);
    },
  };
}
