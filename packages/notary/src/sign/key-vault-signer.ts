import { createHash } from 'node:crypto';
import { CertificateClient } from '@azure/keyvault-certificates';
import { CryptographyClient, type CryptographyClientOptions } from '@azure/keyvault-keys';
import { NotaryError } from '../errors.js';
import { type Certificate, checkSignature, parseCertificate } from '../x509/certificate.js';
import { hashOf, keySpecOf, type KeySpec, type SignatureAlgorithm } from '../x509/key-spec.js';
import { readCertificates } from '../x509/pem.js';
import { completeChain } from './certificate-chain.js';
import type { Signer } from './signer.js';

/** The credential the Azure SDK clients take (an object with `getToken`). */
export type KeyVaultCredential = ConstructorParameters<typeof CertificateClient>[1];
/** An Azure SDK HTTP client (`sendRequest`); production leaves it unset. */
export type KeyVaultHttpClient = NonNullable<CryptographyClientOptions['httpClient']>;

export interface KeyVaultSignerOptions {
  /** `https://<vault>.vault.azure.net/keys/<name>/<version>` (the certificate's key). */
  keyId: string;
  credential: KeyVaultCredential;
  /**
   * Where the chain comes from, like the azure-kv plugin:
   * - `{ caCertificates }`: the Key Vault leaf completed with this CA bundle (PEM/DER, any order);
   * - `{ selfSigned: true }`: the Key Vault certificate alone, which must be self-signed;
   * - undefined: the Key Vault certificate alone when self-signed, else an error asking for the
   *   CA bundle.
   */
  chain?: { caCertificates: string | Uint8Array } | { selfSigned: true };
  httpClient?: KeyVaultHttpClient;
}

const KEY_ID =
  /^https:\/\/([a-z0-9-]+\.vault\.[a-z0-9.-]+)\/keys\/([A-Za-z0-9-]{1,127})\/([A-Za-z0-9]{32})$/i;

const KV_ALGORITHMS: Record<SignatureAlgorithm, 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512'> = {
  'RSASSA-PSS-SHA-256': 'PS256',
  'RSASSA-PSS-SHA-384': 'PS384',
  'RSASSA-PSS-SHA-512': 'PS512',
  'ECDSA-SHA-256': 'ES256',
  'ECDSA-SHA-384': 'ES384',
  'ECDSA-SHA-512': 'ES512',
};

function azureMessage(err: unknown): string {
  const e = err as { statusCode?: number; code?: string; message?: string };
  // Never forward response bodies or headers: only the status and the service error code.
  const parts = [e.statusCode === undefined ? undefined : `HTTP ${e.statusCode}`, e.code].filter(
    (p): p is string => p !== undefined,
  );
  return parts.length > 0 ? parts.join(' ') : 'request failed';
}

function isSelfSigned(cert: Certificate): boolean {
  return (
    Buffer.compare(cert.rawSubject, cert.rawIssuer) === 0 &&
    checkSignature(cert, cert.publicKey) === undefined
  );
}

/**
 * A Signer over an Azure Key Vault key: the certificate comes from Key Vault, the algorithm from
 * the certificate's key (RSA 2048/3072/4096 → PS256/384/512, EC P-256/384/521 → ES256/384/512,
 * like notation-azure-kv), and Key Vault signs the digest (`CryptographyClient.sign`). The private
 * key never leaves Key Vault; tokens and service responses are never put in errors.
 */
export function createKeyVaultSigner(options: KeyVaultSignerOptions): Signer {
  const match = KEY_ID.exec(options.keyId);
  if (match === null) {
    throw new NotaryError(
      'KEY_INVALID',
      'the Key Vault key id must look like https://<vault>.vault.azure.net/keys/<name>/<32-character version>',
    );
  }
  const chainOption = options.chain;
  if (chainOption !== undefined && 'caCertificates' in chainOption && 'selfSigned' in chainOption) {
    // notation-azure-kv refuses self_signed=true together with ca_certs.
    throw new NotaryError(
      'KEY_INVALID',
      'give either the CA bundle (caCertificates) or selfSigned for the Key Vault certificate, not both',
    );
  }
  const [, host, name, version] = match as unknown as [string, string, string, string];
  const vaultUrl = `https://${host}`;
  const clientOptions = options.httpClient === undefined ? {} : { httpClient: options.httpClient };
  const certificates = new CertificateClient(vaultUrl, options.credential, clientOptions);
  const crypto = new CryptographyClient(options.keyId, options.credential, clientOptions);

  let loaded: Promise<{ spec: KeySpec; chain: Uint8Array[] }> | undefined;
  const load = (): Promise<{ spec: KeySpec; chain: Uint8Array[] }> => {
    loaded ??= (async () => {
      let cer: Uint8Array | undefined;
      try {
        cer = (await certificates.getCertificateVersion(name, version)).cer;
      } catch (err) {
        throw new NotaryError(
          'SIGNER_FAILED',
          `could not read certificate "${name}" version ${version} from Key Vault ${host}: ${azureMessage(err)}`,
          { cause: err },
        );
      }
      if (cer === undefined || cer.length === 0) {
        throw new NotaryError('SIGNER_FAILED', `Key Vault certificate "${name}" has no certificate content`);
      }
      const leaf = parseCertificate(cer, `Key Vault certificate "${name}"`);
      const { spec, description } = keySpecOf(leaf.publicKey);
      if (spec === undefined) {
        throw new NotaryError(
          'KEY_INVALID',
          `Key Vault certificate "${name}" has an unsupported key: ${description}`,
        );
      }
      const selfSigned = isSelfSigned(leaf);
      let chain: Certificate[];
      const source = options.chain;
      if (source !== undefined && 'caCertificates' in source) {
        const bundleBytes =
          typeof source.caCertificates === 'string'
            ? new TextEncoder().encode(source.caCertificates)
            : source.caCertificates;
        const bundle = readCertificates(bundleBytes, 'the CA bundle').map((der, i) =>
          parseCertificate(der, `certificate #${i + 1} of the CA bundle`),
        );
        if (selfSigned) {
          throw new NotaryError(
            'CHAIN_INVALID',
            `Key Vault certificate "${name}" is self-signed: do not give a CA bundle for it`,
          );
        }
        chain = completeChain(leaf, bundle);
      } else {
        if (!selfSigned) {
          throw new NotaryError(
            'CHAIN_INVALID',
            `Key Vault certificate "${name}" is issued by "${leaf.issuer}": give the CA bundle (intermediates and root) to complete the chain`,
          );
        }
        chain = [leaf];
      }
      return { spec, chain: chain.map((c) => c.der) };
    })();
    return loaded;
  };

  return {
    keySpec: async (): Promise<KeySpec> => (await load()).spec,
    certificateChain: async (): Promise<Uint8Array[]> => (await load()).chain,
    sign: async (data: Uint8Array, algorithm: SignatureAlgorithm): Promise<Uint8Array> => {
      const digest = createHash(hashOf(algorithm)).update(data).digest();
      try {
        const result = await crypto.sign(KV_ALGORITHMS[algorithm], new Uint8Array(digest));
        return result.result;
      } catch (err) {
        throw new NotaryError(
          'SIGNER_FAILED',
          `Key Vault could not sign with key "${name}" version ${version} (${KV_ALGORITHMS[algorithm]}): ${azureMessage(err)}`,
          { cause: err },
        );
      }
    },
  };
}
