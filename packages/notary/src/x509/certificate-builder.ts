import { createHash, createPublicKey, type KeyObject, randomBytes, sign } from 'node:crypto';
import { NotaryError } from '../errors.js';
import { der, encodeTlv, readBitString, readDer, sequence } from './der.js';

export type HashName = 'sha1' | 'sha256' | 'sha384' | 'sha512';

const NAME_OIDS: Record<string, string> = {
  C: '2.5.4.6',
  ST: '2.5.4.8',
  L: '2.5.4.7',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  CN: '2.5.4.3',
};

const RSA_SIG: Record<HashName, string> = {
  sha1: '1.2.840.113549.1.1.5',
  sha256: '1.2.840.113549.1.1.11',
  sha384: '1.2.840.113549.1.1.12',
  sha512: '1.2.840.113549.1.1.13',
};
const EC_SIG: Record<HashName, string> = {
  sha1: '1.2.840.10045.4.1',
  sha256: '1.2.840.10045.4.3.2',
  sha384: '1.2.840.10045.4.3.3',
  sha512: '1.2.840.10045.4.3.4',
};

/** An RDN sequence in certificate (DER) order, e.g. `[['C','US'],['O','Notary'],['CN','e2e']]`. */
export type NameSpec = readonly (readonly [string, string])[];

export interface CertificateSpec {
  subject: NameSpec;
  /** Defaults to `subject` (self-issued). */
  issuer?: NameSpec;
  /** The certified public key. */
  publicKey: KeyObject;
  /** The issuer's private key that signs the certificate. */
  signingKey: KeyObject;
  notBefore: Date;
  notAfter: Date;
  serial?: Uint8Array;
  /** undefined: no basicConstraints extension. */
  basicConstraints?: { ca: boolean; pathLength?: number; critical?: boolean };
  /** Key usage bit numbers (RFC 5280 numbering); undefined: no extension. */
  keyUsage?: { bits: readonly number[]; critical?: boolean };
  /** EKU OIDs (e.g. `OID.ekuServerAuth` for a TLS server); undefined: no extension. */
  extKeyUsage?: { oids: readonly string[]; critical?: boolean };
  /** DNS names of a TLS serving certificate (ASCII); undefined: no subjectAltName extension. */
  subjectAltName?: { dnsNames: readonly string[]; critical?: boolean };
  /** Add a subjectKeyIdentifier: SHA-1 of the certified public key (RFC 5280 4.2.1.2, method 1). */
  subjectKeyIdentifier?: boolean;
  /** Add an authorityKeyIdentifier: the key identifier of the signing key's public key. */
  authorityKeyIdentifier?: boolean;
  /** Signature hash; RSA uses PKCS#1 v1.5, EC uses ECDSA. Default sha256. */
  hash?: HashName;
}

function encodeName(name: NameSpec): Uint8Array {
  return der.seq(
    ...name.map(([type, value]) => {
      const oid = NAME_OIDS[type] ?? type;
      const printable = /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(value);
      return der.set(der.seq(der.oid(oid), printable ? der.printable(value) : der.utf8(value)));
    }),
  );
}

function keyUsageBits(bits: readonly number[]): Uint8Array {
  const max = Math.max(...bits);
  const bytes = new Uint8Array(max >= 8 ? 2 : 1);
  for (const b of bits) bytes[b >> 3] = (bytes[b >> 3] ?? 0) | (0x80 >> (b & 7));
  // unused bits in the last byte: count trailing zero bits (DER minimal form)
  let unused = 0;
  const last = bytes[bytes.length - 1] ?? 0;
  while (unused < 7 && (last & (1 << unused)) === 0) unused++;
  return der.bits(bytes, last === 0 ? 0 : unused);
}

/** The RFC 5280 (method 1) key identifier: SHA-1 of the subjectPublicKey bits of an SPKI. */
function keyIdentifier(spki: Uint8Array): Uint8Array {
  const [, subjectPublicKey] = sequence(readDer(spki), 'subjectPublicKeyInfo');
  const { bytes } = readBitString(subjectPublicKey, 'subjectPublicKey');
  return new Uint8Array(createHash('sha1').update(bytes).digest());
}

function spkiOf(key: KeyObject): Uint8Array {
  const pub = key.type === 'public' ? key : createPublicKey(key);
  return new Uint8Array(pub.export({ type: 'spki', format: 'der' }));
}

/** GeneralNames of dNSName entries ([2] IMPLICIT IA5String). */
function dnsGeneralNames(names: readonly string[]): Uint8Array {
  for (const name of names) {
    if (!/^[\x21-\x7e]+$/.test(name)) {
      throw new NotaryError(
        'CERTIFICATE_INVALID',
        `the DNS name ${JSON.stringify(name)} is empty or not printable ASCII; use its A-label (punycode) form`,
      );
    }
  }
  return der.seq(...names.map((name) => encodeTlv(0x82, new TextEncoder().encode(name))));
}

function extension(oid: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical
    ? der.seq(der.oid(oid), der.bool(true), der.octets(value))
    : der.seq(der.oid(oid), der.octets(value));
}

/**
 * Builds and signs an X.509 v3 certificate (DER). Used by `generateTestCertificate`, by
 * verify-core for the admission provider's TLS CA and serving certificate, and by the tests to
 * make hostile certificates; it applies no policy of its own.
 */
export function buildCertificate(spec: CertificateSpec): Uint8Array {
  const hash = spec.hash ?? 'sha256';
  const keyType = spec.signingKey.asymmetricKeyType;
  if (keyType !== 'rsa' && keyType !== 'ec') {
    throw new NotaryError('KEY_INVALID', `cannot sign a certificate with a ${keyType ?? 'unknown'} key`);
  }
  const sigAlg =
    keyType === 'rsa' ? der.seq(der.oid(RSA_SIG[hash]), der.null()) : der.seq(der.oid(EC_SIG[hash]));
  const serial = spec.serial ?? Uint8Array.from([0x01, ...randomBytes(15)]);
  const exts: Uint8Array[] = [];
  if (spec.basicConstraints !== undefined) {
    const bc = spec.basicConstraints;
    const fields: Uint8Array[] = [];
    if (bc.ca) fields.push(der.bool(true));
    if (bc.pathLength !== undefined) fields.push(der.uint(bc.pathLength));
    exts.push(extension('2.5.29.19', bc.critical ?? true, der.seq(...fields)));
  }
  if (spec.keyUsage !== undefined) {
    exts.push(extension('2.5.29.15', spec.keyUsage.critical ?? true, keyUsageBits(spec.keyUsage.bits)));
  }
  if (spec.extKeyUsage !== undefined) {
    exts.push(
      extension(
        '2.5.29.37',
        spec.extKeyUsage.critical ?? false,
        der.seq(...spec.extKeyUsage.oids.map((o) => der.oid(o))),
      ),
    );
  }
  const spki = spkiOf(spec.publicKey);
  if (spec.subjectAltName !== undefined) {
    exts.push(
      extension(
        '2.5.29.17',
        spec.subjectAltName.critical ?? false,
        dnsGeneralNames(spec.subjectAltName.dnsNames),
      ),
    );
  }
  if (spec.subjectKeyIdentifier === true) {
    exts.push(extension('2.5.29.14', false, der.octets(keyIdentifier(spki))));
  }
  if (spec.authorityKeyIdentifier === true) {
    // AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING }
    exts.push(
      extension('2.5.29.35', false, der.seq(encodeTlv(0x80, keyIdentifier(spkiOf(spec.signingKey))))),
    );
  }
  const tbs = der.seq(
    der.explicit(0, der.uint(2)),
    der.uint(serial),
    sigAlg,
    encodeName(spec.issuer ?? spec.subject),
    der.seq(der.time(spec.notBefore), der.time(spec.notAfter)),
    encodeName(spec.subject),
    spki,
    ...(exts.length > 0 ? [der.explicit(3, der.seq(...exts))] : []),
  );
  const signature =
    keyType === 'rsa'
      ? sign(hash, tbs, spec.signingKey)
      : sign(hash, tbs, { key: spec.signingKey, dsaEncoding: 'der' });
  return der.seq(tbs, sigAlg, der.bits(new Uint8Array(signature)));
}
