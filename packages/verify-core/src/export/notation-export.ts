import { createHash } from 'node:crypto';
import path from 'node:path';
import { VerifyCoreError } from '../errors.js';
import type { LoadedPolicyWithCertificates } from '../policy/load-policy.js';
import type { AzureKeyVaultTrustStore, TrustStoreType } from '../policy/types.js';

/** One statement of a notation OCI trust policy (`trustpolicy.json`, version 1.0). */
export interface NotationTrustPolicyStatement {
  name: string;
  registryScopes: string[];
  signatureVerification: {
    level: string;
    override?: Record<string, string>;
    verifyTimestamp?: 'afterCertExpiry';
  };
  trustStores?: string[];
  trustedIdentities?: string[];
}

export interface NotationTrustPolicyDocument {
  version: '1.0';
  trustPolicies: NotationTrustPolicyStatement[];
}

export interface ExportedFile {
  /** Relative to the output directory, `/`-separated. */
  path: string;
  content: Uint8Array;
  /** File mode (e.g. 0o600 for a private key); default 0o644. */
  mode?: number;
}

export interface NotationExport {
  trustPolicy: NotationTrustPolicyDocument;
  /** `trustpolicy.json` and `truststore/x509/<type>/<name>/<sha256-prefix>.pem`, sorted by path. */
  files: ExportedFile[];
}

/** Fetches the certificates of an Azure Key Vault trust store (DER), for exports that include one. */
export type AzureKeyVaultCertificates = (store: AzureKeyVaultTrustStore) => Promise<Uint8Array[]>;

function pem(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN CERTIFICATE-----\n${(b64.match(/.{1,64}/g) ?? []).join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** The notation statements of a policy: the same scopes, levels, overrides, stores and identities. */
export function notationTrustPolicy(loaded: LoadedPolicyWithCertificates): NotationTrustPolicyDocument {
  return {
    version: '1.0',
    trustPolicies: loaded.policy.spec.scopes.map((scope): NotationTrustPolicyStatement => {
      const sig = scope.signature;
      const override: Record<string, string> = { ...sig.override };
      const statement: NotationTrustPolicyStatement = {
        name: scope.name,
        registryScopes: [...scope.registryScopes],
        signatureVerification: {
          level: sig.level,
          ...(Object.keys(override).length === 0 ? {} : { override }),
          ...(sig.verifyTimestamp === 'afterCertExpiry'
            ? { verifyTimestamp: 'afterCertExpiry' as const }
            : {}),
        },
      };
      if (sig.level !== 'skip') {
        statement.trustStores = sig.trustStores.map((s) => `${s.type}:${s.name}`);
        statement.trustedIdentities = [...sig.trustedIdentities];
      }
      return statement;
    }),
  };
}

/**
 * A notation configuration equivalent to the policy's signature rules: `trustpolicy.json` plus
 * the `truststore/x509/<type>/<name>/` layout holding each store's certificates as PEM. SBOM
 * and vulnerability rules have no notation equivalent and are not exported.
 */
export async function buildNotationExport(
  loaded: LoadedPolicyWithCertificates,
  options: { azureKeyVault?: AzureKeyVaultCertificates } = {},
): Promise<NotationExport> {
  const trustPolicy = notationTrustPolicy(loaded);
  const files: ExportedFile[] = [
    {
      path: 'trustpolicy.json',
      content: new TextEncoder().encode(`${JSON.stringify(trustPolicy, null, 2)}\n`),
    },
  ];
  const done = new Set<string>();
  for (const scope of loaded.policy.spec.scopes) {
    for (const store of scope.signature.trustStores) {
      const key: `${TrustStoreType}:${string}` = `${store.type}:${store.name}`;
      if (done.has(key)) continue;
      done.add(key);
      let ders: readonly Uint8Array[] | undefined = loaded.certificates.get(key);
      if (store.source === 'azureKeyVault') {
        if (options.azureKeyVault === undefined) {
          throw new VerifyCoreError(
            'POLICY_INVALID',
            `trust store ${key} is an Azure Key Vault certificate (${store.azureKeyVault.vaultUri}, ${store.azureKeyVault.certificateName}) and cannot be exported offline. Fix: download it (az keyvault certificate download --vault-name <vault> -n ${store.azureKeyVault.certificateName} -f ${store.name}.pem) and export a policy whose store lists certificates: [${store.name}.pem]`,
          );
        }
        ders = await options.azureKeyVault(store);
      }
      if (ders === undefined || ders.length === 0) {
        throw new VerifyCoreError('POLICY_INVALID', `trust store ${key} has no certificates to export`);
      }
      for (const der of ders) {
        const name = createHash('sha256').update(der).digest('hex').slice(0, 16);
        files.push({
          path: path.posix.join('truststore', 'x509', store.type, store.name, `${name}.pem`),
          content: new TextEncoder().encode(pem(der)),
        });
      }
    }
  }
  files.sort((a, b) => a.path.localeCompare(b.path));
  return { trustPolicy, files };
}
