import { CertificateClient } from '@azure/keyvault-certificates';
import type { KeyVaultCredential, KeyVaultHttpClient } from '@scs/notary';
import { VerifyCoreError } from '../errors.js';
import type { AzureKeyVaultTrustStore } from '../policy/types.js';

/**
 * Reads the certificate of an Azure Key Vault trust store (DER), with the Azure SDK's
 * CertificateClient: the given version, else the latest. Errors name the vault and certificate,
 * never the credential.
 */
export function keyVaultTrustStoreCertificates(options: {
  credential: KeyVaultCredential;
  httpClient?: KeyVaultHttpClient;
}): (store: AzureKeyVaultTrustStore) => Promise<Uint8Array[]> {
  const clients = new Map<string, CertificateClient>();
  return async (store) => {
    const { vaultUri, certificateName, version } = store.azureKeyVault;
    let client = clients.get(vaultUri);
    if (client === undefined) {
      client = new CertificateClient(
        vaultUri,
        options.credential,
        options.httpClient === undefined ? {} : { httpClient: options.httpClient },
      );
      clients.set(vaultUri, client);
    }
    let cer: Uint8Array | undefined;
    try {
      cer =
        version === undefined
          ? (await client.getCertificate(certificateName)).cer
          : (await client.getCertificateVersion(certificateName, version)).cer;
    } catch (error) {
      throw new VerifyCoreError(
        'FETCH_FAILED',
        `the certificate ${certificateName}${version === undefined ? '' : ` (version ${version})`} of trust store ${store.type}:${store.name} could not be read from ${vaultUri}: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    if (cer === undefined || cer.length === 0) {
      throw new VerifyCoreError('FETCH_FAILED', `${vaultUri} returned no certificate for ${certificateName}`);
    }
    return [cer];
  };
}
