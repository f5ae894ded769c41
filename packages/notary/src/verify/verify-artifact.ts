import { NotaryError } from '../errors.js';
import { getApplicableTrustPolicy } from '../trust-policy/oci-trust-policy.js';
import type { ApplicableTrustPolicy, TrustPolicyDocument } from '../trust-policy/types.js';
import type { Clock, Descriptor, TrustStore, VerificationLevelName } from '../types.js';
import type { SignatureVerificationOutcome } from './outcome.js';
import type { PluginLookup, RevocationChecker, TimestampVerifier } from './services.js';
import { verifySignature } from './verify-signature.js';

/** notation's default `--max-signatures`. */
export const DEFAULT_MAX_SIGNATURE_ATTEMPTS = 100;

/** One signature of the artifact, already fetched (digest-checked) by the caller. */
export interface SignatureCandidate {
  /** The signature manifest's descriptor, for reports. */
  manifest?: Descriptor;
  envelope: Uint8Array;
  envelopeMediaType: string;
}

export interface VerifyArtifactInput {
  /** `registry/repository@sha256:…` (or a tag reference resolved by the caller). */
  artifactReference: string;
  artifact: Descriptor;
  /** The trust policy document, or a statement already chosen for this artifact. */
  policy: TrustPolicyDocument | ApplicableTrustPolicy;
  trustStore: TrustStore;
  clock: Clock;
  /** Signatures in the order the registry listed them. */
  signatures: readonly SignatureCandidate[];
  maxSignatureAttempts?: number;
  userMetadata?: Readonly<Record<string, string>>;
  timestampVerifier?: TimestampVerifier;
  revocationChecker?: RevocationChecker;
  plugins?: PluginLookup;
}

export interface ArtifactVerificationOutcome {
  /** True when a signature was accepted, or the level is `skip`. */
  verified: boolean;
  /** The level of the applicable statement (undefined when none applies). */
  level: VerificationLevelName | undefined;
  /** The statement used. */
  policyName: string | undefined;
  /** The accepted signature (index into `signatures`), if any. */
  accepted: { index: number; outcome: SignatureVerificationOutcome } | undefined;
  /** Every signature tried, in order, with its outcome. */
  attempts: { index: number; manifest: Descriptor | undefined; outcome: SignatureVerificationOutcome }[];
  /** Why verification failed, in notation's words; or the skip notice. */
  message: string;
}

function isDocument(p: TrustPolicyDocument | ApplicableTrustPolicy): p is TrustPolicyDocument {
  return 'trustPolicies' in p;
}

/**
 * notation's `Verify` over already-fetched signatures: pick the applicable statement, honour
 * `skip`, then try the signatures in order until one is accepted (first accepted wins), refusing
 * to try more than `maxSignatureAttempts`. Never throws for bad input: the outcome says why.
 */
export async function verifyArtifact(input: VerifyArtifactInput): Promise<ArtifactVerificationOutcome> {
  const max = input.maxSignatureAttempts ?? DEFAULT_MAX_SIGNATURE_ATTEMPTS;
  const base = { accepted: undefined, attempts: [] as ArtifactVerificationOutcome['attempts'] };
  if (!Number.isSafeInteger(max) || max <= 0) {
    return {
      ...base,
      verified: false,
      level: undefined,
      policyName: undefined,
      message: `verifyOptions.MaxSignatureAttempts expects a positive number, got ${max}`,
    };
  }
  let policy: ApplicableTrustPolicy;
  try {
    policy = isDocument(input.policy)
      ? getApplicableTrustPolicy(input.policy, input.artifactReference)
      : input.policy;
  } catch (err) {
    if (err instanceof NotaryError) {
      return { ...base, verified: false, level: undefined, policyName: undefined, message: err.message };
    }
    throw err;
  }
  const level = policy.verificationLevel.name;
  if (level === 'skip') {
    return {
      ...base,
      verified: true,
      level,
      policyName: policy.name,
      message: 'Trust policy is configured to skip signature verification',
    };
  }
  if (input.signatures.length === 0) {
    return {
      ...base,
      verified: false,
      level,
      policyName: policy.name,
      message: `no signature is associated with "${input.artifactReference}", make sure the artifact was signed successfully`,
    };
  }
  const attempts: ArtifactVerificationOutcome['attempts'] = [];
  for (const [index, candidate] of input.signatures.entries()) {
    if (index >= max) {
      return {
        accepted: undefined,
        attempts,
        verified: false,
        level,
        policyName: policy.name,
        message: `signature evaluation stopped. The configured limit of ${max} signatures to verify per artifact exceeded`,
      };
    }
    const outcome = await verifySignature({
      envelope: candidate.envelope,
      envelopeMediaType: candidate.envelopeMediaType,
      artifact: input.artifact,
      policy,
      trustStore: input.trustStore,
      clock: input.clock,
      userMetadata: input.userMetadata,
      timestampVerifier: input.timestampVerifier,
      revocationChecker: input.revocationChecker,
      plugins: input.plugins,
    });
    attempts.push({ index, manifest: candidate.manifest, outcome });
    if (outcome.accepted) {
      return {
        accepted: { index, outcome },
        attempts,
        verified: true,
        level,
        policyName: policy.name,
        message: `signature ${candidate.manifest?.digest ?? `#${index + 1}`} verified`,
      };
    }
  }
  const last = attempts.at(-1)?.outcome.error;
  return {
    accepted: undefined,
    attempts,
    verified: false,
    level,
    policyName: policy.name,
    message: `signature verification failed${last === undefined ? '' : `: ${last}`}`,
  };
}
