/**
 * @scs/verify-core: the scs policy, the rules over SBOMs and scan reports, the decision and its
 * renderers (and, on top, the engine and the `scs` CLI).
 */
export * from './errors.js';

// The policy: types (stable, shared with the cluster bundle compiler), parsing, loading.
export * from './policy/types.js';
export { parsePolicy } from './policy/parse-policy.js';
export type { ParsePolicyOptions } from './policy/parse-policy.js';
export { loadPolicy } from './policy/load-policy.js';
export type { LoadedPolicyWithCertificates, PolicyFileReader } from './policy/load-policy.js';
export { POLICY_SCHEMA } from './policy/validate-schema.js';
export {
  selectScope,
  isValidRegistryScope,
  layoutRepository,
  WILDCARD_SCOPE,
} from './policy/registry-scope.js';
export { parseDistinguishedName, isSubsetOf, DistinguishedNameError } from './policy/distinguished-name.js';
export type { DistinguishedName } from './policy/distinguished-name.js';
export { X509_SUBJECT_PREFIX, WILDCARD_IDENTITY } from './policy/check-policy.js';
export { parseCertificates, CertificateFileError } from './policy/certificates.js';

// The rules.
export { SBOM_ARTIFACT_TYPES, parseSbom, parseSpdx, parseCycloneDx } from './rules/sbom/parse-sbom.js';
export type { SbomDocument, SbomPackage } from './rules/sbom/sbom-document.js';
export { sbomChecks } from './rules/sbom/sbom-checks.js';
export type { AttachedSbom } from './rules/sbom/sbom-checks.js';
export { findDeniedLicenses, findDeniedPackages } from './rules/sbom/evaluate-sbom.js';
export { compareVersions, parseVersionRange, satisfies } from './rules/sbom/version-range.js';
export type { VersionRange } from './rules/sbom/version-range.js';
export {
  REPORT_ARTIFACT_TYPES,
  SARIF_ARTIFACT_TYPE,
  TRIVY_REPORT_ARTIFACT_TYPE,
} from './rules/vulnerabilities/vulnerability-report.js';
export type {
  VulnerabilityFinding,
  VulnerabilityReport,
} from './rules/vulnerabilities/vulnerability-report.js';
export { parseTrivyReport } from './rules/vulnerabilities/parse-trivy.js';
export { parseSarifReport } from './rules/vulnerabilities/parse-sarif.js';
export {
  evaluateFindings,
  vulnerabilityChecks,
  reportImageMismatch,
} from './rules/vulnerabilities/vulnerability-checks.js';
export type { AttachedReport, ImageIdentity } from './rules/vulnerabilities/vulnerability-checks.js';
export type { ArtifactSignatureResult, AttachedArtifact } from './rules/attached-artifact.js';
export { parseExpiry, parseDuration } from './rules/vulnerabilities/time-rules.js';

// The decision and its renderers.
export * from './decision/types.js';
export { buildDecision } from './decision/build-decision.js';
export type { DecisionInput } from './decision/build-decision.js';
export { renderDecisionJson } from './render/render-json.js';
export { renderDecisionMarkdown } from './render/render-markdown.js';
export { renderDecisionSarif } from './render/render-sarif.js';
export { renderRatifyResponse } from './render/render-ratify.js';
export type { RatifyResponse, RatifyVerifierReport } from './render/render-ratify.js';

// The cluster policy bundle compiler (scs bundle) and the external-data contract with the provider.
export * from './bundle/index.js';
