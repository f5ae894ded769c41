import { NotaryError } from '../errors.js';
import type { TrustStore, TrustStoreType } from '../types.js';
import type { Certificate } from '../x509/certificate.js';
import { parseCertificateFile } from './certificate-file.js';
import { checkStoreFile } from './directory-trust-store.js';
import { goQuote } from './go-format.js';
import { checkStoreReference } from './store-reference.js';

/** One named store given in memory: each entry is a PEM or DER "file" (one or more certificates). */
export interface MemoryTrustStoreEntry {
  type: TrustStoreType;
  name: string;
  /** Certificate files, by a name used in error messages. */
  files: ReadonlyArray<{ name: string; data: Uint8Array | string }>;
}

/**
 * A trust store from certificates already in memory (verify-core compiles its policy into one).
 * Every file is parsed and checked at construction with the directory store's rules, so a bad
 * certificate fails fast with the same message rather than at verification time.
 */
export class MemoryTrustStore implements TrustStore {
  private readonly stores = new Map<string, Certificate[]>();

  constructor(entries: readonly MemoryTrustStoreEntry[]) {
    for (const entry of entries) {
      checkStoreReference(entry.type, entry.name);
      const key = `${entry.type}:${entry.name}`;
      if (this.stores.has(key))
        throw new NotaryError('TRUST_STORE_INVALID', `the trust store ${goQuote(key)} is given twice`);
      const certs: Certificate[] = [];
      for (const file of entry.files) {
        const data =
          typeof file.data === 'string' ? new Uint8Array(Buffer.from(file.data, 'utf8')) : file.data;
        let parsed: Certificate[];
        try {
          parsed = parseCertificateFile(data);
        } catch (e) {
          throw new NotaryError(
            'TRUST_STORE_INVALID',
            `failed to read the trusted certificate ${file.name} in trust store ${entry.name} of type ${entry.type}`,
            { cause: e },
          );
        }
        certs.push(...checkStoreFile(parsed, file.name, entry.name, entry.type));
      }
      if (certs.length === 0) {
        throw new NotaryError(
          'TRUST_STORE_INVALID',
          `no x509 certificates were found in trust store ${goQuote(entry.name)} of type ${goQuote(entry.type)}`,
        );
      }
      this.stores.set(key, certs);
    }
  }

  certificates(type: TrustStoreType, name: string): Promise<Uint8Array[]> {
    return this.parsedCertificates(type, name).then((certs) => certs.map((c) => c.der));
  }

  parsedCertificates(type: TrustStoreType, name: string): Promise<Certificate[]> {
    const certs = this.stores.get(`${type}:${name}`);
    if (!certs) {
      return Promise.reject(
        new NotaryError(
          'TRUST_STORE_INVALID',
          `the trust store ${goQuote(name)} of type ${goQuote(type)} does not exist`,
        ),
      );
    }
    return Promise.resolve([...certs]);
  }
}
