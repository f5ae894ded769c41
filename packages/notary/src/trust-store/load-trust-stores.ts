import { NotaryError } from '../errors.js';
import type { TrustStore, TrustStoreType } from '../types.js';
import { type Certificate, parseCertificate } from '../x509/certificate.js';
import { goQuote } from './go-format.js';

/** A TrustStore that can hand out parsed certificates (both stores of this package can). */
interface ParsedTrustStore extends TrustStore {
  parsedCertificates(type: TrustStoreType, name: string): Promise<Certificate[]>;
}

function hasParsed(store: TrustStore): store is ParsedTrustStore {
  return typeof (store as Partial<ParsedTrustStore>).parsedCertificates === 'function';
}

/** The certificates of one named store, parsed. */
export async function storeCertificates(
  store: TrustStore,
  type: TrustStoreType,
  name: string,
): Promise<Certificate[]> {
  if (hasParsed(store)) return store.parsedCertificates(type, name);
  const ders = await store.certificates(type, name);
  return ders.map((der) => {
    try {
      return parseCertificate(der);
    } catch (e) {
      throw new NotaryError(
        'TRUST_STORE_INVALID',
        `the trust store ${goQuote(name)} of type ${goQuote(type)} holds a malformed certificate`,
        {
          cause: e,
        },
      );
    }
  });
}

/**
 * notation's `loadX509TrustStoresWithType`: the certificates of every `<type>:<name>` value of a
 * statement whose type is `type`, each store loaded once. A value without `:` fails with
 * notation's message (`error while loading the trust store, trust policy statement …`).
 */
export async function loadTrustStoreCertificates(
  store: TrustStore,
  type: TrustStoreType,
  policyName: string,
  trustStores: readonly string[],
): Promise<Certificate[]> {
  const seen = new Set<string>();
  const out: Certificate[] = [];
  for (const value of trustStores) {
    if (seen.has(value)) continue;
    const sep = value.indexOf(':');
    if (sep < 0) {
      throw new NotaryError(
        'TRUST_STORE_INVALID',
        `error while loading the trust store, trust policy statement ${goQuote(policyName)} is missing separator in trust store value ${goQuote(value)}. The required format is <TrustStoreType>:<TrustStoreName>`,
      );
    }
    if (value.slice(0, sep) !== type) continue;
    out.push(...(await storeCertificates(store, type, value.slice(sep + 1))));
    seen.add(value);
  }
  return out;
}
