import { constants, verify, type KeyObject } from 'node:crypto';
import { readOid, readDerExact, sequence, children } from '../x509/der.js';

const ALGS: Record<string, { hash: string; kind: 'rsa' | 'ec' | 'pss' }> = {
  '1.2.840.113549.1.1.11': { hash: 'sha256', kind: 'rsa' },
  '1.2.840.113549.1.1.12': { hash: 'sha384', kind: 'rsa' },
  '1.2.840.113549.1.1.13': { hash: 'sha512', kind: 'rsa' },
  '1.2.840.10045.4.3.2': { hash: 'sha256', kind: 'ec' },
  '1.2.840.10045.4.3.3': { hash: 'sha384', kind: 'ec' },
  '1.2.840.10045.4.3.4': { hash: 'sha512', kind: 'ec' },
  '1.2.840.113549.1.1.10': { hash: 'sha256', kind: 'pss' },
};

const PSS_HASHES: Record<string, string> = {
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

function pssHash(params: Uint8Array | undefined): string | undefined {
  if (!params) return undefined;
  try {
    const fields = sequence(readDerExact(params, 'RSASSA-PSS-params'), 'RSASSA-PSS-params');
    const hashField = fields.find((f) => f.tag === 0xa0);
    if (!hashField) return undefined;
    const [alg] = children(hashField);
    return PSS_HASHES[readOid(sequence(alg, 'hashAlgorithm')[0], 'hashAlgorithm')];
  } catch {
    return undefined;
  }
}

/**
 * Verifies `signature` over `data` with `key` for a signature AlgorithmIdentifier, as Go's
 * `CheckSignature` does for CRLs and OCSP responses (SHA-1 and MD5 refused). Returns Go's
 * error text, or undefined when it verifies.
 */
export function checkSignature(
  algorithm: { oid: string; parameters: Uint8Array | undefined },
  key: KeyObject,
  data: Uint8Array,
  signature: Uint8Array,
): string | undefined {
  const alg = ALGS[algorithm.oid];
  if (!alg) {
    if (algorithm.oid === '1.2.840.113549.1.1.5')
      return 'x509: cannot verify signature: insecure algorithm SHA1-RSA';
    return `x509: cannot verify signature: algorithm unimplemented (${algorithm.oid})`;
  }
  let ok: boolean;
  try {
    if (alg.kind === 'pss') {
      const hash = pssHash(algorithm.parameters);
      if (!hash) return 'x509: cannot verify signature: algorithm unimplemented (RSASSA-PSS parameters)';
      ok = verify(
        hash,
        data,
        { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO },
        signature,
      );
    } else {
      ok = verify(alg.hash, data, key, signature);
    }
  } catch {
    ok = false;
  }
  if (ok) return undefined;
  return key.asymmetricKeyType === 'ec'
    ? 'x509: ECDSA verification failure'
    : 'crypto/rsa: verification error';
}
