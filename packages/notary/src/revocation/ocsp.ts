import { createHash } from 'node:crypto';
import {
  Tag,
  children,
  encodeInteger,
  encodeOid,
  encodeSequence,
  encodeTlv,
  readAlgorithm,
  readBitString,
  readDerExact,
  readEnumerated,
  readOctetString,
  readOid,
  readTime,
  readInteger,
  sequence,
  type DerNode,
} from '../x509/der.js';
import {
  type Certificate,
  checkSignatureFrom,
  OID,
  parseCertificate,
  readExtension,
} from '../x509/certificate.js';
import { checkSignature } from './signature.js';
import type { CertRevocationResult, RevocationOptions, ServerResult } from './types.js';

export const DEFAULT_MAX_OCSP_BYTES = 20 * 1024;
const SHA1 = '1.3.14.3.2.26';
const OCSP_BASIC = '1.3.6.1.5.5.7.48.1.1';
const INVALIDITY_DATE = '2.5.29.24';

const RESPONSE_STATUS: Record<number, string> = {
  1: 'malformed',
  2: 'internal error',
  3: 'try later',
  5: 'signature required',
  6: 'unauthorized',
};

/** The OCSP responder answered with a definite status we must report as-is. */
export class OcspStatusError extends Error {
  constructor(readonly status: 'revoked' | 'unknown') {
    super(
      status === 'revoked' ? 'certificate is revoked via OCSP' : 'certificate has unknown status via OCSP',
    );
    this.name = 'OcspStatusError';
  }
}

function issuerKeyHash(issuer: Certificate): Buffer {
  const [, key] = sequence(readDerExact(issuer.spki, 'subjectPublicKeyInfo'), 'subjectPublicKeyInfo');
  return createHash('sha1').update(readBitString(key, 'subjectPublicKey').bytes).digest();
}

/** A DER OCSPRequest for one certificate, with a SHA-1 CertID (what notation sends). */
export function buildOcspRequest(cert: Certificate, issuer: Certificate): Uint8Array {
  const certId = encodeSequence(
    encodeSequence(encodeOid(SHA1), Uint8Array.of(0x05, 0x00)),
    encodeTlv(Tag.octetString, createHash('sha1').update(issuer.rawSubject).digest()),
    encodeTlv(Tag.octetString, issuerKeyHash(issuer)),
    encodeInteger(cert.serialNumber),
  );
  return encodeSequence(encodeSequence(encodeSequence(encodeSequence(certId))));
}

/** The GET URL for a request (Go: `url.JoinPath(server, url.QueryEscape(base64(req)))`). */
export function ocspGetUrl(server: string, request: Uint8Array): string {
  const encoded = encodeURIComponent(Buffer.from(request).toString('base64'));
  return `${server.replace(/\/+$/, '')}/${encoded}`;
}

export interface OcspResponse {
  status: 'good' | 'revoked' | 'unknown';
  thisUpdate: Date;
  nextUpdate: Date | undefined;
  revokedAt: Date | undefined;
  invalidityDate: Date | undefined;
  responder: Certificate | undefined;
}

/**
 * x/crypto/ocsp `ParseResponseForCert`: a successful basic response holding a SingleResponse for
 * `cert`, signed by `issuer` or by a responder certificate `issuer` issued. One addition to Go:
 * a delegated responder must carry the id-kp-OCSPSigning EKU (RFC 6960 §4.2.2.2).
 */
export function parseOcspResponse(der: Uint8Array, cert: Certificate, issuer: Certificate): OcspResponse {
  const top = sequence(readDerExact(der, 'OCSPResponse'), 'OCSPResponse');
  const status = readEnumerated(top[0], 'responseStatus');
  if (status !== 0)
    throw new Error(
      `ocsp: error from server: ${RESPONSE_STATUS[status] ?? `unknown OCSP status: ${status}`}`,
    );
  const bytesNode = top[1];
  if (bytesNode?.tag !== 0xa0) throw new Error('ocsp: no response bytes');
  const [responseType, response] = sequence(children(bytesNode)[0], 'responseBytes');
  if (readOid(responseType, 'responseType') !== OCSP_BASIC) throw new Error('bad OCSP response type');
  const basic = sequence(
    readDerExact(readOctetString(response, 'response'), 'BasicOCSPResponse'),
    'BasicOCSPResponse',
  );
  const [tbsNode, algNode, sigNode, certsNode] = basic;
  const signatureAlgorithm = readAlgorithm(algNode, 'signatureAlgorithm');
  const signature = readBitString(sigNode, 'signature').bytes;
  const data = sequence(tbsNode, 'ResponseData');
  let i = 0;
  if (data[i]?.tag === 0xa0) i++; // version
  i++; // responderID
  i++; // producedAt
  const single = sequence(data[i], 'responses')
    .map((r) => sequence(r, 'SingleResponse'))
    .find((r) => readInteger(sequence(r[0], 'CertID')[3], 'serialNumber') === cert.serialNumber);
  if (!single) throw new Error('no response matching the supplied certificate');

  let responder: Certificate | undefined;
  const tbs = (tbsNode as DerNode).bytes;
  if (certsNode?.tag === 0xa0) {
    const first = sequence(children(certsNode)[0], 'certs')[0];
    if (first) responder = parseCertificate(first.bytes);
  }
  if (responder) {
    const embedded = checkSignature(signatureAlgorithm, responder.publicKey, tbs, signature);
    if (embedded !== undefined) throw new Error(`bad signature on embedded certificate: ${embedded}`);
    const isIssuer = Buffer.compare(Buffer.from(responder.der), Buffer.from(issuer.der)) === 0;
    if (!isIssuer) {
      const issued = checkSignatureFrom(responder, issuer);
      if (issued !== undefined) throw new Error(`bad OCSP signature: ${issued}`);
      if (!responder.extKeyUsage.includes(OID.ekuOcspSigning)) {
        throw new Error('bad OCSP signature: the responder certificate is not authorized for OCSP signing');
      }
    }
  } else {
    const err = checkSignature(signatureAlgorithm, issuer.publicKey, tbs, signature);
    if (err !== undefined) throw new Error(`bad OCSP signature: ${err}`);
  }

  const certStatus = single[1] as DerNode;
  let statusKind: OcspResponse['status'];
  let revokedAt: Date | undefined;
  if (certStatus.tag === 0x80) statusKind = 'good';
  else if (certStatus.tag === 0xa1) {
    statusKind = 'revoked';
    revokedAt = readTime(children(certStatus)[0], 'revocationTime');
  } else if (certStatus.tag === 0x82) statusKind = 'unknown';
  else throw new Error('ocsp: invalid certificate status');
  const thisUpdate = readTime(single[2], 'thisUpdate');
  let nextUpdate: Date | undefined;
  let invalidityDate: Date | undefined;
  for (const field of single.slice(3)) {
    if (field.tag === 0xa0) nextUpdate = readTime(children(field)[0], 'nextUpdate');
    if (field.tag === 0xa1) {
      for (const ext of sequence(children(field)[0], 'singleExtensions').map(readExtension)) {
        if (ext.oid === INVALIDITY_DATE) {
          invalidityDate = readTime(readDerExact(ext.value, 'invalidityDate'), 'invalidityDate');
        }
      }
    }
  }
  return { status: statusKind, thisUpdate, nextUpdate, revokedAt, invalidityDate, responder };
}

export function ocspSupported(cert: Certificate): boolean {
  return cert.ocspServers.length > 0;
}

async function checkServer(
  cert: Certificate,
  issuer: Certificate,
  server: string,
  opts: RevocationOptions,
): Promise<ServerResult> {
  const result = (kind: ServerResult['result'], error?: string): ServerResult => ({
    result: kind,
    server,
    error,
    method: 'OCSP',
  });
  let scheme: string;
  try {
    scheme = new URL(server).protocol.replace(/:$/, '');
  } catch {
    scheme = '';
  }
  if (scheme.toLowerCase() !== 'http') {
    return result(
      'unknown',
      `error checking revocation status via OCSP: OCSPServer protocol ${scheme} is not supported`,
    );
  }
  let body: Uint8Array;
  try {
    body = await opts.fetch(ocspGetUrl(server, buildOcspRequest(cert, issuer)));
  } catch (e) {
    return result('unknown', `error checking revocation status via OCSP: ${(e as Error).message}`);
  }
  const max = opts.maxOcspBytes ?? DEFAULT_MAX_OCSP_BYTES;
  if (body.length > max)
    return result('unknown', `error checking revocation status via OCSP: response larger than ${max} bytes`);
  let resp: OcspResponse;
  try {
    resp = parseOcspResponse(body, cert, issuer);
  } catch (e) {
    return result('unknown', (e as Error).message);
  }
  if (!resp.nextUpdate || opts.now.getTime() > resp.nextUpdate.getTime()) {
    return result('unknown', 'error checking revocation status via OCSP: expired OCSP response');
  }
  if (
    resp.status === 'revoked' &&
    resp.invalidityDate &&
    opts.signingTime &&
    opts.signingTime < resp.invalidityDate
  ) {
    return result('ok');
  }
  if (resp.status === 'good') return result('ok');
  const err = new OcspStatusError(resp.status);
  return result(resp.status === 'revoked' ? 'revoked' : 'unknown', err.message);
}

/**
 * notation-core-go's OCSP `CertCheckStatus`: ask each responder in turn; the first definite
 * answer (good, revoked, or an explicit unknown status) decides; otherwise every server's error
 * is kept and the result is unknown.
 */
export async function checkOcspStatus(
  cert: Certificate,
  issuer: Certificate,
  opts: RevocationOptions,
): Promise<CertRevocationResult> {
  if (!ocspSupported(cert)) {
    return {
      result: 'nonRevokable',
      method: 'OCSP',
      serverResults: [{ result: 'nonRevokable', server: '', error: undefined, method: 'OCSP' }],
    };
  }
  const results: ServerResult[] = [];
  for (const server of cert.ocspServers) {
    const r = await checkServer(cert, issuer, server, opts);
    if (
      r.result === 'ok' ||
      r.result === 'revoked' ||
      r.error === 'certificate has unknown status via OCSP'
    ) {
      return { result: r.result, method: 'OCSP', serverResults: [r] };
    }
    results.push(r);
  }
  return { result: results[results.length - 1]?.result ?? 'unknown', method: 'OCSP', serverResults: results };
}
