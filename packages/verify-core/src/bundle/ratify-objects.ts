import { isDeepStrictEqual } from 'node:util';
import { VerifyCoreError } from '../errors.js';
import type { NotationTrustPolicyDocument } from '../export/notation-export.js';
import type { LoadedPolicyWithCertificates } from '../policy/load-policy.js';
import type { PolicyScope, Severity, TrustStoreSpec, TrustStoreType } from '../policy/types.js';
import type { KubernetesObject } from './kubernetes-object.js';
import { dnsLabel } from './kubernetes-object.js';

export const RATIFY_API_VERSION = 'config.ratify.deislabs.io/v1beta1';
export const NOTARY_SIGNATURE = 'application/vnd.cncf.notary.signature';
/** Ratify's sbom verifier reads SPDX JSON only; its vulnerabilityreport verifier SARIF only. */
export const RATIFY_SBOM_TYPE = 'application/spdx+json';
export const RATIFY_REPORT_TYPE = 'application/sarif+json';

const SEVERITIES: readonly Severity[] = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];

function unsupported(
  what: string,
  fix = 'use --engine scs, which evaluates every rule of the policy',
): VerifyCoreError {
  return new VerifyCoreError('POLICY_INVALID', `the ratify engine cannot enforce ${what}; ${fix}`);
}

/** The one value every scope shares, or an error naming the rule that differs between scopes. */
function shared<T>(scopes: readonly PolicyScope[], what: string, pick: (s: PolicyScope) => T): T {
  const first = scopes[0];
  if (first === undefined) throw new VerifyCoreError('BUG', 'a policy has at least one scope');
  const value = pick(first);
  for (const scope of scopes.slice(1)) {
    if (!isDeepStrictEqual(pick(scope), value)) {
      throw unsupported(
        `${what} that differ between scopes ("${first.name}" and "${scope.name}"): Ratify applies one set of verifiers and one policy to every image`,
        `give every scope the same ${what}, or use --engine scs`,
      );
    }
  }
  return value;
}

export interface RatifySettings {
  registryAuth: 'azureWorkloadIdentity' | 'anonymous';
  azureClientId: string | undefined;
  trustPolicy: NotationTrustPolicyDocument;
  labels: Record<string, string>;
}

function pem(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN CERTIFICATE-----\n${(b64.match(/.{1,64}/g) ?? []).join('\n')}\n-----END CERTIFICATE-----\n`;
}

function keyManagementProvider(
  store: TrustStoreSpec,
  name: string,
  loaded: LoadedPolicyWithCertificates,
  s: RatifySettings,
): KubernetesObject {
  const metadata = { name, labels: s.labels };
  if (store.source === 'azureKeyVault') {
    const kv = store.azureKeyVault;
    const clientId = kv.clientId ?? s.azureClientId;
    if (kv.tenantId === undefined) {
      throw new VerifyCoreError(
        'POLICY_INVALID',
        `trust store ${store.type}:${store.name}: Ratify's Azure Key Vault provider needs the vault's tenant; add azureKeyVault.tenantId to the store`,
      );
    }
    if (clientId === undefined) {
      throw new VerifyCoreError(
        'POLICY_INVALID',
        `trust store ${store.type}:${store.name}: Ratify reads Key Vault with a workload identity; add azureKeyVault.clientId to the store or pass --azure-client-id`,
      );
    }
    return {
      apiVersion: RATIFY_API_VERSION,
      kind: 'KeyManagementProvider',
      metadata,
      spec: {
        type: 'azurekeyvault',
        refreshInterval: '1h',
        parameters: {
          vaultURI: `${kv.vaultUri}/`,
          certificates: [
            { name: kv.certificateName, ...(kv.version === undefined ? {} : { version: kv.version }) },
          ],
          tenantID: kv.tenantId,
          clientID: clientId,
        },
      },
    };
  }
  const ders = loaded.certificates.get(`${store.type}:${store.name}`);
  if (ders === undefined || ders.length === 0) {
    throw new VerifyCoreError(
      'BUG',
      `trust store ${store.type}:${store.name} was loaded without certificates`,
    );
  }
  return {
    apiVersion: RATIFY_API_VERSION,
    kind: 'KeyManagementProvider',
    metadata,
    spec: { type: 'inline', parameters: { contentType: 'certificate', value: ders.map(pem).join('') } },
  };
}

/** Severities above `max`, in Ratify's lower-case spelling. */
export function disallowedSeverities(max: Severity | 'NONE'): string[] {
  const from = max === 'NONE' ? 0 : SEVERITIES.indexOf(max) + 1;
  return SEVERITIES.slice(from).map((s) => s.toLowerCase());
}

/** A policy duration (`24h`, `90m`, `7d`) as a Go duration (`168h`). */
export function goDuration(duration: string): string {
  const m = /^(\d+)([smhd])$/.exec(duration);
  if (m === null) throw unsupported(`the report age "${duration}" (not a whole number of s, m, h or d)`);
  return m[2] === 'd' ? `${Number(m[1]) * 24}h` : duration;
}

/** A Ratify `Verifier` named `verifier-<name>` (the name Ratify's chart gives its own verifiers). */
function ratifyVerifier(
  spec: { name: string; version: string; artifactTypes: string; parameters: Record<string, unknown> },
  labels: Record<string, string>,
): KubernetesObject {
  return {
    apiVersion: RATIFY_API_VERSION,
    kind: 'Verifier',
    metadata: { name: `verifier-${spec.name}`, labels },
    spec,
  };
}

function sbomVerifier(scopes: readonly PolicyScope[], s: RatifySettings): KubernetesObject | undefined {
  const sbom = shared(scopes, 'SBOM rules', (scope) => scope.sbom);
  if (!sbom.required && sbom.deniedPackages.length === 0 && sbom.deniedLicenses.length === 0)
    return undefined;
  if (!sbom.formats.includes('spdx')) {
    throw unsupported('SBOMs in CycloneDX only: its sbom verifier reads SPDX JSON');
  }
  const packages = sbom.deniedPackages.map((p) => {
    const exact = /^=?\s*([^\s<>=!|*]+)$/.exec(p.versions.trim());
    if (exact?.[1] === undefined) {
      throw unsupported(
        `the denied package ${p.name} "${p.versions}": its sbom verifier matches one exact version, not a range`,
        `list exact versions (versions: "=1.2.3"), or use --engine scs`,
      );
    }
    return { name: p.name, version: exact[1] };
  });
  for (const license of sbom.deniedLicenses) {
    if (license.includes('*')) {
      throw unsupported(`the license pattern "${license}": its sbom verifier matches exact license ids`);
    }
  }
  return ratifyVerifier(
    {
      name: 'sbom',
      version: '2.0.0-alpha.1',
      artifactTypes: RATIFY_SBOM_TYPE,
      parameters: {
        ...(packages.length === 0 ? {} : { disallowedPackages: packages }),
        ...(sbom.deniedLicenses.length === 0 ? {} : { disallowedLicenses: [...sbom.deniedLicenses] }),
        ...(sbom.signed ? { nestedReferences: NOTARY_SIGNATURE } : {}),
      },
    },
    s.labels,
  );
}

function reportVerifier(scopes: readonly PolicyScope[], s: RatifySettings): KubernetesObject | undefined {
  const v = shared(scopes, 'vulnerability rules', (scope) => scope.vulnerabilities);
  if (!v.required && v.deniedIds.length === 0 && v.maxSeverity === 'CRITICAL') return undefined;
  if (!v.formats.includes('sarif')) {
    throw unsupported('Trivy JSON reports only: its vulnerabilityreport verifier reads SARIF');
  }
  if (v.exceptions.length > 0) {
    throw unsupported(
      `vulnerability exceptions (${v.exceptions.map((e) => e.id).join(', ')}): Ratify would deny what CI lets through`,
    );
  }
  if (v.ignoreUnfixed) throw unsupported('ignoreUnfixed: Ratify counts findings without a fix');
  return ratifyVerifier(
    {
      name: 'vulnerabilityreport',
      version: '1.0.0',
      artifactTypes: RATIFY_REPORT_TYPE,
      parameters: {
        ...(disallowedSeverities(v.maxSeverity).length === 0
          ? {}
          : { disallowedSeverities: disallowedSeverities(v.maxSeverity) }),
        ...(v.deniedIds.length === 0 ? {} : { denylistCVEs: [...v.deniedIds] }),
        ...(v.maxAge === undefined ? {} : { maximumAge: goDuration(v.maxAge) }),
        ...(v.signed ? { nestedReferences: NOTARY_SIGNATURE } : {}),
      },
    },
    s.labels,
  );
}

/**
 * Ratify's policy: every required artifact type has at least one artifact that verified (for
 * signatures, one trusted signature suffices, as in notation), and every SBOM or report attached
 * verified. Input: `input.verifierReports`, one entry per referrer with its own `verifierReports`.
 */
export function ratifyPolicyRego(requiredTypes: readonly string[]): string {
  const required = requiredTypes.map((t) => JSON.stringify(t)).join(', ');
  return `package ratify.policy

# Generated by scs bundle. Input: {"verifierReports": [{"artifactType": ..., "verifierReports": [{"isSuccess": ...}], "nestedReports": [...]}]}

default valid := false

notary := "${NOTARY_SIGNATURE}"

required_types := ${requiredTypes.length === 0 ? 'set()' : `{${required}}`}

valid {
  count(missing) == 0
  not failed_document
}

missing[t] {
  required_types[t]
  not satisfied[t]
}

satisfied[t] {
  report := input.verifierReports[_]
  all_success(report)
  t := report.artifactType
}

failed_document {
  report := input.verifierReports[_]
  report.artifactType != notary
  not all_success(report)
}

all_success(report) {
  count(report.verifierReports) > 0
  not any_failure(report)
}

any_failure(report) {
  [path, value] := walk(report)
  path[count(path) - 1] == "isSuccess"
  value == false
}
`;
}

/**
 * Ratify's CRs for the policy: the ORAS Store, one KeyManagementProvider per trust store, the
 * notation Verifier (trust policy compiled from the policy: the same document as
 * `scs trustpolicy export`), the sbom / vulnerabilityreport verifiers when the policy asks, and
 * the Policy. Rules Ratify cannot express the same way are refused, so that admission never
 * decides differently from CI.
 */
export function ratifyObjects(loaded: LoadedPolicyWithCertificates, s: RatifySettings): KubernetesObject[] {
  const scopes = loaded.policy.spec.scopes;
  const authProvider =
    s.registryAuth === 'azureWorkloadIdentity'
      ? {
          authProvider: {
            name: 'azureWorkloadIdentity',
            ...(s.azureClientId === undefined ? {} : { clientID: s.azureClientId }),
          },
        }
      : {};
  const store: KubernetesObject = {
    apiVersion: RATIFY_API_VERSION,
    kind: 'Store',
    // The chart's own store has this name: the bundle's replaces it.
    metadata: { name: 'store-oras', labels: s.labels },
    spec: { name: 'oras', version: '1.0.0', parameters: { cacheEnabled: true, ttl: 10, ...authProvider } },
  };

  const kmps: KubernetesObject[] = [];
  const certStores: Partial<Record<TrustStoreType, Record<string, string[]>>> = {};
  const seen = new Map<string, string>();
  for (const scope of scopes) {
    for (const trustStore of scope.signature.trustStores) {
      const key = `${trustStore.type}:${trustStore.name}`;
      if (seen.has(key)) continue;
      const name = dnsLabel('kmp', trustStore.type, trustStore.name);
      const clash = [...seen.entries()].find(([, n]) => n === name);
      if (clash !== undefined) {
        throw new VerifyCoreError(
          'POLICY_INVALID',
          `trust stores ${clash[0]} and ${key} both become the Kubernetes name ${name}; rename one of them`,
        );
      }
      seen.set(key, name);
      kmps.push(keyManagementProvider(trustStore, name, loaded, s));
      (certStores[trustStore.type] ??= {})[trustStore.name] = [name];
    }
  }

  const notation = ratifyVerifier(
    {
      name: 'notation',
      version: '1.0.0',
      artifactTypes: NOTARY_SIGNATURE,
      parameters: { verificationCertStores: certStores, trustPolicyDoc: s.trustPolicy },
    },
    s.labels,
  );

  const signatureRequired = shared(
    scopes,
    'signature requirements (level skip or not)',
    (scope) => scope.signature.level !== 'skip',
  );
  const sbom = sbomVerifier(scopes, s);
  const report = reportVerifier(scopes, s);
  const requiredTypes = [
    ...(signatureRequired ? [NOTARY_SIGNATURE] : []),
    ...(scopes[0]?.sbom.required === true ? [RATIFY_SBOM_TYPE] : []),
    ...(scopes[0]?.vulnerabilities.required === true ? [RATIFY_REPORT_TYPE] : []),
  ];
  const policy: KubernetesObject = {
    apiVersion: RATIFY_API_VERSION,
    kind: 'Policy',
    // Ratify reads only the Policy named ratify-policy.
    metadata: { name: 'ratify-policy', labels: s.labels },
    spec: {
      type: 'rego-policy',
      parameters: { passthroughEnabled: false, policy: ratifyPolicyRego(requiredTypes) },
    },
  };

  return [
    store,
    ...kmps,
    notation,
    ...(sbom === undefined ? [] : [sbom]),
    ...(report === undefined ? [] : [report]),
    policy,
  ];
}
