import type { Certificate } from '../x509/certificate.js';

/**
 * What the verifier asks of the timestamp module (notary-b): notation's `verifyTimestamp` steps
 * 2–5 for one countersignature. The verifier has already checked that timestamping applies, that a
 * token is present, and loaded the trusted TSA roots of the statement.
 */
export interface TimestampVerificationRequest {
  /** The RFC 3161 TimeStampToken (io.cncf.notary.timestampSignature). */
  token: Uint8Array;
  /** The envelope's signature bytes: the token's message imprint must be their hash. */
  signature: Uint8Array;
  /** The (unauthenticated) signing time; the timestamp must be bounded after it. */
  signingTime: Date;
  /** The envelope's signing chain, leaf first (the timestamp must fall inside each validity). */
  signingChain: readonly Certificate[];
  /** Trusted TSA roots (DER) from the statement's `tsa:` stores. */
  tsaRoots: readonly Uint8Array[];
  /** The verification instant. */
  at: Date;
}

export interface TimestampVerificationResult {
  /** The timestamp range [genTime − accuracy, genTime + accuracy]. */
  from: Date;
  to: Date;
  /** The TSA chain that signed the token, leaf first (DER). */
  tsaChain: readonly Uint8Array[];
}

/**
 * Verifies a timestamp countersignature. Throws NotaryError('TIMESTAMP_INVALID' | 'REVOKED' |
 * 'REVOCATION_UNKNOWN', notation's message) when it does not hold.
 */
export type TimestampVerifier = (
  request: TimestampVerificationRequest,
) => Promise<TimestampVerificationResult>;

export interface RevocationCheckRequest {
  /** The signing chain, leaf first (DER). */
  chain: readonly Uint8Array[];
  purpose: 'codeSigning' | 'timestamping';
  /** For notary.x509.signingAuthority signatures. */
  authenticSigningTime?: Date;
  at: Date;
}

export interface RevocationCheckResult {
  result: 'ok' | 'revoked' | 'unknown';
  /** Go-style subject of the problematic certificate when not ok. */
  subject?: string;
}

/** Checks the revocation status of a chain. Throws when the check itself cannot run. */
export type RevocationChecker = (request: RevocationCheckRequest) => Promise<RevocationCheckResult>;

/** A verification plugin named by a signature (`io.cncf.notary.verificationPlugin`). */
export interface VerificationPlugin {
  name: string;
  version: string;
  /** e.g. `SIGNATURE_VERIFIER.TRUSTED_IDENTITY`, `SIGNATURE_VERIFIER.REVOCATION_CHECK`. */
  capabilities: readonly string[];
  verifySignature(request: PluginVerifyRequest): Promise<PluginVerifyResponse>;
}

export interface PluginVerifyRequest {
  capabilities: readonly string[];
  criticalAttributes: Record<string, unknown>;
  unprocessedAttributes: readonly string[];
  certificateChain: readonly Uint8Array[];
  trustedIdentities: readonly string[];
}

export interface PluginVerifyResponse {
  verificationResults: Record<string, { success: boolean; reason?: string } | undefined>;
  processedAttributes: readonly string[];
}

export const CAPABILITY_TRUSTED_IDENTITY = 'SIGNATURE_VERIFIER.TRUSTED_IDENTITY';
export const CAPABILITY_REVOCATION_CHECK = 'SIGNATURE_VERIFIER.REVOCATION_CHECK';

/** Finds an installed verification plugin by name, or undefined. */
export type PluginLookup = (name: string) => Promise<VerificationPlugin | undefined>;
