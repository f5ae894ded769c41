import { constants, type KeyObject, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { ecCoordinateSize, hashOf, type SignatureAlgorithm } from '../x509/key-spec.js';

export const JWS_ALGORITHMS: Record<string, SignatureAlgorithm> = {
  PS256: 'RSASSA-PSS-SHA-256',
  PS384: 'RSASSA-PSS-SHA-384',
  PS512: 'RSASSA-PSS-SHA-512',
  ES256: 'ECDSA-SHA-256',
  ES384: 'ECDSA-SHA-384',
  ES512: 'ECDSA-SHA-512',
};

export const COSE_ALGORITHMS: Record<number, SignatureAlgorithm> = {
  [-37]: 'RSASSA-PSS-SHA-256',
  [-38]: 'RSASSA-PSS-SHA-384',
  [-39]: 'RSASSA-PSS-SHA-512',
  [-7]: 'ECDSA-SHA-256',
  [-35]: 'ECDSA-SHA-384',
  [-36]: 'ECDSA-SHA-512',
};

export function jwsName(alg: SignatureAlgorithm): string {
  const name = Object.entries(JWS_ALGORITHMS).find(([, a]) => a === alg)?.[0];
  if (name === undefined) throw new Error(`no JWS name for ${alg}`);
  return name;
}

export function coseId(alg: SignatureAlgorithm): number {
  const id = Object.entries(COSE_ALGORITHMS).find(([, a]) => a === alg)?.[0];
  if (id === undefined) throw new Error(`no COSE id for ${alg}`);
  return Number(id);
}

/**
 * Verifies a raw signature (PSS salt = hash length unless `anySaltLength`; ECDSA as raw r||s).
 * Returns false for a key of the wrong type rather than throwing.
 */
export function verifyPrimitive(
  alg: SignatureAlgorithm,
  key: KeyObject,
  data: Uint8Array,
  signature: Uint8Array,
  anySaltLength = false,
): boolean {
  const hash = hashOf(alg);
  try {
    if (alg.startsWith('RSASSA-PSS')) {
      if (key.asymmetricKeyType !== 'rsa') return false;
      return nodeVerify(
        hash,
        data,
        {
          key,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: anySaltLength ? constants.RSA_PSS_SALTLEN_AUTO : constants.RSA_PSS_SALTLEN_DIGEST,
        },
        signature,
      );
    }
    if (key.asymmetricKeyType !== 'ec') return false;
    if (signature.length !== 2 * ecCoordinateSize(alg)) return false;
    return nodeVerify(hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    return false;
  }
}

/** Signs with a local private key, in the envelope encoding (PSS salt = hash length; r||s). */
export function signPrimitive(alg: SignatureAlgorithm, key: KeyObject, data: Uint8Array): Uint8Array {
  const hash = hashOf(alg);
  if (alg.startsWith('RSASSA-PSS')) {
    return new Uint8Array(
      nodeSign(hash, data, {
        key,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
      }),
    );
  }
  return new Uint8Array(nodeSign(hash, data, { key, dsaEncoding: 'ieee-p1363' }));
}
