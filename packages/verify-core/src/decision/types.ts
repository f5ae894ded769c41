/**
 * The decision: what verify-core answers for one image under one policy, in CI and at
 * admission alike. Published as JSON (`schema/decision.schema.json`); the field names are part
 * of the public format.
 */
import type { Severity } from '../policy/types.js';

export const DECISION_API_VERSION = 'scs.dev/v1alpha1';
export const DECISION_KIND = 'Decision';

/**
 * - `pass`: the rule holds;
 * - `fail`: the rule does not hold, or could not be evaluated (an error is a failure): denies;
 * - `warn`: holds, with a remark (e.g. a signature accepted under `permissive` despite an expiry);
 * - `skip`: the policy does not ask for it (e.g. no SBOM required and none attached).
 */
export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

/** The checks, in the order they appear in a decision. */
export const CHECK_IDS = [
  'reference',
  'scope',
  'signature',
  'sbom',
  'sbom-signature',
  'sbom-packages',
  'sbom-licenses',
  'vulnerability-report',
  'vulnerability-report-signature',
  'vulnerabilities',
] as const;

export type CheckId = (typeof CHECK_IDS)[number];

/** An error that made a check fail (fail closed), without secrets. */
export interface CheckError {
  code: string;
  message: string;
}

interface CheckOf<Id extends CheckId, Evidence> {
  id: Id;
  status: CheckStatus;
  /** One sentence a person reads: why it passed or failed. */
  reason: string;
  evidence: Evidence;
  error?: CheckError;
}

export interface ReferenceEvidence {
  /** The reference as given (tag or digest). */
  requested: string;
  /** `registry/repository`, or `local/<name>` for an OCI layout. */
  repository: string;
  /** The manifest digest the decision is bound to; absent when it could not be resolved. */
  digest?: string;
  mediaType?: string;
  /** The tag that was resolved, when a tag was given. */
  tag?: string;
}

export interface ScopeEvidence {
  policy: string;
  /** The policy scope that judges the image; absent when none applies. */
  scope?: string;
  /** The registry scope entry that matched (`*` or the repository). */
  matched?: string;
}

/** A certificate as evidence: no key material, only what identifies it. */
export interface CertificateEvidence {
  subject: string;
  issuer: string;
  serialNumber?: string;
  /** `sha256:<hex>` of the DER certificate (notation's thumbprint). */
  sha256: string;
  notBefore: string;
  notAfter: string;
}

/** One outcome of a Notary validation (integrity, authenticity, …). */
export interface ValidationEvidence {
  type: 'integrity' | 'authenticity' | 'authenticTimestamp' | 'expiry' | 'revocation';
  action: 'enforce' | 'log' | 'skip';
  status: 'pass' | 'fail' | 'logged' | 'skipped';
  message: string;
}

export interface SignatureEvidenceItem {
  /** Digest of the signature manifest (the referrer). */
  digest: string;
  /** Envelope media type (`application/jose+json`, `application/cose`), when known. */
  envelopeType?: string;
  /** Whether this signature was accepted under the policy. */
  verified: boolean;
  signer?: CertificateEvidence;
  signingTime?: string;
  expiry?: string;
  /** Time asserted by a verified RFC 3161 timestamp, when present. */
  timestamp?: string;
  validations: ValidationEvidence[];
  /** Why it was not accepted. */
  failure?: string;
}

export interface SignatureEvidence {
  level: string;
  signatures: SignatureEvidenceItem[];
}

export interface AttachedDocumentEvidence {
  /** Digest of the referrer manifest. */
  digest: string;
  artifactType: string;
  format: string;
  /** e.g. `SPDX-2.3`, `CycloneDX 1.6`, `Trivy 2`, `SARIF 2.1.0`. */
  specVersion: string;
  /** Tool that wrote it, when stated. */
  tool?: string;
  /** Creation time, when stated. */
  created?: string;
}

export interface RejectedDocumentEvidence {
  digest: string;
  artifactType: string;
  reason: string;
}

export interface SbomEvidence {
  accepted: (AttachedDocumentEvidence & { packages: number })[];
  rejected: RejectedDocumentEvidence[];
}

export interface ArtifactSignatureEvidence {
  artifacts: {
    /** Digest of the SBOM or report referrer. */
    digest: string;
    artifactType: string;
    verified: boolean;
    signer?: CertificateEvidence;
    failure?: string;
  }[];
}

export interface DeniedPackageEvidence {
  name: string;
  version?: string;
  purl?: string;
  /** The policy rule that matched. */
  rule: { name: string; versions: string; type?: string; reason?: string };
  /** The SBOM states no version, so the package is treated as in the range (fail closed). */
  versionUnknown?: boolean;
}

export interface SbomPackagesEvidence {
  packages: number;
  denied: DeniedPackageEvidence[];
}

export interface DeniedLicenseEvidence {
  name: string;
  version?: string;
  /** The license expression as the SBOM writes it. */
  license: string;
  /** The denied license ids it contains. */
  matched: string[];
}

export interface SbomLicensesEvidence {
  packages: number;
  denied: DeniedLicenseEvidence[];
}

export type FindingSeverity = Severity | 'UNKNOWN';

export type SeverityCounts = Record<FindingSeverity, number>;

export interface FindingEvidence {
  id: string;
  severity: FindingSeverity;
  package?: string;
  installedVersion?: string;
  fixedVersion?: string;
  title?: string;
}

export interface VulnerabilityReportEvidence {
  accepted: (AttachedDocumentEvidence & { findings: number })[];
  rejected: RejectedDocumentEvidence[];
}

export interface VulnerabilitiesEvidence {
  maxSeverity: Severity | 'NONE';
  /** Every distinct finding of the accepted reports, by its reported severity. */
  counts: SeverityCounts;
  /** Findings that deny (above the maximum severity, or a denied id). */
  blocking: (FindingEvidence & { rule: 'severity' | 'denied-id' })[];
  /** Findings an unexpired exception lets through. */
  excepted: (FindingEvidence & { reason: string; expires: string })[];
  /** Exceptions that matched a finding but have expired (the finding counts). */
  expiredExceptions: { id: string; expires: string }[];
  /** Findings not counted because no fix exists (`ignoreUnfixed`). */
  ignoredUnfixed: number;
}

export type ReferenceCheck = CheckOf<'reference', ReferenceEvidence>;
export type ScopeCheck = CheckOf<'scope', ScopeEvidence>;
export type SignatureCheck = CheckOf<'signature', SignatureEvidence>;
export type SbomCheck = CheckOf<'sbom', SbomEvidence>;
export type SbomSignatureCheck = CheckOf<'sbom-signature', ArtifactSignatureEvidence>;
export type SbomPackagesCheck = CheckOf<'sbom-packages', SbomPackagesEvidence>;
export type SbomLicensesCheck = CheckOf<'sbom-licenses', SbomLicensesEvidence>;
export type VulnerabilityReportCheck = CheckOf<'vulnerability-report', VulnerabilityReportEvidence>;
export type VulnerabilityReportSignatureCheck = CheckOf<
  'vulnerability-report-signature',
  ArtifactSignatureEvidence
>;
export type VulnerabilitiesCheck = CheckOf<'vulnerabilities', VulnerabilitiesEvidence>;

export type Check =
  | ReferenceCheck
  | ScopeCheck
  | SignatureCheck
  | SbomCheck
  | SbomSignatureCheck
  | SbomPackagesCheck
  | SbomLicensesCheck
  | VulnerabilityReportCheck
  | VulnerabilityReportSignatureCheck
  | VulnerabilitiesCheck;

export interface Decision {
  apiVersion: typeof DECISION_API_VERSION;
  kind: typeof DECISION_KIND;
  /** True only when every check passed (or warned, or was skipped) and the digest is known. */
  allowed: boolean;
  /** The image: the reference as given, and the digest the decision is bound to. */
  subject: {
    reference: string;
    repository: string;
    /** Absent when the reference could not be resolved (then `allowed` is false). */
    digest?: string;
  };
  policy: {
    name: string;
    /** `sha256:` of the policy file bytes. */
    digest: string;
    /** The scope that applied, if any. */
    scope?: string;
  };
  /** When the decision was made (the injected clock), RFC 3339 UTC. */
  evaluatedAt: string;
  checks: Check[];
  /** The reasons of the failed checks, in check order; empty when allowed. */
  reasons: string[];
}
