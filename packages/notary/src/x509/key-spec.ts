import type { KeyObject } from 'node:crypto';

/** The six signature algorithms of the Notary Project signature specification. */
export type SignatureAlgorithm =
  | 'RSASSA-PSS-SHA-256'
  | 'RSASSA-PSS-SHA-384'
  | 'RSASSA-PSS-SHA-512'
  | 'ECDSA-SHA-256'
  | 'ECDSA-SHA-384'
  | 'ECDSA-SHA-512';

export type KeySpec =
  | { type: 'rsa'; size: 2048 | 3072 | 4096 }
  | { type: 'ec'; size: 256 | 384 | 521; curve: 'P-256' | 'P-384' | 'P-521' };

const CURVES: Record<string, { size: 256 | 384 | 521; curve: 'P-256' | 'P-384' | 'P-521' }> = {
  prime256v1: { size: 256, curve: 'P-256' },
  'P-256': { size: 256, curve: 'P-256' },
  secp384r1: { size: 384, curve: 'P-384' },
  'P-384': { size: 384, curve: 'P-384' },
  secp521r1: { size: 521, curve: 'P-521' },
  'P-521': { size: 521, curve: 'P-521' },
};

/**
 * The key spec of a public or private key, or undefined with a description of what it is
 * (`rsa key size 1024 bits is not supported`, …) when the Notary spec does not allow it.
 */
export function keySpecOf(key: KeyObject): { spec: KeySpec | undefined; description: string } {
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'rsa') {
    const bits = details?.modulusLength ?? 0;
    if (bits === 2048 || bits === 3072 || bits === 4096) {
      return { spec: { type: 'rsa', size: bits }, description: `RSA-${bits}` };
    }
    return { spec: undefined, description: `rsa key size ${bits} bits is not supported` };
  }
  if (key.asymmetricKeyType === 'ec') {
    const named = details?.namedCurve ?? '';
    const c = CURVES[named];
    if (c !== undefined) return { spec: { type: 'ec', ...c }, description: `EC-${c.size}` };
    const size = /(\d+)/.exec(named)?.[1] ?? '?';
    return { spec: undefined, description: `ecdsa key size ${size} bits is not supported` };
  }
  return { spec: undefined, description: 'unsupported public key type' };
}

/** The algorithm the spec mandates for a key spec (RSA-2048 → PS256 …). */
export function signatureAlgorithmFor(spec: KeySpec): SignatureAlgorithm {
  if (spec.type === 'rsa') {
    return spec.size === 2048
      ? 'RSASSA-PSS-SHA-256'
      : spec.size === 3072
        ? 'RSASSA-PSS-SHA-384'
        : 'RSASSA-PSS-SHA-512';
  }
  return spec.size === 256 ? 'ECDSA-SHA-256' : spec.size === 384 ? 'ECDSA-SHA-384' : 'ECDSA-SHA-512';
}

export function hashOf(alg: SignatureAlgorithm): 'sha256' | 'sha384' | 'sha512' {
  return alg.endsWith('256') ? 'sha256' : alg.endsWith('384') ? 'sha384' : 'sha512';
}

/** Bytes of r and of s in a raw ECDSA signature for the algorithm's curve. */
export function ecCoordinateSize(alg: SignatureAlgorithm): number {
  return alg === 'ECDSA-SHA-256' ? 32 : alg === 'ECDSA-SHA-384' ? 48 : 66;
}

export function describeKeySpec(spec: KeySpec): string {
  return spec.type === 'rsa' ? `RSA-${spec.size}` : `EC-${spec.size}`;
}
