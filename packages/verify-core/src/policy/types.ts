/**
 * The scs policy (`scs-policy.yaml`, `apiVersion: scs.dev/v1alpha1`, `kind: SupplyChainPolicy`).
 *
 * These types are the public, stable shape of a policy **after** parsing and validation:
 * defaults are filled in, so every consumer (the decision engine, the notation trust policy
 * exporter, the cluster bundle compiler) reads the same values. The published JSON Schema
 * (`packages/verify-core/schema/scs-policy.schema.json`) describes the file as written; field
 * names match one to one.
 *
 * Stability: fields may be added (optional ones only) within `v1alpha1`; none is renamed or
 * removed without a new apiVersion.
 */

export const POLICY_API_VERSION = 'scs.dev/v1alpha1';
export const POLICY_KIND = 'SupplyChainPolicy';

/** A whole policy document. */
export interface SupplyChainPolicy {
  apiVersion: typeof POLICY_API_VERSION;
  kind: typeof POLICY_KIND;
  metadata: PolicyMetadata;
  spec: PolicySpec;
}

export interface PolicyMetadata {
  /** Name of the policy; also names generated cluster objects. `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most 63. */
  name: string;
  /** Free-form annotations, carried into generated objects. */
  annotations?: Record<string, string>;
}

export interface PolicySpec {
  /** The per-registry-scope rules. At least one. Each registry scope appears in exactly one scope. */
  scopes: PolicyScope[];
  /** How the cluster bundle enforces the policy at admission. Defaults are filled in. */
  admission: AdmissionPolicy;
}

/**
 * The rules for a set of repositories.
 *
 * An image is judged by the scope whose `registryScopes` contains its repository exactly
 * (`registry.example.com/team/app`), else by the scope holding `"*"`, else it is denied
 * ("no scope of the policy applies"): the same selection as a notation trust policy.
 */
export interface PolicyScope {
  /** Unique name of the scope; becomes the notation trust policy statement name. `[A-Za-z0-9_.-]+`. */
  name: string;
  /**
   * Fully qualified repositories (`registry.example.com/team/app`, no scheme, tag or digest),
   * or the single value `"*"`. An OCI layout (`oci:<dir>`) is the repository `local/<dir name>`.
   */
  registryScopes: string[];
  signature: SignaturePolicy;
  sbom: SbomPolicy;
  vulnerabilities: VulnerabilityPolicy;
}

/** The Notary Project verification levels (trust policy spec). */
export type VerificationLevelName = 'strict' | 'permissive' | 'audit' | 'skip';

/** The validations a level can override (`integrity` cannot be overridden). */
export type OverridableValidation = 'authenticity' | 'authenticTimestamp' | 'expiry' | 'revocation';

export type ValidationAction = 'enforce' | 'log' | 'skip';

/** Who may sign images of the scope, and how strictly signatures are checked. */
export interface SignaturePolicy {
  /**
   * Notary verification level. `skip` verifies nothing and must be written explicitly (it is
   * reported as a warning by `scs policy check`); it takes no trust stores nor identities.
   */
  level: VerificationLevelName;
  /** Per-validation overrides of the level, as in a notation trust policy. */
  override: Partial<Record<OverridableValidation, ValidationAction>>;
  /** When to verify the RFC 3161 timestamp countersignature (notation `verifyTimestamp`). Default `always`. */
  verifyTimestamp: 'always' | 'afterCertExpiry';
  /** Trust stores whose certificates anchor trusted signatures. Required unless `level: skip`. */
  trustStores: TrustStoreSpec[];
  /**
   * Identities trusted to sign: `x509.subject: <RFC 4514 DN>` (must hold C, ST and O), or the
   * single value `"*"` (any certificate that chains to a trust store), which must be written
   * explicitly and is reported as a warning. Required unless `level: skip`.
   */
  trustedIdentities: string[];
}

/** A named set of trusted certificates; exactly one source. */
export type TrustStoreSpec = FileTrustStore | InlineTrustStore | AzureKeyVaultTrustStore;

/** Notation trust store types: `ca` (signing CA roots), `signingAuthority`, `tsa` (timestamping roots). */
export type TrustStoreType = 'ca' | 'signingAuthority' | 'tsa';

interface TrustStoreBase {
  /** Store name, unique per type across the policy (`[A-Za-z0-9_.-]+`). */
  name: string;
  type: TrustStoreType;
}

/** Certificates read from files (PEM or DER, one or more per file), relative to the policy file. */
export interface FileTrustStore extends TrustStoreBase {
  source: 'files';
  certificates: string[];
}

/** Certificates written into the policy as PEM. */
export interface InlineTrustStore extends TrustStoreBase {
  source: 'inline';
  /** One or more `-----BEGIN CERTIFICATE-----` blocks. */
  pem: string;
}

/** A certificate held in Azure Key Vault (the signing certificate made by `provision`). */
export interface AzureKeyVaultTrustStore extends TrustStoreBase {
  source: 'azureKeyVault';
  azureKeyVault: {
    /** `https://<vault>.vault.azure.net` (or another Azure cloud's vault domain). */
    vaultUri: string;
    /** Certificate name in the vault. */
    certificateName: string;
    /** Certificate version; latest when absent. */
    version?: string;
    /** Entra tenant of the vault (cluster bundle: Ratify key management provider). */
    tenantId?: string;
    /** Client id of the workload identity that reads the vault (cluster bundle). */
    clientId?: string;
  };
}

/** SBOM formats, by the artifact type of the referrer. */
export type SbomFormat = 'spdx' | 'cyclonedx';

/** What the scope requires of attached SBOMs. */
export interface SbomPolicy {
  /** An SBOM referrer in an accepted format must be attached. Default `false`. */
  required: boolean;
  /** Accepted formats. Default both. */
  formats: SbomFormat[];
  /** The SBOM referrer must itself carry a signature trusted under `signature`. Default `false`. */
  signed: boolean;
  /** Packages that must not be in the image. */
  deniedPackages: DeniedPackage[];
  /**
   * SPDX license identifiers (or license names) that must not appear; `*` is a wildcard
   * (`GPL-3.0*`), matching is case-insensitive. A package licensed `A OR B` is denied only when
   * both choices are denied; `A AND B` when either is.
   */
  deniedLicenses: string[];
}

export interface DeniedPackage {
  /** Package name as the SBOM writes it (for Maven also `group:name` and `group/name` match). */
  name: string;
  /**
   * Version range: comparators `<`, `<=`, `>`, `>=`, `=`, `!=` joined by spaces (all must hold),
   * alternatives joined by `||`. `*` or absent: every version. See `version-range.ts`.
   */
  versions: string;
  /** purl type to narrow the match (`npm`, `maven`, `apk`, `deb`, `rpm`, `pypi`, …). */
  type?: string;
  /** Why it is denied; shown in the decision. */
  reason?: string;
}

/** Severities, lowest first, as Trivy names them. */
export type Severity = 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

/** Vulnerability report formats, by the artifact type of the referrer. */
export type VulnerabilityReportFormat = 'trivy' | 'sarif';

/** What the scope requires of attached vulnerability scan reports. */
export interface VulnerabilityPolicy {
  /** A scan report referrer in an accepted format must be attached. Default `false`. */
  required: boolean;
  /** Accepted formats. Default both. */
  formats: VulnerabilityReportFormat[];
  /** The report referrer must itself carry a signature trusted under `signature`. Default `false`. */
  signed: boolean;
  /**
   * Highest severity allowed; a finding above it denies (`HIGH`: a CRITICAL finding denies).
   * `NONE`: any finding denies. Default `CRITICAL` (nothing denies by severity).
   */
  maxSeverity: Severity | 'NONE';
  /** Findings with no fixed version do not count. Default `false`. */
  ignoreUnfixed: boolean;
  /** The severity an unrated (`UNKNOWN`) finding counts as. Default `CRITICAL` (fail closed). */
  unknownSeverity: Severity;
  /** Vulnerability ids that deny whatever their severity (e.g. `CVE-2021-44228`). */
  deniedIds: string[];
  /**
   * Oldest acceptable report, as a duration (`24h`, `7d`, `90m`), measured from the report's
   * creation time (Trivy `CreatedAt`, else the referrer's `org.opencontainers.image.created`).
   * A report with no known creation time is too old. Absent: any age.
   */
  maxAge?: string;
  /** Time-boxed exceptions. */
  exceptions: VulnerabilityException[];
}

export interface VulnerabilityException {
  /** Vulnerability id as the report writes it (`CVE-2099-0001`, `GHSA-…`). */
  id: string;
  /** Why the exception is acceptable; required, shown in the decision. */
  reason: string;
  /**
   * When the exception stops counting: a date (`2099-01-01`, meaning 00:00 UTC that day) or an
   * RFC 3339 timestamp. From that instant on, the finding counts again.
   */
  expires: string;
  /** Restrict the exception to these package names. Absent: every package. */
  packages?: string[];
}

/** Kubernetes admission settings for the cluster bundle. */
export interface AdmissionPolicy {
  /** Namespaces the constraint applies to; absent or empty: all. */
  includedNamespaces: string[];
  /** Namespaces exempt from the constraint. */
  excludedNamespaces: string[];
  /** Gatekeeper enforcement action. Default `deny`. */
  enforcementAction: 'deny' | 'warn' | 'dryrun';
}

/** A non-fatal remark about a valid policy (e.g. `"*"` identities), shown by `scs policy check`. */
export interface PolicyWarning {
  path: string;
  message: string;
  line?: number;
}

/** A parsed, validated policy and what was noticed while checking it. */
export interface LoadedPolicy {
  policy: SupplyChainPolicy;
  warnings: PolicyWarning[];
  /** `sha256:<hex>` of the policy file bytes, recorded in decisions. */
  digest: string;
  /** The file it came from, when it came from a file. */
  file?: string;
}
