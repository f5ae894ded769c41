/**
 * The policy file as written (after the JSON Schema accepted it): optional fields are optional.
 * `normalizePolicy` turns it into the `SupplyChainPolicy` of `types.ts`, defaults filled in.
 */
import path from 'node:path';
import type {
  AdmissionPolicy,
  DeniedPackage,
  OverridableValidation,
  PolicyScope,
  SbomFormat,
  Severity,
  SupplyChainPolicy,
  TrustStoreSpec,
  TrustStoreType,
  ValidationAction,
  VerificationLevelName,
  VulnerabilityException,
  VulnerabilityReportFormat,
} from './types.js';
import { POLICY_API_VERSION, POLICY_KIND } from './types.js';

export interface PolicyFile {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  spec: { scopes: ScopeFile[]; admission?: Partial<AdmissionPolicy> };
}

export interface ScopeFile {
  name: string;
  registryScopes: string[];
  signature: SignatureFile;
  sbom?: {
    required?: boolean;
    formats?: SbomFormat[];
    signed?: boolean;
    deniedPackages?: { name: string; versions?: string; type?: string; reason?: string }[];
    deniedLicenses?: string[];
  };
  vulnerabilities?: {
    required?: boolean;
    formats?: VulnerabilityReportFormat[];
    signed?: boolean;
    maxSeverity?: Severity | 'NONE';
    ignoreUnfixed?: boolean;
    unknownSeverity?: Severity;
    deniedIds?: string[];
    maxAge?: string;
    exceptions?: VulnerabilityException[];
  };
}

export interface SignatureFile {
  level: VerificationLevelName;
  override?: Partial<Record<OverridableValidation, ValidationAction>>;
  verifyTimestamp?: 'always' | 'afterCertExpiry';
  trustStores?: TrustStoreFile[];
  trustedIdentities?: string[];
}

export interface TrustStoreFile {
  name: string;
  type: TrustStoreType;
  certificates?: string[];
  pem?: string;
  azureKeyVault?: {
    vaultUri: string;
    certificateName: string;
    version?: string;
    tenantId?: string;
    clientId?: string;
  };
}

function normalizeTrustStore(store: TrustStoreFile, baseDir: string | undefined): TrustStoreSpec {
  if (store.certificates !== undefined) {
    return {
      name: store.name,
      type: store.type,
      source: 'files',
      certificates: store.certificates.map((file) =>
        baseDir === undefined ? file : path.resolve(baseDir, file),
      ),
    };
  }
  if (store.pem !== undefined)
    return { name: store.name, type: store.type, source: 'inline', pem: store.pem };
  if (store.azureKeyVault !== undefined) {
    return {
      name: store.name,
      type: store.type,
      source: 'azureKeyVault',
      azureKeyVault: { ...store.azureKeyVault, vaultUri: store.azureKeyVault.vaultUri.replace(/\/+$/, '') },
    };
  }
  // The schema's oneOf makes this unreachable.
  throw new Error(`trust store ${store.type}:${store.name} has no source`);
}

function normalizeScope(scope: ScopeFile, baseDir: string | undefined): PolicyScope {
  const sbom = scope.sbom ?? {};
  const vulns = scope.vulnerabilities ?? {};
  return {
    name: scope.name,
    registryScopes: [...scope.registryScopes],
    signature: {
      level: scope.signature.level,
      override: { ...(scope.signature.override ?? {}) },
      verifyTimestamp: scope.signature.verifyTimestamp ?? 'always',
      trustStores: (scope.signature.trustStores ?? []).map((s) => normalizeTrustStore(s, baseDir)),
      trustedIdentities: [...(scope.signature.trustedIdentities ?? [])],
    },
    sbom: {
      required: sbom.required ?? false,
      formats: [...(sbom.formats ?? ['spdx', 'cyclonedx'])],
      signed: sbom.signed ?? false,
      deniedPackages: (sbom.deniedPackages ?? []).map((p): DeniedPackage => ({
        name: p.name,
        versions: p.versions ?? '*',
        ...(p.type === undefined ? {} : { type: p.type }),
        ...(p.reason === undefined ? {} : { reason: p.reason }),
      })),
      deniedLicenses: [...(sbom.deniedLicenses ?? [])],
    },
    vulnerabilities: {
      required: vulns.required ?? false,
      formats: [...(vulns.formats ?? ['trivy', 'sarif'])],
      signed: vulns.signed ?? false,
      maxSeverity: vulns.maxSeverity ?? 'CRITICAL',
      ignoreUnfixed: vulns.ignoreUnfixed ?? false,
      unknownSeverity: vulns.unknownSeverity ?? 'CRITICAL',
      deniedIds: [...(vulns.deniedIds ?? [])],
      ...(vulns.maxAge === undefined ? {} : { maxAge: vulns.maxAge }),
      exceptions: (vulns.exceptions ?? []).map((e) => ({
        id: e.id,
        reason: e.reason,
        expires: e.expires,
        ...(e.packages === undefined ? {} : { packages: [...e.packages] }),
      })),
    },
  };
}

/** The typed policy with every default filled in; certificate paths resolved against `baseDir` when given. */
export function normalizePolicy(file: PolicyFile, baseDir: string | undefined): SupplyChainPolicy {
  const admission = file.spec.admission ?? {};
  return {
    apiVersion: POLICY_API_VERSION,
    kind: POLICY_KIND,
    metadata: {
      name: file.metadata.name,
      ...(file.metadata.annotations === undefined ? {} : { annotations: { ...file.metadata.annotations } }),
    },
    spec: {
      scopes: file.spec.scopes.map((s) => normalizeScope(s, baseDir)),
      admission: {
        includedNamespaces: [...(admission.includedNamespaces ?? [])],
        excludedNamespaces: [...(admission.excludedNamespaces ?? [])],
        enforcementAction: admission.enforcementAction ?? 'deny',
      },
    },
  };
}
