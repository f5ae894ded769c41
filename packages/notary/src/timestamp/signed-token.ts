import { createHash, verify as verifySignature, type KeyObject } from 'node:crypto';
import {
  Asn1Error,
  Tag,
  children,
  readInteger,
  readOctetString,
  readOid,
  readTime,
  sequence,
  type DerNode,
} from '../x509/der.js';
import { goQuote } from '../trust-store/go-format.js';
import { type Certificate, OID, parseCertificate, timestampingEkuProblem } from '../x509/certificate.js';
import { HASH_OIDS, SIGNATURE_OIDS, verificationError, type HashName } from '../x509/signature-algorithms.js';
import { buildChain, ChainBuildError } from './chain-builder.js';
import {
  CmsError,
  CmsOid,
  attributeValue,
  parseSignedData,
  type SignedData,
  type SignerInfo,
} from './signed-data.js';

/** Why the token's signature does not verify; `message` is tspclient-go's text. */
export class SignedTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignedTokenError';
  }
}

/** tspclient-go's `ParseSignedToken`: CMS SignedData whose content is a TSTInfo. */
export function parseSignedToken(token: Uint8Array): SignedData {
  const signed = parseSignedData(token);
  if (signed.contentType !== CmsOid.tstInfo) {
    throw new CmsError(
      `unexpected content type: ${signed.contentType}. Expected to be id-ct-TSTInfo (${CmsOid.tstInfo})`,
    );
  }
  return signed;
}

const verification = (msg: string): SignedTokenError =>
  new SignedTokenError(`cms verification failure: ${msg}`);

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

/** The certificate a signer's SigningCertificateV2 attribute names (RFC 5816), hash-checked. */
export function signingCertificate(signed: SignedData, si: SignerInfo): Certificate {
  let attr: DerNode;
  let certIds: DerNode[];
  try {
    attr = attributeValue(si.signedAttributes, CmsOid.signingCertificateV2);
  } catch (e) {
    throw new SignedTokenError(
      `failed to get SigningCertificateV2 from signed attributes: ${(e as Error).message}`,
    );
  }
  try {
    const [certs] = sequence(attr, 'SigningCertificateV2');
    certIds = sequence(certs, 'SigningCertificateV2.certs');
  } catch (e) {
    throw new SignedTokenError(
      `failed to get SigningCertificateV2 from signed attributes: asn1: syntax error: ${(e as Error).message}`,
    );
  }
  const first = certIds[0];
  if (!first) throw new SignedTokenError('signingCertificateV2 does not contain any certificate');
  let hash = 'sha256';
  let certHash: Uint8Array;
  let issuerSerial: { issuer: Uint8Array | undefined; serial: bigint } | undefined;
  try {
    const parts = sequence(first, 'ESSCertIDv2');
    let i = 0;
    if (parts[i]?.tag === Tag.sequence) {
      const oid = readOid(sequence(parts[i++], 'hashAlgorithm')[0], 'hashAlgorithm');
      const h = HASH_OIDS[oid];
      if (!h)
        throw new SignedTokenError(
          'unsupported certificate hash algorithm in SigningCertificateV2 attribute',
        );
      hash = h;
    }
    certHash = readOctetString(parts[i++], 'certHash');
    if (parts[i]) {
      const [names, serial] = sequence(parts[i], 'IssuerSerial');
      const directory = sequence(names, 'IssuerSerial.issuer').find((gn) => gn.tag === 0xa4);
      issuerSerial = {
        issuer: directory ? children(directory)[0]?.bytes : undefined,
        serial: readInteger(serial, 'IssuerSerial.serialNumber'),
      };
    }
  } catch (e) {
    if (e instanceof SignedTokenError) throw e;
    throw new SignedTokenError(
      `failed to get SigningCertificateV2 from signed attributes: asn1: syntax error: ${(e as Error).message}`,
    );
  }
  let candidate: Certificate | undefined;
  if (issuerSerial) {
    const issuer = issuerSerial.issuer;
    if (!issuer) throw new SignedTokenError('issuer name is missing in IssuerSerial');
    candidate = signed.certificates.find(
      (c) => same(c.rawIssuer, issuer) && c.serialNumber === issuerSerial.serial,
    );
  } else if (si.sid) {
    const sid = si.sid;
    candidate = signed.certificates.find(
      (c) => same(c.rawIssuer, sid.issuer) && c.serialNumber === sid.serialNumber,
    );
  }
  if (!candidate) throw new SignedTokenError('signing certificate not found in the timestamp token');
  if (!same(createHash(hash).update(candidate.der).digest(), certHash)) {
    throw new SignedTokenError('signing certificate hash does not match CertHash in signed attribute');
  }
  return candidate;
}

const RSA_ENCRYPTION = '1.2.840.113549.1.1.1';
const EC_PUBLIC_KEY = '1.2.840.10045.2.1';
/** tspclient's `oid.ToSignatureAlgorithm(digestAlgorithm, signatureAlgorithm)`. */
function signatureAlgorithm(si: SignerInfo): { hash: HashName; kind: 'rsa' | 'ec' } | undefined {
  const direct = SIGNATURE_OIDS[si.signatureAlgorithm.oid];
  if (direct) return direct.hash === HASH_OIDS[si.digestAlgorithm] ? direct : undefined;
  const hash = HASH_OIDS[si.digestAlgorithm];
  if (!hash) return undefined;
  if (si.signatureAlgorithm.oid === RSA_ENCRYPTION) return { hash, kind: 'rsa' };
  if (si.signatureAlgorithm.oid === EC_PUBLIC_KEY) return { hash, kind: 'ec' };
  return undefined;
}

function checkSignerSignature(signed: SignedData, si: SignerInfo, key: KeyObject): void {
  const alg = signatureAlgorithm(si);
  if (!alg) throw verification('unknown signature algorithm');
  const data = si.signedAttributesDer ?? signed.content;
  const err = verificationError(key, () => verifySignature(alg.hash, data, key, si.signature));
  if (err !== undefined) throw verification(err);
}

/**
 * tspclient-go's `verifySignedAttributes`: signed attributes present, content type attribute equal
 * to the (TSTInfo) content type, message digest of the content, and a signing time, when present,
 * inside the validity of every certificate of `chain`. Throws SignedTokenError.
 */
export function checkSignedAttributes(
  signed: SignedData,
  si: SignerInfo,
  chain: readonly Certificate[],
): void {
  if (si.signedAttributes.length === 0) throw verification('missing signed attributes');
  if (signed.contentType !== CmsOid.tstInfo) {
    throw new SignedTokenError(
      `unexpected content type: ${signed.contentType}. Expected to be id-ct-TSTInfo (${CmsOid.tstInfo})`,
    );
  }
  let contentType: string;
  try {
    contentType = readOid(attributeValue(si.signedAttributes, CmsOid.contentType), 'content type');
  } catch (e) {
    throw verification(`invalid content type: ${(e as Error).message}`);
  }
  if (contentType !== signed.contentType) {
    throw verification(
      `mismatch content type: found ${goQuote(contentType)} in signer info, and ${goQuote(signed.contentType)} in signed data`,
    );
  }
  let expected: Uint8Array;
  try {
    expected = readOctetString(attributeValue(si.signedAttributes, CmsOid.messageDigest), 'message digest');
  } catch (e) {
    throw verification(`invalid message digest: ${(e as Error).message}`);
  }
  const hash = HASH_OIDS[si.digestAlgorithm];
  if (!hash) throw verification('unsupported digest algorithm');
  if (!same(createHash(hash).update(signed.content).digest(), expected))
    throw verification('mismatch message digest');
  const st = si.signedAttributes.find((a) => a.oid === CmsOid.signingTime);
  if (st) {
    let signingTime: Date;
    try {
      signingTime = readTime(attributeValue(si.signedAttributes, CmsOid.signingTime), 'signing time');
    } catch (e) {
      throw verification(`invalid signing time: ${(e as Error).message}`);
    }
    if (chain.some((c) => signingTime < c.notBefore || signingTime > c.notAfter)) {
      throw verification(
        `signing time, ${signingTime.toISOString()}, is outside certificate's validity period`,
      );
    }
  }
}

function checkTimestampingEku(cert: Certificate): string | undefined {
  switch (timestampingEkuProblem(cert)) {
    case 'not-only-timestamping':
      return 'signing certificate must have and only have ExtKeyUsageTimeStamping as extended key usage';
    case 'not-critical':
      return 'signing certificate extended key usage extension must be set as critical';
    default:
      return undefined;
  }
}

/**
 * tspclient-go's `SignedToken.Verify`: for each signer (until one succeeds) find its certificate
 * through SigningCertificateV2, build a chain to one of `roots` valid at `at` (the timestamp),
 * verify the signature and signed attributes, and require a critical timestamping-only EKU.
 * Returns the TSA chain, leaf first. Throws SignedTokenError (`failed to verify signed token: …`).
 */
export function verifySignedToken(
  signed: SignedData,
  roots: readonly Certificate[],
  at: Date,
): Certificate[] {
  if (signed.signerInfos.length === 0)
    throw new SignedTokenError('failed to verify signed token: signerInfo not found');
  if (roots.length === 0)
    throw new SignedTokenError('failed to verify signed token: tsa root certificate pool cannot be nil');
  let last = 'failed to verify signed token: signerInfo not found';
  for (const si of signed.signerInfos) {
    try {
      const cert = signingCertificate(signed, si);
      const sid = si.sid;
      if (
        sid !== undefined &&
        !(same(cert.rawIssuer, sid.issuer) && cert.serialNumber === sid.serialNumber)
      ) {
        // Stricter than tspclient-go's token verification, as CMS (RFC 5652 5.3) requires: the
        // unsigned signer identifier must name the certificate SigningCertificateV2 names.
        throw verification(
          'the signer identifier (issuer and serial number) does not name the signing certificate of SigningCertificateV2',
        );
      }
      if (si.version !== 1)
        throw verification(`invalid signer info version: only version 1 is supported; got ${si.version}`);
      let chain: Certificate[];
      try {
        chain = buildChain(cert, {
          roots,
          intermediates: signed.certificates,
          at,
          keyUsage: OID.ekuTimeStamping,
        });
      } catch (e) {
        if (e instanceof ChainBuildError) throw verification(e.message);
        throw e;
      }
      checkSignerSignature(signed, si, cert.publicKey);
      checkSignedAttributes(signed, si, chain);
      const ekuProblem = checkTimestampingEku(cert);
      if (ekuProblem === undefined) return chain;
      last = `failed to verify signed token: ${ekuProblem}`;
    } catch (e) {
      if (!(e instanceof SignedTokenError || e instanceof Asn1Error)) throw e;
      last = `failed to verify signed token: ${e.message}`;
    }
  }
  throw new SignedTokenError(last);
}

/** Parses DER or PEM-free certificate bytes given as TSA roots. */
export function toCertificates(items: ReadonlyArray<Uint8Array | Certificate>): Certificate[] {
  return items.map((c) => (c instanceof Uint8Array ? parseCertificate(c) : c));
}
