import type { KeyObject } from 'node:crypto';

export type HashName = 'sha256' | 'sha384' | 'sha512';

/** SHA-2 digest algorithm OIDs (CMS digestAlgorithm, TSTInfo imprint, RSASSA-PSS parameters). */
export const HASH_OIDS: Readonly<Record<string, HashName>> = {
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

/** Signature algorithm OIDs with their hash: RSA PKCS#1 v1.5 and ECDSA over SHA-2. */
export const SIGNATURE_OIDS: Readonly<Record<string, { hash: HashName; kind: 'rsa' | 'ec' }>> = {
  '1.2.840.113549.1.1.11': { hash: 'sha256', kind: 'rsa' },
  '1.2.840.113549.1.1.12': { hash: 'sha384', kind: 'rsa' },
  '1.2.840.113549.1.1.13': { hash: 'sha512', kind: 'rsa' },
  '1.2.840.10045.4.3.2': { hash: 'sha256', kind: 'ec' },
  '1.2.840.10045.4.3.3': { hash: 'sha384', kind: 'ec' },
  '1.2.840.10045.4.3.4': { hash: 'sha512', kind: 'ec' },
};

export const RSASSA_PSS_OID = '1.2.840.113549.1.1.10';

/**
 * Runs a signature verification with `key` (a throw counts as a failure) and returns Go's error
 * text when it does not verify (`x509: ECDSA verification failure`, `crypto/rsa: verification
 * error`), or undefined when it does.
 */
export function verificationError(key: KeyObject, verify: () => boolean): string | undefined {
  let ok: boolean;
  try {
    ok = verify();
  } catch {
    ok = false;
  }
  if (ok) return undefined;
  return key.asymmetricKeyType === 'ec'
    ? 'x509: ECDSA verification failure'
    : 'crypto/rsa: verification error';
}
