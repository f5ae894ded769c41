import { createHash, type KeyObject, X509Certificate } from 'node:crypto';
import { NotaryError } from '../errors.js';
import {
  children,
  decodeBoolean,
  decodeOid,
  decodeSmallInteger,
  DerError,
  type DerElement,
  expectTag,
  parseElement,
  TAG,
} from './der.js';
import { formatDistinguishedName, parseName, type RelativeDistinguishedNames } from './distinguished-name.js';
import { keySpecOf, type KeySpec } from './key-spec.js';

export const OID = {
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  ekuAny: '2.5.29.37.0',
  ekuServerAuth: '1.3.6.1.5.5.7.3.1',
  ekuClientAuth: '1.3.6.1.5.5.7.3.2',
  ekuCodeSigning: '1.3.6.1.5.5.7.3.3',
  ekuEmailProtection: '1.3.6.1.5.5.7.3.4',
  ekuTimeStamping: '1.3.6.1.5.5.7.3.8',
  ekuOcspSigning: '1.3.6.1.5.5.7.3.9',
} as const;

/** Key usage bits, numbered as in RFC 5280 (bit 0 = digitalSignature). */
export const KEY_USAGE = {
  digitalSignature: 0,
  contentCommitment: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
  encipherOnly: 7,
  decipherOnly: 8,
} as const;

const WEAK_SIGNATURE_ALGORITHMS: Record<string, string> = {
  '1.2.840.113549.1.1.4': 'MD5-RSA',
  '1.2.840.113549.1.1.2': 'MD2-RSA',
  '1.2.840.113549.1.1.5': 'SHA1-RSA',
  '1.2.840.10045.4.1': 'ECDSA-SHA1',
  '1.2.840.10040.4.3': 'DSA-SHA1',
  '1.3.14.3.2.29': 'SHA1-RSA',
};

export interface Extension {
  oid: string;
  critical: boolean;
  value: Uint8Array;
}

/** A certificate parsed once: the fields the Notary rules read, plus node's object for crypto. */
export interface Certificate {
  readonly der: Uint8Array;
  readonly node: X509Certificate;
  readonly version: number;
  /** Go-style subject string, e.g. `CN=e2e,O=Notary,L=Seattle,ST=WA,C=US`. */
  readonly subject: string;
  readonly issuer: string;
  readonly subjectNames: RelativeDistinguishedNames;
  readonly rawSubject: Uint8Array;
  readonly rawIssuer: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly serialNumberHex: string;
  readonly signatureAlgorithmOid: string;
  readonly extensions: readonly Extension[];
  /** undefined when the extension is absent. */
  readonly basicConstraints: { ca: boolean; pathLength: number | undefined } | undefined;
  /** Bit set (RFC 5280 numbering); 0 when absent. */
  readonly keyUsage: number;
  readonly extKeyUsage: readonly string[];
  readonly publicKey: KeyObject;
  /** undefined when the key is not RSA 2048/3072/4096 or EC P-256/384/521. */
  readonly keySpec: KeySpec | undefined;
  readonly keyDescription: string;
  /** Lowercase hex SHA-256 of the DER. */
  readonly sha256: string;
}

function parseTime(el: DerElement): Date {
  const s = Buffer.from(el.value).toString('latin1');
  let m: RegExpExecArray | null;
  if (el.tag === TAG.UTC_TIME) {
    m = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(s);
    if (m === null) throw new DerError('invalid UTCTime');
    const yy = Number(m[1]);
    const year = yy < 50 ? 2000 + yy : 1900 + yy;
    return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
  }
  if (el.tag === TAG.GENERALIZED_TIME) {
    m = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(s);
    if (m === null) throw new DerError('invalid GeneralizedTime');
    return new Date(
      Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])),
    );
  }
  throw new DerError('invalid validity time');
}

function parseKeyUsage(value: Uint8Array): number {
  const bits = expectTag(parseElement(value), TAG.BIT_STRING, 'key usage bit string').value;
  if (bits.length === 0) throw new DerError('invalid key usage');
  let usage = 0;
  for (let i = 1; i < bits.length && i < 3; i++) {
    const byte = bits[i] ?? 0;
    for (let b = 0; b < 8; b++) if ((byte & (0x80 >> b)) !== 0) usage |= 1 << ((i - 1) * 8 + b);
  }
  return usage;
}

function parseBasicConstraints(value: Uint8Array): { ca: boolean; pathLength: number | undefined } {
  const seq = expectTag(parseElement(value), TAG.SEQUENCE, 'basic constraints');
  let ca = false;
  let pathLength: number | undefined;
  for (const el of children(seq)) {
    if (el.tag === TAG.BOOLEAN) ca = decodeBoolean(el.value);
    else if (el.tag === TAG.INTEGER) pathLength = decodeSmallInteger(el.value);
    else throw new DerError('invalid basic constraints');
  }
  return { ca, pathLength };
}

function parseExtKeyUsage(value: Uint8Array): string[] {
  const seq = expectTag(parseElement(value), TAG.SEQUENCE, 'extended key usage');
  return children(seq).map((el) => decodeOid(expectTag(el, TAG.OID, 'EKU OID').value));
}

/**
 * Parses one DER certificate. Throws NotaryError('CERTIFICATE_INVALID') naming `what` (e.g.
 * "certificate #1 of the x5c chain") on anything malformed.
 */
export function parseCertificate(der: Uint8Array, what = 'certificate'): Certificate {
  const key = createHash('sha256').update(der).digest('hex');
  const cached = CACHE.get(key);
  if (cached !== undefined && Buffer.compare(cached.der, der) === 0) return cached;
  const cert = parseUncached(der, what, key);
  if (CACHE.size >= CACHE_SIZE) {
    const oldest = CACHE.keys().next().value;
    if (oldest !== undefined) CACHE.delete(oldest);
  }
  CACHE.set(key, cert);
  return cert;
}

/**
 * Parsed certificates are immutable, so the same DER is parsed once: verifying many signatures of
 * one signer (an admission controller's case) does not pay the parse and the certificate
 * signature check again. Bounded, oldest evicted first.
 */
const CACHE_SIZE = 512;
const CACHE = new Map<string, Certificate>();

function parseUncached(input: Uint8Array, what: string, sha256: string): Certificate {
  const der = new Uint8Array(input);
  try {
    const node = new X509Certificate(der);
    const root = parseElement(der);
    const [tbs, sigAlg] = children(expectTag(root, TAG.SEQUENCE, 'certificate'));
    const tbsFields = children(expectTag(tbs, TAG.SEQUENCE, 'TBSCertificate'));
    let i = 0;
    let version = 1;
    if (tbsFields[0]?.tag === 0xa0) {
      const [v] = children(tbsFields[0]);
      version = decodeSmallInteger(expectTag(v, TAG.INTEGER, 'version').value) + 1;
      i++;
    }
    const serial = expectTag(tbsFields[i++], TAG.INTEGER, 'serial number');
    i++; // signature algorithm inside TBS
    const issuer = expectTag(tbsFields[i++], TAG.SEQUENCE, 'issuer');
    const validity = children(expectTag(tbsFields[i++], TAG.SEQUENCE, 'validity'));
    const subject = expectTag(tbsFields[i++], TAG.SEQUENCE, 'subject');
    i++; // subjectPublicKeyInfo
    const extensions: Extension[] = [];
    for (; i < tbsFields.length; i++) {
      const f = tbsFields[i];
      if (f?.tag !== 0xa3) continue;
      const [list] = children(f);
      for (const ext of children(expectTag(list, TAG.SEQUENCE, 'extensions'))) {
        const parts = children(ext);
        const oid = decodeOid(expectTag(parts[0], TAG.OID, 'extension id').value);
        let critical = false;
        let valueEl = parts[1];
        if (valueEl?.tag === TAG.BOOLEAN) {
          critical = decodeBoolean(valueEl.value);
          valueEl = parts[2];
        }
        const value = expectTag(valueEl, TAG.OCTET_STRING, 'extension value').value;
        if (extensions.some((e) => e.oid === oid)) {
          throw new DerError('certificate contains duplicate extensions');
        }
        extensions.push({ oid, critical, value });
      }
    }
    const algChildren = children(expectTag(sigAlg, TAG.SEQUENCE, 'signature algorithm'));
    const signatureAlgorithmOid = decodeOid(expectTag(algChildren[0], TAG.OID, 'algorithm').value);
    const bc = extensions.find((e) => e.oid === OID.basicConstraints);
    const ku = extensions.find((e) => e.oid === OID.keyUsage);
    const eku = extensions.find((e) => e.oid === OID.extKeyUsage);
    const subjectNames = parseName(subject);
    const publicKey = node.publicKey;
    const { spec, description } = keySpecOf(publicKey);
    return {
      der,
      node,
      version,
      subject: formatDistinguishedName(subjectNames),
      issuer: formatDistinguishedName(parseName(issuer)),
      subjectNames,
      rawSubject: subject.bytes,
      rawIssuer: issuer.bytes,
      notBefore: parseTime(expectTag(validity[0], validity[0]?.tag ?? -1, 'notBefore')),
      notAfter: parseTime(expectTag(validity[1], validity[1]?.tag ?? -1, 'notAfter')),
      serialNumberHex: Buffer.from(serial.value).toString('hex'),
      signatureAlgorithmOid,
      extensions,
      basicConstraints: bc === undefined ? undefined : parseBasicConstraints(bc.value),
      keyUsage: ku === undefined ? 0 : parseKeyUsage(ku.value),
      extKeyUsage: eku === undefined ? [] : parseExtKeyUsage(eku.value),
      publicKey,
      keySpec: spec,
      keyDescription: description,
      sha256,
    };
  } catch (err) {
    if (err instanceof NotaryError) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    throw new NotaryError('CERTIFICATE_INVALID', `${what} is not a valid X.509 certificate: ${reason}`, {
      cause: err,
    });
  }
}

export function hasKeyUsage(cert: Certificate, bit: number): boolean {
  return (cert.keyUsage & (1 << bit)) !== 0;
}

/**
 * Whether `issuer` signed `cert`, with Go's `CheckSignatureFrom` rules: the parent must be a CA
 * (v3 needs basicConstraints cA=true), carry keyCertSign if it has a key usage, and the signature
 * must not use MD5/SHA-1. Returns the Go-style error text, or undefined when it verifies.
 */
export function checkSignatureFrom(cert: Certificate, issuer: Certificate): string | undefined {
  if (
    (issuer.version === 3 && issuer.basicConstraints === undefined) ||
    (issuer.basicConstraints !== undefined && !issuer.basicConstraints.ca)
  ) {
    return 'x509: invalid signature: parent certificate cannot sign this kind of certificate';
  }
  if (issuer.keyUsage !== 0 && !hasKeyUsage(issuer, KEY_USAGE.keyCertSign)) {
    return 'x509: invalid signature: parent certificate cannot sign this kind of certificate';
  }
  return checkSignature(cert, issuer.publicKey);
}

const SIGNATURE_CHECKS = new WeakMap<Certificate, WeakMap<KeyObject, string | undefined>>();

/** Verifies the certificate's own signature with `key` (no CA constraints); memoised per key. */
export function checkSignature(cert: Certificate, key: KeyObject): string | undefined {
  let byKey = SIGNATURE_CHECKS.get(cert);
  if (byKey === undefined) {
    byKey = new WeakMap();
    SIGNATURE_CHECKS.set(cert, byKey);
  }
  if (byKey.has(key)) return byKey.get(key);
  const result = checkSignatureUncached(cert, key);
  byKey.set(key, result);
  return result;
}

function checkSignatureUncached(cert: Certificate, key: KeyObject): string | undefined {
  const weak = WEAK_SIGNATURE_ALGORITHMS[cert.signatureAlgorithmOid];
  if (weak !== undefined) return `x509: cannot verify signature: insecure algorithm ${weak}`;
  let ok: boolean;
  try {
    ok = cert.node.verify(key);
  } catch {
    ok = false;
  }
  if (ok) return undefined;
  return key.asymmetricKeyType === 'ec'
    ? 'x509: ECDSA verification failure'
    : 'crypto/rsa: verification error';
}

/** Byte equality of two certificates. */
export function sameCertificate(a: Certificate, b: Certificate): boolean {
  return a.sha256 === b.sha256 && Buffer.compare(a.der, b.der) === 0;
}
