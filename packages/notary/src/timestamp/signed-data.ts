import {
  Asn1Error,
  Tag,
  children,
  readAlgorithm,
  readDerExact,
  readInteger,
  readOctetString,
  readOid,
  sequence,
  type DerNode,
} from '../x509/der.js';
import { type Certificate, parseCertificate } from '../x509/certificate.js';
import { berToDer } from './ber.js';

export const CmsOid = {
  signedData: '1.2.840.113549.1.7.2',
  data: '1.2.840.113549.1.7.1',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
} as const;

/** A CMS error; `message` is tspclient-go's text (`cms: syntax error: …`). */
export class CmsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CmsError';
  }
}

export interface Attribute {
  oid: string;
  values: DerNode[];
}

export interface SignerInfo {
  version: number;
  /** IssuerAndSerialNumber (the only identifier tspclient supports). */
  sid: { issuer: Uint8Array; serialNumber: bigint } | undefined;
  digestAlgorithm: string;
  /** Signed attributes, and their DER re-tagged as SET OF (what the signature covers). */
  signedAttributes: Attribute[];
  signedAttributesDer: Uint8Array | undefined;
  signatureAlgorithm: { oid: string; parameters: Uint8Array | undefined };
  signature: Uint8Array;
}

export interface SignedData {
  contentType: string;
  content: Uint8Array;
  certificates: Certificate[];
  signerInfos: SignerInfo[];
}

function syntaxError(message: string, detail?: unknown): CmsError {
  const d = detail instanceof Error ? `: ${detail.message}` : '';
  return new CmsError(
    `cms: syntax error: ${message}${d}`,
    detail === undefined ? undefined : { cause: detail },
  );
}

/** tspclient-go's `cms.ParseSignedData`: BER in, SignedData version 3 out. */
export function parseSignedData(ber: Uint8Array): SignedData {
  let der: Uint8Array;
  try {
    der = berToDer(ber);
  } catch (e) {
    throw syntaxError('invalid signed data: failed to convert from BER to DER', e);
  }
  let contentInfo: DerNode[];
  try {
    contentInfo = sequence(readDerExact(der, 'ContentInfo'), 'ContentInfo');
  } catch (e) {
    throw syntaxError('invalid content info: failed to unmarshal DER to ContentInfo', e);
  }
  let signedNode: DerNode | undefined;
  try {
    if (readOid(contentInfo[0], 'contentType') !== CmsOid.signedData)
      throw new CmsError('cms: content type is not signed-data');
    const explicit = contentInfo[1];
    if (explicit?.tag !== 0xa0) throw new Asn1Error('ContentInfo.content is missing', 0);
    [signedNode] = children(explicit);
  } catch (e) {
    if (e instanceof CmsError) throw e;
    throw syntaxError('invalid content info: failed to unmarshal DER to ContentInfo', e);
  }
  try {
    return readSignedData(signedNode);
  } catch (e) {
    if (e instanceof CmsError) throw e;
    throw syntaxError('invalid signed data', e);
  }
}

function readSignedData(node: DerNode | undefined): SignedData {
  const items = sequence(node, 'SignedData');
  let i = 0;
  const version = Number(readInteger(items[i++], 'version'));
  i++; // digestAlgorithms
  const encap = sequence(items[i++], 'encapContentInfo');
  const contentType = readOid(encap[0], 'eContentType');
  let content: Uint8Array = new Uint8Array();
  if (encap[1]) {
    if (encap[1].tag !== 0xa0)
      throw new Asn1Error('encapContentInfo.eContent: expected [0]', encap[1].offset);
    content = readOctetString(children(encap[1])[0], 'eContent');
  }
  let certNodes: DerNode[] = [];
  if (items[i]?.tag === 0xa0) certNodes = children(items[i++] as DerNode);
  if (items[i]?.tag === 0xa1) i++; // crls: not used
  const signerInfosNode = items[i];
  if (signerInfosNode?.tag !== Tag.set) throw new Asn1Error('signerInfos is missing', node?.offset ?? 0);
  if (version !== 3)
    throw new CmsError(`cms: syntax error: unsupported signed data version: got ${version}, want 3`);
  let certificates: Certificate[];
  try {
    certificates = certNodes.map((c) => {
      if (c.tag !== Tag.sequence) throw new Error('x509: malformed certificate');
      return parseCertificate(c.bytes);
    });
  } catch (e) {
    throw syntaxError(
      'failed to parse X.509 certificates from signed data. Only X.509 certificates are supported',
      e,
    );
  }
  return { contentType, content, certificates, signerInfos: children(signerInfosNode).map(readSignerInfo) };
}

function readSignerInfo(node: DerNode): SignerInfo {
  const items = sequence(node, 'SignerInfo');
  let i = 0;
  const version = Number(readInteger(items[i++], 'SignerInfo version'));
  const sidNode = items[i++];
  let sid: SignerInfo['sid'];
  if (sidNode?.tag === Tag.sequence) {
    const [issuer, serial] = children(sidNode);
    if (!issuer) throw new Asn1Error('IssuerAndSerialNumber.issuer is missing', sidNode.offset);
    sid = { issuer: issuer.bytes, serialNumber: readInteger(serial, 'IssuerAndSerialNumber.serialNumber') };
  }
  const digestAlgorithm = readAlgorithm(items[i++], 'digestAlgorithm').oid;
  let signedAttributes: Attribute[] = [];
  let signedAttributesDer: Uint8Array | undefined;
  if (items[i]?.tag === 0xa0) {
    const attrsNode = items[i++] as DerNode;
    signedAttributes = children(attrsNode).map((a) => {
      const [type, values] = sequence(a, 'Attribute');
      const oid = readOid(type, 'attribute type');
      if (values?.tag !== Tag.set) {
        throw new Asn1Error(`the values of signed attribute ${oid} must be a SET`, a.offset);
      }
      return { oid, values: children(values) };
    });
    signedAttributesDer = Uint8Array.from(attrsNode.bytes);
    signedAttributesDer[0] = Tag.set;
  }
  const signatureAlgorithm = readAlgorithm(items[i++], 'signatureAlgorithm');
  const signature = readOctetString(items[i], 'signature');
  return {
    version,
    sid,
    digestAlgorithm,
    signedAttributes,
    signedAttributesDer,
    signatureAlgorithm,
    signature,
  };
}

/** The single value of a signed attribute (tspclient's `Attributes.Get`). */
export function attributeValue(attrs: readonly Attribute[], oid: string): DerNode {
  const attr = attrs.find((a) => a.oid === oid);
  if (!attr) throw new CmsError('attribute not found');
  if (attr.values.length !== 1) throw new CmsError('attribute must have exactly one value');
  return attr.values[0] as DerNode;
}
