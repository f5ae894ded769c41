import {
  Tag,
  children,
  readBitString,
  readDerExact,
  readEnumerated,
  readAlgorithm,
  readInteger,
  readTime,
  sequence,
  type DerNode,
} from '../x509/der.js';
import {
  type Certificate,
  type Extension,
  issuerConstraintError,
  KEY_USAGE,
  parseDistributionPointUris,
  readExtension,
} from '../x509/certificate.js';
import { formatGoUtc } from '../x509/time-format.js';
import { checkSignature } from './signature.js';
import type { CertRevocationResult, RevocationOptions, ServerResult } from './types.js';

export const CrlOid = {
  crlReason: '2.5.29.21',
  invalidityDate: '2.5.29.24',
  issuingDistributionPoint: '2.5.29.28',
  freshestCrl: '2.5.29.46',
  deltaCrlIndicator: '2.5.29.27',
  crlNumber: '2.5.29.20',
} as const;

const REASON_CERTIFICATE_HOLD = 6;
const REASON_REMOVE_FROM_CRL = 8;

export const DEFAULT_MAX_CRL_BYTES = 32 * 1024 * 1024;

export interface CrlEntry {
  serialNumber: bigint;
  revocationTime: Date;
  reasonCode: number | undefined;
  invalidityDate: Date | undefined;
  /** An unsupported critical entry extension, if any (the entry then cannot be used). */
  unsupportedCritical: string | undefined;
}

export interface Crl {
  tbs: Uint8Array;
  signatureAlgorithm: { oid: string; parameters: Uint8Array | undefined };
  signature: Uint8Array;
  rawIssuer: Uint8Array;
  thisUpdate: Date;
  nextUpdate: Date | undefined;
  entries: CrlEntry[];
  extensions: Extension[];
}

function extensionsOf(node: DerNode | undefined): Extension[] {
  return node === undefined ? [] : sequence(node, 'extensions').map(readExtension);
}

/** Parses a DER CertificateList (Go's `x509.ParseRevocationList`). Throws with the reason. */
export function parseCrl(der: Uint8Array): Crl {
  const [tbsNode, sigAlg, sig] = sequence(readDerExact(der, 'CRL'), 'CertificateList');
  const items = sequence(tbsNode, 'tbsCertList');
  let i = 0;
  if (items[i]?.tag === Tag.integer) i++; // version
  i++; // inner signature
  const issuer = items[i++];
  if (!issuer) throw new Error('CRL issuer is missing');
  const thisUpdate = readTime(items[i++], 'thisUpdate');
  let nextUpdate: Date | undefined;
  if (items[i]?.tag === Tag.utcTime || items[i]?.tag === Tag.generalizedTime)
    nextUpdate = readTime(items[i++], 'nextUpdate');
  const entries: CrlEntry[] = [];
  if (items[i]?.tag === Tag.sequence) {
    for (const e of children(items[i++] as DerNode)) {
      const parts = sequence(e, 'revokedCertificate');
      const exts = extensionsOf(parts[2]);
      let reasonCode: number | undefined;
      let invalidityDate: Date | undefined;
      let unsupportedCritical: string | undefined;
      for (const ext of exts) {
        if (ext.oid === CrlOid.crlReason)
          reasonCode = readEnumerated(readDerExact(ext.value, 'reasonCode'), 'reasonCode');
        else if (ext.oid === CrlOid.invalidityDate)
          invalidityDate = readTime(readDerExact(ext.value, 'invalidityDate'), 'invalidityDate');
        else if (ext.critical) unsupportedCritical ??= ext.oid;
      }
      entries.push({
        serialNumber: readInteger(parts[0], 'userCertificate'),
        revocationTime: readTime(parts[1], 'revocationDate'),
        reasonCode,
        invalidityDate,
        unsupportedCritical,
      });
    }
  }
  let extensions: Crl['extensions'] = [];
  if (items[i]?.tag === 0xa0) extensions = extensionsOf(children(items[i] as DerNode)[0]);
  return {
    tbs: (tbsNode as DerNode).bytes,
    signatureAlgorithm: readAlgorithm(sigAlg, 'signatureAlgorithm'),
    signature: readBitString(sig, 'signature').bytes,
    rawIssuer: issuer.bytes,
    thisUpdate,
    nextUpdate,
    entries,
    extensions,
  };
}

/**
 * notation-core-go's CRL `validate`: signed by the issuer, not expired, no unknown critical
 * extension. A delta CRL must carry the (critical) Delta CRL Indicator; a base CRL must not.
 */
export function validateCrl(
  crl: Crl,
  issuer: Certificate,
  now: Date,
  kind: 'base' | 'delta' = 'base',
): string | undefined {
  const sigErr =
    issuerConstraintError(issuer, KEY_USAGE.cRLSign) ??
    checkSignature(crl.signatureAlgorithm, issuer.publicKey, crl.tbs, crl.signature);
  if (sigErr !== undefined) return `CRL is not signed by CA ${issuer.subject}: ${sigErr},`;
  if (!crl.nextUpdate) return 'CRL NextUpdate is not set';
  if (now.getTime() > crl.nextUpdate.getTime()) {
    return `expired CRL. Current time ${formatGoUtc(now)} is after CRL NextUpdate ${formatGoUtc(crl.nextUpdate)}`;
  }
  const isDelta = crl.extensions.some((e) => e.oid === CrlOid.deltaCrlIndicator);
  if (kind === 'delta' && !isDelta) return 'delta CRL is missing the Delta CRL Indicator extension';
  if (kind === 'base' && isDelta) return 'the CRL is a delta CRL where a base CRL was expected';
  for (const ext of crl.extensions) {
    if (ext.oid === CrlOid.issuingDistributionPoint || ext.oid === CrlOid.deltaCrlIndicator) continue;
    if (ext.critical) return `unsupported critical extension found in CRL: ${ext.oid}`;
  }
  return undefined;
}

/** Whether the certificate names a CRL distribution point. */
export function crlSupported(cert: Certificate): boolean {
  return cert.crlDistributionPoints.length > 0;
}

function isHttp(url: string): boolean {
  try {
    return new URL(url).protocol === 'http:';
  } catch {
    return false;
  }
}

async function download(url: string, opts: RevocationOptions): Promise<Crl> {
  if (!isHttp(url))
    throw new Error(`unsupported CRL endpoint: ${url}. Only urls with HTTP scheme is supported`);
  const body = await opts.fetch(url);
  const max = opts.maxCrlBytes ?? DEFAULT_MAX_CRL_BYTES;
  if (body.length >= max)
    throw new Error(`GET "${url}": CRL size reached the ${Math.floor(max / 1024 / 1024)} MiB size limit`);
  try {
    return parseCrl(body);
  } catch (e) {
    throw new Error(`x509: malformed crl (${(e as Error).message})`, { cause: e });
  }
}

/** The delta CRL URLs a base CRL (or the certificate) names in its Freshest CRL extension. */
function freshestCrlUrls(extensions: ReadonlyArray<{ oid: string; value: Uint8Array }>): string[] {
  const ext = extensions.find((e) => e.oid === CrlOid.freshestCrl);
  return ext ? parseDistributionPointUris(ext.value, 'freshestCRL') : [];
}

function deltaCrlUrl(base: Crl, cert: Certificate): string | undefined {
  const urls = freshestCrlUrls(base.extensions);
  const candidates = urls.length > 0 ? urls : freshestCrlUrls(cert.extensions);
  if (candidates.length > 1) throw new Error('multiple Freshest CRL distribution points are not supported');
  const [url] = candidates;
  if (url !== undefined && !isHttp(url))
    throw new Error(`unsupported CRL endpoint: ${url}. Only urls with HTTP scheme is supported`);
  return url;
}

/**
 * notation-core-go's CRL `CertCheckStatus`: download every distribution point's CRL (and its
 * delta CRL when one is announced), validate it against the issuer, and look the serial up.
 * certificateHold / removeFromCRL follow the most recent entry; an invalidity date after the
 * authentic signing time does not count.
 */
export async function checkCrlStatus(
  cert: Certificate,
  issuer: Certificate,
  opts: RevocationOptions,
): Promise<CertRevocationResult> {
  if (!crlSupported(cert)) {
    return {
      result: 'nonRevokable',
      method: 'CRL',
      serverResults: [{ result: 'nonRevokable', server: '', error: 'CRL is not supported', method: 'CRL' }],
    };
  }
  const serverResults: ServerResult[] = [];
  for (const url of cert.crlDistributionPoints) {
    const unknown = (error: string): CertRevocationResult => ({
      result: 'unknown',
      method: 'CRL',
      serverResults: [{ result: 'unknown', server: url, error, method: 'CRL' }],
    });
    let base: Crl;
    let delta: Crl | undefined;
    try {
      base = await download(url, opts);
      const deltaUrl = deltaCrlUrl(base, cert);
      if (deltaUrl !== undefined) delta = await download(deltaUrl, opts);
    } catch (e) {
      return unknown(`failed to download CRL from ${url}: ${(e as Error).message}`);
    }
    const baseErr = validateCrl(base, issuer, opts.now);
    if (baseErr !== undefined) return unknown(`failed to validate CRL from ${url}: ${baseErr}`);
    if (delta) {
      const deltaErr = validateCrl(delta, issuer, opts.now, 'delta');
      if (deltaErr !== undefined) return unknown(`failed to validate delta CRL from ${url}: ${deltaErr}`);
    }
    const { status, error } = lookUp(cert, [base, ...(delta ? [delta] : [])], opts.signingTime);
    if (error !== undefined) return unknown(`failed to check revocation status from ${url}: ${error}`);
    const result: ServerResult = {
      result: status,
      server: url,
      error: undefined,
      method: 'CRL',
    };
    if (status === 'revoked') return { result: 'revoked', method: 'CRL', serverResults: [result] };
    serverResults.push(result);
  }
  return { result: 'ok', method: 'CRL', serverResults };
}

function lookUp(
  cert: Certificate,
  crls: Crl[],
  signingTime: Date | undefined,
): { status: 'ok' | 'revoked'; error?: undefined } | { status?: undefined; error: string } {
  let latestTemporary: CrlEntry | undefined;
  for (const crl of crls) {
    for (const entry of crl.entries) {
      if (entry.serialNumber !== cert.serialNumber) continue;
      if (entry.unsupportedCritical !== undefined) {
        return { error: `unsupported critical extension found in CRL: ${entry.unsupportedCritical}` };
      }
      if (signingTime && entry.invalidityDate && signingTime.getTime() < entry.invalidityDate.getTime())
        break;
      if (entry.reasonCode === REASON_CERTIFICATE_HOLD || entry.reasonCode === REASON_REMOVE_FROM_CRL) {
        if (!latestTemporary || latestTemporary.revocationTime.getTime() < entry.revocationTime.getTime())
          latestTemporary = entry;
        continue;
      }
      return { status: 'revoked' };
    }
  }
  return { status: latestTemporary?.reasonCode === REASON_CERTIFICATE_HOLD ? 'revoked' : 'ok' };
}
