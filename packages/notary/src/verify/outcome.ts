import type { EnvelopeMediaType, SigningScheme } from '../envelope/types.js';
import type { Descriptor, ValidationResult, ValidationType, VerificationLevelName } from '../types.js';
import type { SignatureAlgorithm } from '../x509/key-spec.js';

export interface CertificateSummary {
  subject: string;
  issuer: string;
  /** Lowercase hex SHA-256 of the DER (notation's fingerprint). */
  sha256: string;
  notBefore: Date;
  notAfter: Date;
}

/** What a verified (or at least integrity-checked) envelope says. */
export interface SignatureDetails {
  mediaType: EnvelopeMediaType;
  signingScheme: SigningScheme;
  signatureAlgorithm: SignatureAlgorithm;
  signingTime: Date;
  expiry: Date | undefined;
  signer: CertificateSummary;
  certificateChain: CertificateSummary[];
  signingAgent: string | undefined;
  /** The signed `targetArtifact`, annotations included (user metadata). */
  targetArtifact: Descriptor;
  /** The authenticated timestamp range, when a countersignature was verified. */
  timestamp: { from: Date; to: Date } | undefined;
}

/**
 * The outcome of verifying one signature: one result per validation (integrity, authenticity,
 * expiry, authenticTimestamp, revocation — notation's order), `accepted` when none failed with
 * `enforce` and nothing else (plugin, payload binding, user metadata) stopped it.
 */
export interface SignatureVerificationOutcome {
  accepted: boolean;
  level: VerificationLevelName;
  results: ValidationResult[];
  /** When not accepted: the first failure, in notation's words. */
  error: string | undefined;
  /** The validation that failed with `enforce`, if the failure is one. */
  failedValidation: ValidationType | undefined;
  /** One line per validation that failed with `log`, as notation warns. */
  warnings: string[];
  /** Present once integrity has passed. */
  details: SignatureDetails | undefined;
}
