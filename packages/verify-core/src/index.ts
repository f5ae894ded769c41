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

// The engine: one decision per reference, over injected stores and verifier.
export { evaluate, DEFAULT_LIMITS, NOTARY_SIGNATURE_ARTIFACT_TYPE } from './engine/evaluate.js';
export type { EvaluateDeps, EngineLimits } from './engine/evaluate.js';
export { MaterialCache } from './engine/material-cache.js';
export type { MaterialCacheOptions } from './engine/material-cache.js';
export type {
  EngineLogger,
  FetchedSignature,
  OpenedTarget,
  SignatureVerificationRequest,
  SignatureVerificationResult,
  SignatureVerifier,
  TargetOpener,
} from './engine/ports.js';
export { silentEngineLogger } from './engine/ports.js';
export {
  applicableTrustPolicy,
  notationSignatureVerifier,
  policySignatureVerifier,
  policyTrustStore,
  toSignatureResult,
} from './engine/notary-verifier.js';
export type { NotaryServices } from './engine/notary-verifier.js';
export { revocationFetcher } from './engine/revocation-fetcher.js';
export type { RevocationFetcherOptions } from './engine/revocation-fetcher.js';
export { keyVaultTrustStoreCertificates } from './engine/key-vault-certificates.js';

// Notation compatibility.
export { buildNotationExport, notationTrustPolicy } from './export/notation-export.js';
export type {
  AzureKeyVaultCertificates,
  ExportedFile,
  NotationExport,
  NotationTrustPolicyDocument,
  NotationTrustPolicyStatement,
} from './export/notation-export.js';

// The CLI, for the actions and tests that run it in process.
export { runCli, CORE_COMMANDS, CLI_VERSION } from './cli/run-cli.js';
export type { CliCommandContext } from './cli/command.js';
export type { CliFileSystem, CliOutput } from './cli/cli-io.js';
export type { CliServices, RegistryOptions } from './cli/services.js';
export { nodeCliServices, repositoryOf } from './cli/node-services.js';
export type { NodeServicesOptions } from './cli/node-services.js';
export { nodeFileSystem, memoryOutput, processOutput } from './cli/node-io.js';
export { runDemo, formatDemoTable } from './demo/run-demo.js';
export type { DemoCase, DemoResult } from './demo/run-demo.js';
// The cluster policy bundle compiler (scs bundle) and the external-data contract with the provider.
export * from './bundle/index.js';
