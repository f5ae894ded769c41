import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { signPrimitive } from '../envelope/algorithms.js';
import { NotaryError } from '../errors.js';
import { parseCertificate } from '../x509/certificate.js';
import { keySpecOf, type KeySpec, type SignatureAlgorithm } from '../x509/key-spec.js';
import { readCertificates } from '../x509/pem.js';
import type { Signer } from './signer.js';

const KEY_LABELS = ['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY'];

/** Loads a PEM private key: PKCS#8, PKCS#1 (RSA) or SEC1 (EC). Never echoes key material. */
export function loadPrivateKey(pem: string | Uint8Array): KeyObject {
  const text = typeof pem === 'string' ? pem : Buffer.from(pem).toString('utf8');
  if (text.includes('ENCRYPTED PRIVATE KEY') || /Proc-Type:\s*4,ENCRYPTED/.test(text)) {
    throw new NotaryError(
      'KEY_INVALID',
      'the private key is encrypted: provide an unencrypted PEM key (PKCS#8, PKCS#1 or SEC1)',
    );
  }
  const label = /-----BEGIN ([A-Z ]+)-----/.exec(text)?.[1];
  if (label === undefined || !KEY_LABELS.includes(label)) {
    throw new NotaryError(
      'KEY_INVALID',
      'no PEM private key found: expected a "PRIVATE KEY" (PKCS#8), "RSA PRIVATE KEY" (PKCS#1) or "EC PRIVATE KEY" (SEC1) block',
    );
  }
  try {
    return createPrivateKey({ key: text, format: 'pem' });
  } catch (err) {
    throw new NotaryError('KEY_INVALID', `the PEM "${label}" block is not a valid private key`, {
      cause: err,
    });
  }
}

/**
 * A signer over a local private key and its certificate chain (leaf first). Checks that the key
 * is one the spec allows and that it matches the leaf certificate.
 */
export function createLocalSigner(options: {
  key: KeyObject | string | Uint8Array;
  /** PEM or DER certificates, or DER certificates as an array, leaf first. */
  certificateChain: string | Uint8Array | readonly Uint8Array[];
}): Signer {
  const key =
    options.key instanceof Uint8Array || typeof options.key === 'string'
      ? loadPrivateKey(options.key)
      : options.key;
  if (key.type !== 'private') throw new NotaryError('KEY_INVALID', 'the signing key must be a private key');
  const chain = Array.isArray(options.certificateChain)
    ? [...(options.certificateChain as readonly Uint8Array[])]
    : readCertificates(
        typeof options.certificateChain === 'string'
          ? new TextEncoder().encode(options.certificateChain)
          : (options.certificateChain as Uint8Array),
        'the certificate chain',
      );
  const leafDer = chain[0];
  if (leafDer === undefined) throw new NotaryError('CERTIFICATE_INVALID', 'the certificate chain is empty');
  const leaf = parseCertificate(leafDer, 'the signing certificate');
  const { spec, description } = keySpecOf(key);
  if (spec === undefined)
    throw new NotaryError('KEY_INVALID', `the signing key is not supported: ${description}`);
  const pub = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const leafPub = leaf.publicKey.export({ type: 'spki', format: 'der' });
  if (Buffer.compare(pub, leafPub) !== 0) {
    throw new NotaryError(
      'KEY_INVALID',
      `the signing key does not match the public key of the signing certificate "${leaf.subject}"`,
    );
  }
  return {
    keySpec: (): Promise<KeySpec> => Promise.resolve(spec),
    certificateChain: (): Promise<Uint8Array[]> => Promise.resolve(chain),
    sign: (data: Uint8Array, algorithm: SignatureAlgorithm): Promise<Uint8Array> =>
      Promise.resolve(signPrimitive(algorithm, key, data)),
  };
}
