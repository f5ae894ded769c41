/**
 * The rules of a policy that the JSON Schema cannot express. Pure: works on the parsed file and
 * an injected "now" (for expired exceptions); file existence is checked by `load-policy.ts`.
 */
import type { PolicyProblem } from '../errors.js';
import { CertificateFileError, parseCertificates } from './certificates.js';
import { VersionRangeSyntaxError, parseVersionRange } from '../rules/sbom/version-range.js';
import { parseExpiry } from '../rules/vulnerabilities/time-rules.js';
import type { DistinguishedName } from '@scs/notary';
import { DnSyntaxError, isSubsetDn, parseDistinguishedName } from '@scs/notary';
import type { PolicyFile, ScopeFile } from './policy-file.js';
import { WILDCARD_SCOPE, isValidRegistryScope } from './registry-scope.js';
import type { PolicyWarning } from './types.js';
import type { FieldPath, YamlSource } from './yaml-source.js';
import { formatFieldPath } from './yaml-source.js';

export const X509_SUBJECT_PREFIX = 'x509.subject';
export const WILDCARD_IDENTITY = '*';

interface Collector {
  problem(path: FieldPath, message: string, fix: string): void;
  warning(path: FieldPath, message: string): void;
}

/** Every semantic problem and warning of the policy, in file order. */
export function checkPolicy(
  file: PolicyFile,
  source: YamlSource,
  now: Date,
): { problems: PolicyProblem[]; warnings: PolicyWarning[] } {
  const problems: PolicyProblem[] = [];
  const warnings: PolicyWarning[] = [];
  const collect: Collector = {
    problem(path, message, fix) {
      const position = source.positionOf(path);
      problems.push({
        path: formatFieldPath(path),
        message,
        fix,
        ...(position === undefined ? {} : { position }),
      });
    },
    warning(path, message) {
      const line = source.positionOf(path)?.line;
      warnings.push({ path: formatFieldPath(path), message, ...(line === undefined ? {} : { line }) });
    },
  };

  checkScopeNamesAndRegistryScopes(file, collect);
  checkTrustStoreDefinitions(file, collect);
  file.spec.scopes.forEach((scope, i) => {
    const at = ['spec', 'scopes', i] as const;
    checkSignature(scope, at, collect);
    checkSbom(scope, at, collect);
    checkVulnerabilities(scope, at, now, collect);
  });
  checkAdmission(file, collect);
  return { problems, warnings };
}

function checkScopeNamesAndRegistryScopes(file: PolicyFile, collect: Collector): void {
  const names = new Map<string, number>();
  const owners = new Map<string, string>();
  file.spec.scopes.forEach((scope, i) => {
    const first = names.get(scope.name);
    if (first !== undefined) {
      collect.problem(
        ['spec', 'scopes', i, 'name'],
        `scope name "${scope.name}" is already used by spec.scopes[${first}]`,
        'give every scope its own name (it becomes the notation trust policy statement name)',
      );
    } else {
      names.set(scope.name, i);
    }
    if (scope.registryScopes.length > 1 && scope.registryScopes.includes(WILDCARD_SCOPE)) {
      collect.problem(
        ['spec', 'scopes', i, 'registryScopes'],
        `scope "${scope.name}" lists the wildcard "*" with other registry scopes`,
        'use "*" alone in its own scope (it covers every repository no other scope lists), or remove it',
      );
    }
    scope.registryScopes.forEach((registryScope, j) => {
      const at = ['spec', 'scopes', i, 'registryScopes', j];
      if (registryScope !== WILDCARD_SCOPE && !isValidRegistryScope(registryScope)) {
        collect.problem(
          at,
          `registry scope "${registryScope}" is not a fully qualified repository`,
          'write it without scheme, tag or digest, e.g. registry.example.com/team/app, or local/<name> for an OCI layout directory, or "*"',
        );
        return;
      }
      const owner = owners.get(registryScope);
      if (owner !== undefined) {
        collect.problem(
          at,
          owner === scope.name
            ? `registry scope "${registryScope}" is listed twice in scope "${scope.name}"`
            : `registry scope "${registryScope}" is also in scope "${owner}": scopes overlap`,
          'a repository must belong to exactly one scope; remove it from one of them',
        );
      } else {
        owners.set(registryScope, scope.name);
      }
    });
  });
}

function trustStoreIdentity(store: NonNullable<ScopeFile['signature']['trustStores']>[number]): string {
  if (store.certificates !== undefined) return `files:${JSON.stringify(store.certificates)}`;
  if (store.pem !== undefined) return `pem:${store.pem.trim()}`;
  return `akv:${JSON.stringify(store.azureKeyVault ?? {})}`;
}

function checkTrustStoreDefinitions(file: PolicyFile, collect: Collector): void {
  const defined = new Map<string, { content: string; where: string }>();
  file.spec.scopes.forEach((scope, i) => {
    (scope.signature.trustStores ?? []).forEach((store, j) => {
      const key = `${store.type}:${store.name}`;
      const where = `spec.scopes[${i}].signature.trustStores[${j}]`;
      const content = trustStoreIdentity(store);
      const previous = defined.get(key);
      if (previous === undefined) {
        defined.set(key, { content, where });
      } else if (previous.where.startsWith(`spec.scopes[${i}].`)) {
        collect.problem(
          ['spec', 'scopes', i, 'signature', 'trustStores', j],
          `trust store ${key} is listed twice in scope "${scope.name}"`,
          'remove the duplicate',
        );
      } else if (previous.content !== content) {
        collect.problem(
          ['spec', 'scopes', i, 'signature', 'trustStores', j],
          `trust store ${key} is already defined at ${previous.where} with other certificates`,
          'give this store another name, or repeat the same certificates (a named store is one set of certificates, as in notation)',
        );
      }
    });
  });
}

function checkSignature(scope: ScopeFile, at: FieldPath, collect: Collector): void {
  const sig = scope.signature;
  const sigPath = [...at, 'signature'];
  const stores = sig.trustStores ?? [];
  const identities = sig.trustedIdentities ?? [];

  if (sig.level === 'skip') {
    if (stores.length > 0 || identities.length > 0) {
      collect.problem(
        sigPath,
        `scope "${scope.name}" skips signature verification but lists trust stores or trusted identities`,
        'remove trustStores and trustedIdentities, or choose level strict, permissive or audit',
      );
    }
    if (sig.override !== undefined && Object.keys(sig.override).length > 0) {
      collect.problem(
        [...sigPath, 'override'],
        'level "skip" cannot be customized with overrides',
        'remove override, or choose level strict, permissive or audit',
      );
    }
    collect.warning(
      [...sigPath, 'level'],
      `scope "${scope.name}" skips signature verification: any image of ${scope.registryScopes.join(', ')} is accepted unsigned`,
    );
    for (const [kind, signed] of [
      ['sbom', scope.sbom?.signed],
      ['vulnerabilities', scope.vulnerabilities?.signed],
    ] as const) {
      if (signed === true) {
        collect.problem(
          [...at, kind, 'signed'],
          `${kind}.signed needs a signature policy, but scope "${scope.name}" skips signature verification`,
          'set signed: false, or choose a signature level with trust stores and identities',
        );
      }
    }
    return;
  }

  stores.forEach((store, j) => {
    if (store.pem === undefined) return;
    try {
      parseCertificates(store.pem);
    } catch (error) {
      if (!(error instanceof CertificateFileError)) throw error;
      collect.problem(
        [...sigPath, 'trustStores', j, 'pem'],
        `the inline PEM of trust store ${store.type}:${store.name} ${error.message}`,
        'paste the certificate as printed by `openssl x509 -in cert.pem` (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----), using a YAML block scalar (pem: |)',
      );
    }
  });
  if (stores.length === 0) {
    collect.problem(
      [...sigPath, 'trustStores'],
      `scope "${scope.name}" verifies signatures but has no trust stores; scs never trusts every signer by default`,
      'add a trust store holding the root (or signing) certificate, e.g. trustStores: [{ name: corp, type: ca, certificates: [certs/root.pem] }]',
    );
  } else if (!stores.some((s) => s.type !== 'tsa')) {
    collect.problem(
      [...sigPath, 'trustStores'],
      `scope "${scope.name}" has only tsa trust stores, which anchor timestamps, not signatures`,
      'add a trust store of type ca or signingAuthority',
    );
  }
  if (identities.length === 0) {
    collect.problem(
      [...sigPath, 'trustedIdentities'],
      `scope "${scope.name}" verifies signatures but has no trusted identities; scs never trusts every signer by default`,
      'list the signing certificate subjects, e.g. "x509.subject: CN=build,O=Example,ST=WA,C=US", or write "*" to trust any certificate that chains to the trust stores',
    );
  }

  if (identities.length > 1 && identities.includes(WILDCARD_IDENTITY)) {
    collect.problem(
      [...sigPath, 'trustedIdentities'],
      'the wildcard identity "*" is listed with other identities',
      'use "*" alone (any certificate chaining to the trust stores), or remove it and keep the x509.subject entries',
    );
  }
  const parsed: { index: number; raw: string; dn: DistinguishedName }[] = [];
  identities.forEach((identity, j) => {
    const path = [...sigPath, 'trustedIdentities', j];
    if (identity === WILDCARD_IDENTITY) {
      collect.warning(
        path,
        `scope "${scope.name}" trusts any signing certificate that chains to its trust stores (trustedIdentities: ["*"])`,
      );
      return;
    }
    if (identity.trim() === '') {
      collect.problem(path, 'a trusted identity is empty', 'remove it, or write "x509.subject: <DN>"');
      return;
    }
    const colon = identity.indexOf(':');
    if (colon < 0) {
      collect.problem(
        path,
        `trusted identity "${identity}" has no "<type>:" prefix`,
        `write "x509.subject: ${identity}"`,
      );
      return;
    }
    const prefix = identity.slice(0, colon).trim();
    const value = identity.slice(colon + 1).trim();
    if (prefix !== X509_SUBJECT_PREFIX) {
      collect.problem(
        path,
        `trusted identity type "${prefix}" is not supported`,
        `use "${X509_SUBJECT_PREFIX}: <DN>", e.g. "x509.subject: CN=build,O=Example,ST=WA,C=US"`,
      );
      return;
    }
    if (value === '') {
      collect.problem(
        path,
        'the trusted identity has no subject after "x509.subject:"',
        'write the certificate subject DN, e.g. CN=build,O=Example,ST=WA,C=US',
      );
      return;
    }
    try {
      parsed.push({ index: j, raw: identity, dn: parseDistinguishedName(value) });
    } catch (error) {
      if (!(error instanceof DnSyntaxError)) throw error;
      collect.problem(
        path,
        error.message,
        'write an RFC 4514 DN with at least C, ST and O, e.g. "x509.subject: CN=build,O=Example,L=Seattle,ST=WA,C=US"',
      );
    }
  });
  for (const a of parsed) {
    for (const b of parsed) {
      if (a.index < b.index && (isSubsetDn(a.dn, b.dn) || isSubsetDn(b.dn, a.dn))) {
        collect.problem(
          [...sigPath, 'trustedIdentities', b.index],
          `trusted identity "${b.raw}" overlaps with "${a.raw}" (one is a subset of the other)`,
          'keep only the less specific one (it already covers the other)',
        );
      }
    }
  }

  if (sig.level === 'audit') {
    collect.warning(
      [...sigPath, 'level'],
      `scope "${scope.name}" uses level "audit": a signature that does not chain to the trust stores is only logged, not rejected`,
    );
  }
  if (sig.override?.authenticity === 'log') {
    collect.warning(
      [...sigPath, 'override', 'authenticity'],
      `scope "${scope.name}" only logs authenticity failures: signatures by untrusted signers are accepted`,
    );
  }
}

function checkSbom(scope: ScopeFile, at: FieldPath, collect: Collector): void {
  const sbom = scope.sbom;
  if (sbom === undefined) return;
  (sbom.deniedPackages ?? []).forEach((denied, j) => {
    if (denied.versions === undefined) return;
    try {
      parseVersionRange(denied.versions);
    } catch (error) {
      if (!(error instanceof VersionRangeSyntaxError)) throw error;
      collect.problem(
        [...at, 'sbom', 'deniedPackages', j, 'versions'],
        error.message,
        'write comparators joined by spaces (all must hold) and alternatives joined by "||", e.g. ">=2.0.0 <2.17.1 || =1.2.3", or "*" for every version',
      );
    }
  });
  const checksContent = (sbom.deniedPackages ?? []).length > 0 || (sbom.deniedLicenses ?? []).length > 0;
  if (checksContent && sbom.required !== true) {
    collect.warning(
      [...at, 'sbom', 'required'],
      `scope "${scope.name}" denies packages or licenses but does not require an SBOM: an image without one passes these rules`,
    );
  }
}

function checkVulnerabilities(scope: ScopeFile, at: FieldPath, now: Date, collect: Collector): void {
  const vulns = scope.vulnerabilities;
  if (vulns === undefined) return;
  const seen = new Map<string, number>();
  (vulns.exceptions ?? []).forEach((exception, j) => {
    const path = [...at, 'vulnerabilities', 'exceptions', j];
    const expires = parseExpiry(exception.expires);
    if (expires === undefined) {
      collect.problem(
        [...path, 'expires'],
        `"${exception.expires}" is not a date`,
        'write a date as YYYY-MM-DD (quoted), e.g. "2099-01-01", or an RFC 3339 timestamp such as 2099-01-01T00:00:00Z',
      );
    } else if (expires.getTime() <= now.getTime()) {
      collect.warning(
        [...path, 'expires'],
        `the exception for ${exception.id} expired on ${exception.expires}: it no longer counts`,
      );
    }
    const key = `${exception.id}\u0000${JSON.stringify(exception.packages ?? null)}`;
    const first = seen.get(key);
    if (first !== undefined) {
      collect.problem(
        path,
        `the exception for ${exception.id} repeats exceptions[${first}]`,
        'keep one exception per vulnerability (and package list)',
      );
    } else {
      seen.set(key, j);
    }
  });
  const deniedIds = new Set((vulns.deniedIds ?? []).map((id) => id.toLowerCase()));
  (vulns.exceptions ?? []).forEach((exception, j) => {
    if (deniedIds.has(exception.id.toLowerCase())) {
      collect.problem(
        [...at, 'vulnerabilities', 'exceptions', j, 'id'],
        `${exception.id} is both denied (deniedIds) and excepted`,
        'remove it from deniedIds to accept it until the exception expires, or remove the exception',
      );
    }
  });
  const gates =
    (vulns.maxSeverity !== undefined && vulns.maxSeverity !== 'CRITICAL') ||
    (vulns.deniedIds ?? []).length > 0 ||
    vulns.maxAge !== undefined;
  if (gates && vulns.required !== true) {
    collect.warning(
      [...at, 'vulnerabilities', 'required'],
      `scope "${scope.name}" limits vulnerabilities but does not require a scan report: an image without one passes these rules`,
    );
  }
}

function checkAdmission(file: PolicyFile, collect: Collector): void {
  const admission = file.spec.admission;
  if (admission === undefined) return;
  const included = new Set(admission.includedNamespaces ?? []);
  (admission.excludedNamespaces ?? []).forEach((ns, j) => {
    if (included.has(ns)) {
      collect.problem(
        ['spec', 'admission', 'excludedNamespaces', j],
        `namespace "${ns}" is both included and excluded`,
        'remove it from one of the two lists',
      );
    }
  });
  if (admission.enforcementAction !== undefined && admission.enforcementAction !== 'deny') {
    collect.warning(
      ['spec', 'admission', 'enforcementAction'],
      `admission enforcement is "${admission.enforcementAction}": non-compliant pods are admitted (only reported)`,
    );
  }
}
