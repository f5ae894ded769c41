import type { KeySpec, SignatureAlgorithm } from '../x509/key-spec.js';

/**
 * A signing key with its certificate chain. `sign` returns the signature in the envelope's
 * encoding: RSASSA-PSS (salt = hash length) or raw ECDSA r||s, over `data` hashed with the
 * algorithm's hash. Implementations: local PEM key, Azure Key Vault key.
 */
export interface Signer {
  /** The key spec (decides the algorithm: RSA-2048 → PS256, EC-256 → ES256 …). */
  keySpec(): Promise<KeySpec>;
  /** DER certificates, leaf first, ending with the root. */
  certificateChain(): Promise<Uint8Array[]>;
  sign(data: Uint8Array, algorithm: SignatureAlgorithm): Promise<Uint8Array>;
}
