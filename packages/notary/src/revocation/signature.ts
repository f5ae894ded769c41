import { constants, verify, type KeyObject } from 'node:crypto';
import { children, readDerExact, readOid, sequence } from '../x509/der.js';
import {
  HASH_OIDS,
  RSASSA_PSS_OID,
  SIGNATURE_OIDS,
  verificationError,
  type HashName,
} from '../x509/signature-algorithms.js';

function pssHash(params: Uint8Array | undefined): HashName | undefined {
  if (!params) return undefined;
  try {
    const fields = sequence(readDerExact(params, 'RSASSA-PSS-params'), 'RSASSA-PSS-params');
    const hashField = fields.find((f) => f.tag === 0xa0);
    if (!hashField) return undefined;
    const [alg] = children(hashField);
    return HASH_OIDS[readOid(sequence(alg, 'hashAlgorithm')[0], 'hashAlgorithm')];
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
  if (algorithm.oid === RSASSA_PSS_OID) {
    const hash = pssHash(algorithm.parameters);
    if (!hash) return 'x509: cannot verify signature: algorithm unimplemented (RSASSA-PSS parameters)';
    return verificationError(key, () =>
      verify(
        hash,
        data,
        { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO },
        signature,
      ),
    );
  }
  const alg = SIGNATURE_OIDS[algorithm.oid];
  if (!alg) {
    if (algorithm.oid === '1.2.840.113549.1.1.5')
      return 'x509: cannot verify signature: insecure algorithm SHA1-RSA';
    return `x509: cannot verify signature: algorithm unimplemented (${algorithm.oid})`;
  }
  return verificationError(key, () => verify(alg.hash, data, key, signature));
}
