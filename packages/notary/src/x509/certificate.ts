import { createHash, type KeyObject, X509Certificate } from 'node:crypto';
import { NotaryError } from '../errors.js';
import {
  Asn1Error,
  children,
  type DerNode,
  readBitString,
  readBoolean,
  readDerExact,
  readInteger,
  readOctetString,
  readOid,
  readTime,
  sequence,
  Tag,
} from './der.js';
import { formatDistinguishedName, parseName, type RelativeDistinguishedNames } from './distinguished-name.js';
import { keySpecOf, type KeySpec } from './key-spec.js';
import { verificationError } from './signature-algorithms.js';

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
  crlDistributionPoints: '2.5.29.31',
  freshestCrl: '2.5.29.46',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  ocspAccessMethod: '1.3.6.1.5.5.7.48.1',
  ocspNoCheck: '1.3.6.1.5.5.7.48.1.5',
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

/** One `Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }`. */
export function readExtension(node: DerNode): Extension {
  const parts = sequence(node, 'extension');
  const oid = readOid(parts[0], 'extension id');
  let critical = false;
  let value = parts[1];
  if (value?.tag === Tag.boolean) {
    critical = readBoolean(value, 'extension critical');
    value = parts[2];
  }
  return { oid, critical, value: readOctetString(value, `extension ${oid}`) };
}

/**
 * A certificate parsed once: the fields the Notary rules, the trust store, timestamping and
 * revocation read, with Go's renderings, plus node's object for crypto. The package's only
 * certificate type.
 */
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
  /** The serial number as written (DER content octets, hex). */
  readonly serialNumberHex: string;
  readonly serialNumber: bigint;
  readonly signatureAlgorithmOid: string;
  readonly extensions: readonly Extension[];
  /** undefined when the extension is absent. */
  readonly basicConstraints: { ca: boolean; pathLength: number | undefined } | undefined;
  /** Bit set (RFC 5280 numbering); 0 when absent. */
  readonly keyUsage: number;
  /** EKU OIDs; empty when the extension is absent. */
  readonly extKeyUsage: readonly string[];
  /** URIs of the full-name CRL distribution points (Go's `cert.CRLDistributionPoints`). */
  readonly crlDistributionPoints: readonly string[];
  /** OCSP responder URIs from the authority information access extension (Go's `cert.OCSPServer`). */
  readonly ocspServers: readonly string[];
  /** The SubjectPublicKeyInfo DER. */
  readonly spki: Uint8Array;
  readonly publicKey: KeyObject;
  /** undefined when the key is not RSA 2048/3072/4096 or EC P-256/384/521. */
  readonly keySpec: KeySpec | undefined;
  readonly keyDescription: string;
  /** Lowercase hex SHA-256 of the DER. */
  readonly sha256: string;
}

function extensionValue(value: Uint8Array, what: string): DerNode {
  return readDerExact(value, what);
}

function parseKeyUsage(value: Uint8Array): number {
  const { bytes } = readBitString(extensionValue(value, 'keyUsage'), 'keyUsage');
  let usage = 0;
  for (let i = 0; i < 9; i++) {
    const byte = bytes[i >> 3] ?? 0;
    if ((byte >> (7 - (i & 7))) & 1) usage |= 1 << i;
  }
  return usage;
}

const MAX_PATH_LENGTH = 2n ** 48n;

function parseBasicConstraints(value: Uint8Array): { ca: boolean; pathLength: number | undefined } {
  let ca = false;
  let pathLength: number | undefined;
  for (const el of sequence(extensionValue(value, 'basicConstraints'), 'basicConstraints')) {
    if (el.tag === Tag.boolean) ca = readBoolean(el, 'cA');
    else if (el.tag === Tag.integer) {
      const n = readInteger(el, 'pathLenConstraint');
      if (n < 0n || n > MAX_PATH_LENGTH) throw new Asn1Error('invalid basic constraints', el.offset);
      pathLength = Number(n);
    } else throw new Asn1Error('invalid basic constraints', el.offset);
  }
  return { ca, pathLength };
}

function parseExtKeyUsage(value: Uint8Array): string[] {
  return sequence(extensionValue(value, 'extKeyUsage'), 'extKeyUsage').map((n) => readOid(n, 'key purpose'));
}

/** URIs of full-name distribution points (CRL distribution points, Freshest CRL). */
export function parseDistributionPointUris(value: Uint8Array, what: string): string[] {
  const uris: string[] = [];
  for (const dp of sequence(extensionValue(value, what), what)) {
    for (const field of children(dp)) {
      if (field.tag !== 0xa0) continue; // distributionPoint [0]
      for (const name of children(field)) {
        if (name.tag !== 0xa0) continue; // fullName [0] GeneralNames
        for (const gn of children(name)) {
          if (gn.tag === 0x86) uris.push(Buffer.from(gn.value).toString('latin1'));
        }
      }
    }
  }
  return uris;
}

function parseOcspServers(value: Uint8Array): string[] {
  const out: string[] = [];
  for (const ad of sequence(extensionValue(value, 'authorityInfoAccess'), 'authorityInfoAccess')) {
    const [method, location] = sequence(ad, 'accessDescription');
    if (readOid(method, 'accessMethod') === OID.ocspAccessMethod && location?.tag === 0x86) {
      out.push(Buffer.from(location.value).toString('latin1'));
    }
  }
  return out;
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
 * one signer (an admission controller's case), or the same TSA chain in every timestamp token,
 * does not pay the parse and the certificate signature check again. Bounded, oldest evicted first.
 */
const CACHE_SIZE = 512;
const CACHE = new Map<string, Certificate>();

function parseUncached(input: Uint8Array, what: string, sha256: string): Certificate {
  const der = new Uint8Array(input);
  try {
    const node = new X509Certificate(der);
    const root = readDerExact(der, 'certificate');
    const [tbs, sigAlg, sig] = sequence(root, 'certificate');
    if (tbs === undefined || sigAlg === undefined || sig === undefined) {
      throw new Asn1Error('certificate: missing fields', 0);
    }
    const tbsFields = sequence(tbs, 'tbsCertificate');
    let i = 0;
    let version = 1;
    if (tbsFields[0]?.tag === 0xa0) {
      const [v] = children(tbsFields[0]);
      const n = readInteger(v, 'version');
      if (n < 0n || n > 2n) throw new Asn1Error(`unsupported version ${n + 1n}`, tbs.offset);
      version = Number(n) + 1;
      i++;
    }
    const serial = tbsFields[i++];
    const serialNumber = readInteger(serial, 'serialNumber');
    i++; // signature algorithm inside TBS
    const issuer = tbsFields[i++];
    const validity = sequence(tbsFields[i++], 'validity');
    const subject = tbsFields[i++];
    const spki = tbsFields[i++];
    if (serial === undefined || issuer === undefined || subject === undefined || spki === undefined) {
      throw new Asn1Error('tbsCertificate: missing fields', tbs.offset);
    }
    const extensions: Extension[] = [];
    for (; i < tbsFields.length; i++) {
      const f = tbsFields[i];
      if (f?.tag !== 0xa3) continue;
      if (version !== 3) throw new Asn1Error('extensions in a non-v3 certificate', f.offset);
      const [list] = children(f);
      for (const node of sequence(list, 'extensions')) {
        const ext = readExtension(node);
        if (extensions.some((e) => e.oid === ext.oid)) {
          throw new Asn1Error('certificate contains duplicate extensions', node.offset);
        }
        extensions.push(ext);
      }
    }
    const signatureAlgorithmOid = readOid(sequence(sigAlg, 'signatureAlgorithm')[0], 'signature algorithm');
    readBitString(sig, 'signature');
    const ext = (oid: string): Extension | undefined => extensions.find((e) => e.oid === oid);
    const bc = ext(OID.basicConstraints);
    const ku = ext(OID.keyUsage);
    const eku = ext(OID.extKeyUsage);
    const cdp = ext(OID.crlDistributionPoints);
    const aia = ext(OID.authorityInfoAccess);
    const subjectNames = parseName(subject, 'subject');
    const publicKey = node.publicKey;
    const { spec, description } = keySpecOf(publicKey);
    return {
      der,
      node,
      version,
      subject: formatDistinguishedName(subjectNames),
      issuer: formatDistinguishedName(parseName(issuer, 'issuer')),
      subjectNames,
      rawSubject: subject.bytes,
      rawIssuer: issuer.bytes,
      notBefore: readTime(validity[0], 'notBefore', false),
      notAfter: readTime(validity[1], 'notAfter', false),
      serialNumberHex: Buffer.from(serial.value).toString('hex'),
      serialNumber,
      signatureAlgorithmOid,
      extensions,
      basicConstraints: bc === undefined ? undefined : parseBasicConstraints(bc.value),
      keyUsage: ku === undefined ? 0 : parseKeyUsage(ku.value),
      extKeyUsage: eku === undefined ? [] : parseExtKeyUsage(eku.value),
      crlDistributionPoints:
        cdp === undefined ? [] : parseDistributionPointUris(cdp.value, 'cRLDistributionPoints'),
      ocspServers: aia === undefined ? [] : parseOcspServers(aia.value),
      spki: spki.bytes,
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

/** Whether the certificate carries the extension (present even when, e.g., no key usage bit is set). */
export function hasExtension(cert: Certificate, oid: string): boolean {
  return cert.extensions.some((e) => e.oid === oid);
}

/**
 * The rule for a timestamping certificate's extended key usage (RFC 3161 §2.3): exactly
 * id-kp-timeStamping, in a critical extension. Returns which part fails, or undefined.
 */
export function timestampingEkuProblem(
  cert: Certificate,
): 'not-only-timestamping' | 'not-critical' | undefined {
  if (cert.extKeyUsage.length !== 1 || cert.extKeyUsage[0] !== OID.ekuTimeStamping) {
    return 'not-only-timestamping';
  }
  if (cert.extensions.find((e) => e.oid === OID.extKeyUsage)?.critical !== true) return 'not-critical';
  return undefined;
}

/** Go's `bytes.Equal(cert.RawSubject, cert.RawIssuer)`. */
export function isSelfIssued(cert: Certificate): boolean {
  return Buffer.compare(cert.rawSubject, cert.rawIssuer) === 0;
}

/**
 * Whether `issuer` signed `cert`, with Go's `CheckSignatureFrom` rules: the parent must be a CA
 * (v3 needs basicConstraints cA=true), carry keyCertSign if it has a key usage extension (even an
 * empty one), and the signature must not use MD5/SHA-1. Returns the Go-style error text, or
 * undefined when it verifies.
 */
export function checkSignatureFrom(cert: Certificate, issuer: Certificate): string | undefined {
  return issuerConstraintError(issuer, KEY_USAGE.keyCertSign) ?? checkSignature(cert, issuer.publicKey);
}

/**
 * Go's constraint checks on a parent before it may sign a certificate (`keyCertSign`) or a CRL
 * (`cRLSign`): a CA (v3 needs basicConstraints cA=true), carrying the usage bit if it has a key
 * usage extension. Returns Go's error text, or undefined.
 */
export function issuerConstraintError(issuer: Certificate, usageBit: number): string | undefined {
  if (
    (issuer.version === 3 && issuer.basicConstraints === undefined) ||
    (issuer.basicConstraints !== undefined && !issuer.basicConstraints.ca) ||
    (hasExtension(issuer, OID.keyUsage) && !hasKeyUsage(issuer, usageBit))
  ) {
    return 'x509: invalid signature: parent certificate cannot sign this kind of certificate';
  }
  return undefined;
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
  return verificationError(key, () => cert.node.verify(key));
}

/** Byte equality of two certificates. */
export function sameCertificate(a: Certificate, b: Certificate): boolean {
  return a.sha256 === b.sha256 && Buffer.compare(a.der, b.der) === 0;
}
