import { createHash } from 'node:crypto';
import { NotaryError } from '../errors.js';
import { getBlobTrustPolicy } from '../trust-policy/blob-trust-policy.js';
import type { ApplicableTrustPolicy, BlobTrustPolicyDocument } from '../trust-policy/types.js';
import type { VerificationLevelName } from '../types.js';
import type { SignatureVerificationOutcome } from './outcome.js';
import { type BlobDigestAlgorithm, type PolicyInput, verifyAgainstPolicy } from './verify-signature.js';

/** Describes a blob with the given hash (for blobs too large to hold in memory: hash a stream). */
export type BlobDescriber = (algorithm: BlobDigestAlgorithm) => Promise<{ digest: string; size: number }>;

export interface VerifyBlobInput extends Omit<PolicyInput, 'policy'> {
  /** The blob's bytes, or a function that hashes it with the algorithm asked for. */
  blob: Uint8Array | BlobDescriber;
  /** `notation blob verify --media-type`: when set, the signed media type must be this one. */
  mediaType?: string;
  /** The blob trust policy document, or a statement already chosen. */
  policy: BlobTrustPolicyDocument | ApplicableTrustPolicy;
  /** `--policy-name`; without it the document's global statement applies. */
  policyName?: string;
}

export interface BlobVerificationOutcome {
  /** True when the signature was accepted, or the level is `skip`. */
  verified: boolean;
  level: VerificationLevelName | undefined;
  policyName: string | undefined;
  /** The signature's outcome (undefined when no statement applies, or the level is `skip`). */
  outcome: SignatureVerificationOutcome | undefined;
  /** Why verification failed, in notation's words; or the skip notice. */
  message: string;
}

function isDocument(p: BlobTrustPolicyDocument | ApplicableTrustPolicy): p is BlobTrustPolicyDocument {
  return 'trustPolicies' in p;
}

function describeBytes(bytes: Uint8Array): BlobDescriber {
  return (algorithm) =>
    Promise.resolve({
      digest: `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`,
      size: bytes.length,
    });
}

/**
 * notation's `blob verify` over an already-read detached signature: pick the blob trust policy
 * statement (by name, else the global one), honour `skip`, verify the envelope as verifySignature
 * does, then require the signed descriptor to name the blob — its digest computed with the
 * signature's hash, its size, and the media type when one is given. Never throws for bad input.
 */
export async function verifyBlob(input: VerifyBlobInput): Promise<BlobVerificationOutcome> {
  let policy: ApplicableTrustPolicy;
  try {
    policy = isDocument(input.policy) ? getBlobTrustPolicy(input.policy, input.policyName) : input.policy;
  } catch (err) {
    if (err instanceof NotaryError) {
      return {
        verified: false,
        level: undefined,
        policyName: undefined,
        outcome: undefined,
        message: err.message,
      };
    }
    throw err;
  }
  const level = policy.verificationLevel.name;
  if (level === 'skip') {
    return {
      verified: true,
      level,
      policyName: policy.name,
      outcome: undefined,
      message: 'Trust policy is configured to skip signature verification',
    };
  }
  const describe = input.blob instanceof Uint8Array ? describeBytes(input.blob) : input.blob;
  const outcome = await verifyAgainstPolicy(
    {
      envelope: input.envelope,
      envelopeMediaType: input.envelopeMediaType,
      policy,
      trustStore: input.trustStore,
      clock: input.clock,
      userMetadata: input.userMetadata,
      timestampVerifier: input.timestampVerifier,
      revocationChecker: input.revocationChecker,
      plugins: input.plugins,
    },
    { kind: 'blob', describe, mediaType: input.mediaType },
  );
  return {
    verified: outcome.accepted,
    level,
    policyName: policy.name,
    outcome,
    message: outcome.error ?? 'signature verified',
  };
}
