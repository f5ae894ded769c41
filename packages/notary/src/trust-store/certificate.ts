import { X509Certificate, createPublicKey, type KeyObject } from 'node:crypto';
import {
  Asn1Error,
  Tag,
  children,
  readBitString,
  readBoolean,
  readDerExact,
  readInteger,
  readOctetString,
  readOid,
  readTime,
  sequence,
  type DerNode,
} from '../x509/der.js';
import { goNameString, parseName, type RdnSequence } from './x509-name.js';

export const Oid = {
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  crlDistributionPoints: '2.5.29.31',
  freshestCrl: '2.5.29.46',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  ocspAccessMethod: '1.3.6.1.5.5.7.48.1',
  ekuAny: '2.5.29.37.0',
  ekuCodeSigning: '1.3.6.1.5.5.7.3.3',
  ekuTimeStamping: '1.3.6.1.5.5.7.3.8',
  ekuOcspSigning: '1.3.6.1.5.5.7.3.9',
  ocspNoCheck: '1.3.6.1.5.5.7.48.1.5',
} as const;

export interface Extension {
  oid: string;
  critical: boolean;
  value: Uint8Array;
}

/** Key usage bits as Go numbers them (bit 0 = digitalSignature … bit 5 = keyCertSign). */
export const KeyUsage = {
  digitalSignature: 1 << 0,
  contentCommitment: 1 << 1,
  keyEncipherment: 1 << 2,
  dataEncipherment: 1 << 3,
  keyAgreement: 1 << 4,
  certSign: 1 << 5,
  crlSign: 1 << 6,
  encipherOnly: 1 << 7,
  decipherOnly: 1 << 8,
} as const;

/** An X.509 certificate parsed once; the fields notation's checks read, with Go's renderings. */
export interface Certificate {
  readonly der: Uint8Array;
  readonly tbs: Uint8Array;
  readonly version: number;
  readonly serialNumber: bigint;
  readonly signatureAlgorithm: { oid: string; parameters: Uint8Array | undefined };
  readonly signature: Uint8Array;
  readonly rawIssuer: Uint8Array;
  readonly rawSubject: Uint8Array;
  readonly issuer: RdnSequence;
  readonly subject: RdnSequence;
  /** Go's `cert.Subject.String()`, e.g. `CN=e2e,O=Notary,L=Seattle,ST=WA,C=US`. */
  readonly subjectString: string;
  readonly issuerString: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly spki: Uint8Array;
  readonly extensions: readonly Extension[];
  /** Present when the basicConstraints extension is. */
  readonly basicConstraints: { isCA: boolean; pathLen: number | undefined } | undefined;
  /** Key usage bits, or undefined when the extension is absent. */
  readonly keyUsage: number | undefined;
  /** EKU OIDs, or undefined when the extension is absent. */
  readonly extKeyUsage: readonly string[] | undefined;
  readonly crlDistributionPoints: readonly string[];
  readonly ocspServers: readonly string[];
  publicKey(): KeyObject;
}

export class CertificateParseError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CertificateParseError';
  }
}

/** Parses one DER certificate. Throws CertificateParseError("x509: malformed certificate"-style). */
export function parseCertificate(der: Uint8Array): Certificate {
  try {
    return parse(der);
  } catch (e) {
    if (e instanceof CertificateParseError) throw e;
    const detail = e instanceof Error ? e.message : String(e);
    throw new CertificateParseError(`x509: malformed certificate (${detail})`, { cause: e });
  }
}

function parse(der: Uint8Array): Certificate {
  const root = readDerExact(der, 'certificate');
  const [tbsNode, sigAlgNode, sigNode] = sequence(root, 'certificate');
  if (!tbsNode || !sigAlgNode || !sigNode) throw new Asn1Error('certificate: missing fields', 0);
  const tbsItems = sequence(tbsNode, 'tbsCertificate');
  let i = 0;
  let version = 1;
  const first = tbsItems[0];
  if (first?.tag === 0xa0) {
    const [v] = children(first);
    version = Number(readInteger(v, 'version')) + 1;
    i++;
  }
  if (version < 1 || version > 3) throw new Asn1Error(`unsupported version ${version}`, tbsNode.offset);
  const serialNumber = readInteger(tbsItems[i++], 'serialNumber');
  i++; // inner signature algorithm (checked equal below)
  const issuerNode = tbsItems[i++];
  const validity = sequence(tbsItems[i++], 'validity');
  const subjectNode = tbsItems[i++];
  const spkiNode = tbsItems[i++];
  if (!issuerNode || !subjectNode || !spkiNode)
    throw new Asn1Error('tbsCertificate: missing fields', tbsNode.offset);
  const extensions: Extension[] = [];
  for (; i < tbsItems.length; i++) {
    const item = tbsItems[i];
    if (item?.tag === 0xa3) {
      if (version !== 3) throw new Asn1Error('extensions in a non-v3 certificate', item.offset);
      const [exts] = children(item);
      for (const ext of sequence(exts, 'extensions')) {
        const parts = sequence(ext, 'extension');
        const oid = readOid(parts[0], 'extension id');
        let critical = false;
        let valueNode = parts[1];
        if (valueNode?.tag === Tag.boolean) {
          critical = readBoolean(valueNode, 'extension critical');
          valueNode = parts[2];
        }
        const value = readOctetString(valueNode, `extension ${oid}`);
        if (extensions.some((e) => e.oid === oid))
          throw new Asn1Error(`duplicate extension ${oid}`, ext.offset);
        extensions.push({ oid, critical, value });
      }
    }
  }
  const sigAlgParts = sequence(sigAlgNode, 'signatureAlgorithm');
  const signatureAlgorithm = {
    oid: readOid(sigAlgParts[0], 'signature algorithm'),
    parameters: sigAlgParts[1]?.bytes,
  };
  const signature = readBitString(sigNode, 'signature').bytes;
  const issuer = parseName(issuerNode, 'issuer');
  const subject = parseName(subjectNode, 'subject');
  const ext = (oid: string): Extension | undefined => extensions.find((e) => e.oid === oid);

  let keyObject: KeyObject | undefined;
  const spki = spkiNode.bytes;
  return {
    der,
    tbs: tbsNode.bytes,
    version,
    serialNumber,
    signatureAlgorithm,
    signature,
    rawIssuer: issuerNode.bytes,
    rawSubject: subjectNode.bytes,
    issuer,
    subject,
    subjectString: goNameString(subject),
    issuerString: goNameString(issuer),
    notBefore: readTime(validity[0], 'notBefore'),
    notAfter: readTime(validity[1], 'notAfter'),
    spki,
    extensions,
    basicConstraints: parseBasicConstraints(ext(Oid.basicConstraints)),
    keyUsage: parseKeyUsage(ext(Oid.keyUsage)),
    extKeyUsage: parseExtKeyUsage(ext(Oid.extKeyUsage)),
    crlDistributionPoints: parseCrlDistributionPoints(ext(Oid.crlDistributionPoints)),
    ocspServers: parseOcspServers(ext(Oid.authorityInfoAccess)),
    publicKey(): KeyObject {
      keyObject ??= createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
      return keyObject;
    },
  };
}

function readDerValue(value: Uint8Array, what: string): DerNode {
  return readDerExact(value, what);
}

function parseBasicConstraints(e: Extension | undefined): Certificate['basicConstraints'] {
  if (!e) return undefined;
  const parts = sequence(readDerValue(e.value, 'basicConstraints'), 'basicConstraints');
  let isCA = false;
  let pathLen: number | undefined;
  for (const p of parts) {
    if (p.tag === Tag.boolean) isCA = readBoolean(p, 'cA');
    else if (p.tag === Tag.integer) pathLen = Number(readInteger(p, 'pathLenConstraint'));
  }
  return { isCA, pathLen };
}

function parseKeyUsage(e: Extension | undefined): number | undefined {
  if (!e) return undefined;
  const { bytes } = readBitString(readDerValue(e.value, 'keyUsage'), 'keyUsage');
  let usage = 0;
  for (let i = 0; i < 9; i++) {
    const byte = bytes[i >> 3] ?? 0;
    if ((byte >> (7 - (i & 7))) & 1) usage |= 1 << i;
  }
  return usage;
}

function parseExtKeyUsage(e: Extension | undefined): string[] | undefined {
  if (!e) return undefined;
  return sequence(readDerValue(e.value, 'extKeyUsage'), 'extKeyUsage').map((n) => readOid(n, 'key purpose'));
}

/** URIs of full-name distribution points (what Go's cert.CRLDistributionPoints holds). */
export function parseDistributionPointUris(value: Uint8Array, what: string): string[] {
  const uris: string[] = [];
  for (const dp of sequence(readDerValue(value, what), what)) {
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

function parseCrlDistributionPoints(e: Extension | undefined): string[] {
  return e ? parseDistributionPointUris(e.value, 'cRLDistributionPoints') : [];
}

function parseOcspServers(e: Extension | undefined): string[] {
  if (!e) return [];
  const out: string[] = [];
  for (const ad of sequence(readDerValue(e.value, 'authorityInfoAccess'), 'authorityInfoAccess')) {
    const [method, location] = sequence(ad, 'accessDescription');
    if (readOid(method, 'accessMethod') === Oid.ocspAccessMethod && location?.tag === 0x86) {
      out.push(Buffer.from(location.value).toString('latin1'));
    }
  }
  return out;
}

/** Go's `bytes.Equal(cert.RawSubject, cert.RawIssuer)`. */
export function isSelfIssued(cert: Certificate): boolean {
  return Buffer.compare(Buffer.from(cert.rawSubject), Buffer.from(cert.rawIssuer)) === 0;
}

/**
 * Verifies `cert`'s signature with `parent`'s key, with Go's `CheckSignatureFrom` constraint
 * checks first. Returns undefined when it verifies, or Go's error text.
 */
export function checkSignatureFrom(cert: Certificate, parent: Certificate): string | undefined {
  const bc = parent.basicConstraints;
  if ((parent.version === 3 && !bc) || (bc && !bc.isCA)) {
    return 'x509: invalid signature: parent certificate cannot sign this kind of certificate';
  }
  if (parent.keyUsage !== undefined && (parent.keyUsage & KeyUsage.certSign) === 0) {
    return 'x509: invalid signature: parent certificate cannot sign this kind of certificate';
  }
  return checkCertificateSignature(cert, parent.publicKey());
}

const NODE_CERTS = new WeakMap<Certificate, X509Certificate>();

/** Verifies only the signature of `cert` with `key` (Go's `cert.CheckSignature`). */
export function checkCertificateSignature(cert: Certificate, key: KeyObject): string | undefined {
  if (isSha1Signature(cert.signatureAlgorithm.oid)) {
    return `x509: cannot verify signature: insecure algorithm ${sha1Name(cert.signatureAlgorithm.oid)}`;
  }
  let ok: boolean;
  try {
    let x509 = NODE_CERTS.get(cert);
    if (!x509) {
      x509 = new X509Certificate(Buffer.from(cert.der));
      NODE_CERTS.set(cert, x509);
    }
    ok = x509.verify(key);
  } catch {
    ok = false;
  }
  if (ok) return undefined;
  return key.asymmetricKeyType === 'ec'
    ? 'x509: ECDSA verification failure'
    : 'crypto/rsa: verification error';
}

const SHA1_ALGS: Record<string, string> = {
  '1.2.840.113549.1.1.5': 'SHA1-RSA',
  '1.2.840.10045.4.1': 'ECDSA-SHA1',
  '1.2.840.10040.4.3': 'DSA-SHA1',
};

function isSha1Signature(oid: string): boolean {
  return oid in SHA1_ALGS;
}

function sha1Name(oid: string): string {
  return SHA1_ALGS[oid] ?? oid;
}

/** Splits PEM text into DER blocks of type CERTIFICATE (Go's pem.Decode loop semantics). */
export function pemCertificateBlocks(text: string): {
  blocks: Uint8Array[];
  sawPem: boolean;
  badBlock: boolean;
} {
  const re = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;
  const blocks: Uint8Array[] = [];
  let sawPem = false;
  let badBlock = false;
  for (const m of text.matchAll(re)) {
    sawPem = true;
    const body = (m[2] ?? '').replace(/^[A-Za-z-]+:.*$/gm, '').replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) {
      badBlock = true;
      continue;
    }
    if (m[1] !== 'CERTIFICATE') {
      badBlock = true;
      continue;
    }
    blocks.push(new Uint8Array(Buffer.from(body, 'base64')));
  }
  return { blocks, sawPem, badBlock };
}

/** Splits concatenated DER certificates (Go's x509.ParseCertificates). */
export function splitDerCertificates(data: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let p = 0;
  while (p < data.length) {
    let node: DerNode;
    try {
      node = readDerExact(data.subarray(p, p + derLength(data, p)), 'certificate');
    } catch (e) {
      throw new CertificateParseError('x509: malformed certificate', { cause: e });
    }
    out.push(node.bytes);
    p += node.bytes.length;
  }
  return out;
}

function derLength(data: Uint8Array, p: number): number {
  const l0 = data[p + 1];
  if (l0 === undefined) return data.length - p;
  if (l0 < 0x80) return 2 + l0;
  const n = l0 & 0x7f;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + (data[p + 2 + i] ?? 0);
  return Math.min(2 + n + len, data.length - p);
}
