import { NotaryError } from '../errors.js';
import { goQuote } from '../trust-store/go-format.js';
import { type Certificate, checkSignatureFrom, parseCertificate } from '../x509/certificate.js';
import type { ValidationAction, ValidationResult } from '../types.js';
import { checkCrlStatus, crlSupported } from './crl.js';
import { checkOcspStatus, ocspSupported } from './ocsp.js';
import type { CertRevocationResult, ChainPurpose, RevocationOptions } from './types.js';

const NON_REVOKABLE: CertRevocationResult = {
  result: 'nonRevokable',
  method: 'Unknown',
  serverResults: [{ result: 'nonRevokable', server: '', error: undefined, method: 'Unknown' }],
};

/**
 * notation-core-go's `ValidateContext`: the revocation status of each certificate of a chain
 * (leaf first, root last), checked concurrently. OCSP is preferred; an unknown OCSP answer falls
 * back to the CRL (method `OCSPFallbackCRL`, OCSP server results kept first). The root is never
 * checked. Throws NotaryError('REVOCATION_UNKNOWN') when the chain itself is unusable.
 */
export async function validateRevocation(
  chain: readonly Certificate[],
  opts: RevocationOptions,
): Promise<CertRevocationResult[]> {
  if (chain.length === 0)
    throw new NotaryError(
      'REVOCATION_UNKNOWN',
      'invalid chain: expected chain to be correct and complete: chain does not contain any certificates',
    );
  for (let i = 0; i + 1 < chain.length; i++) {
    const err = checkSignatureFrom(chain[i] as Certificate, chain[i + 1] as Certificate);
    if (err !== undefined) {
      throw new NotaryError(
        'REVOCATION_UNKNOWN',
        `invalid chain: expected chain to be correct and complete: ${goQuote((chain[i] as Certificate).subject)} is not issued by ${goQuote((chain[i + 1] as Certificate).subject)}: ${err}`,
      );
    }
  }
  const checks = chain.slice(0, -1).map(async (cert, i): Promise<CertRevocationResult> => {
    const issuer = chain[i + 1] as Certificate;
    if (ocspSupported(cert)) {
      const ocsp = await checkOcspStatus(cert, issuer, opts);
      if (ocsp.result === 'unknown' && crlSupported(cert)) {
        const crl = await checkCrlStatus(cert, issuer, opts);
        return {
          result: crl.result,
          method: 'OCSPFallbackCRL',
          serverResults: [...ocsp.serverResults, ...crl.serverResults],
        };
      }
      return ocsp;
    }
    if (crlSupported(cert)) return checkCrlStatus(cert, issuer, opts);
    return NON_REVOKABLE;
  });
  return [...(await Promise.all(checks)), NON_REVOKABLE];
}

export interface RevocationLog {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
}

export interface RevocationDecision {
  result: 'ok' | 'revoked' | 'unknown';
  /** Go-style subject of the certificate that decided a non-ok result. */
  subject: string | undefined;
  /** What notation logs while deciding (the caller forwards these to its logger). */
  logs: RevocationLog[];
}

/**
 * notation-go's `revocationFinalResult`: ok when every certificate is ok or non-revokable;
 * otherwise revoked if any certificate is revoked (the one nearest the leaf reports), else
 * unknown (likewise). Also returns notation's log lines.
 */
export function decideRevocation(
  results: readonly CertRevocationResult[],
  chain: readonly Certificate[],
): RevocationDecision {
  let final: 'revoked' | 'unknown' = 'unknown';
  let okCount = 0;
  let subject: string | undefined;
  let revokedSubject: string | undefined;
  const logs: RevocationLog[] = [];
  for (let i = results.length - 1; i >= 0; i--) {
    const r = results[i] as CertRevocationResult;
    const certSubject = chain[i]?.subject ?? '';
    if (r.method === 'OCSPFallbackCRL') {
      logs.push({
        level: 'warn',
        message: `OCSP check failed with unknown error and fallback to CRL check for certificate #${i + 1} in chain with subject ${goQuote(certSubject)}`,
      });
    }
    for (const s of r.serverResults) {
      if (s.error === undefined) continue;
      const line = `Certificate #${i + 1} in chain with subject ${goQuote(certSubject)} encountered an error for revocation method ${s.method} at URL ${goQuote(s.server)}: ${s.error}`;
      logs.push({
        level: r.method === 'OCSPFallbackCRL' && s.method === 'OCSP' ? 'debug' : 'error',
        message: line,
      });
    }
    if (r.result === 'ok' || r.result === 'nonRevokable') {
      okCount++;
    } else {
      final = r.result === 'revoked' ? 'revoked' : 'unknown';
      subject = certSubject;
      if (r.result === 'revoked') revokedSubject = certSubject;
    }
    if (i < results.length - 1 && r.result === 'nonRevokable') {
      logs.push({
        level: 'warn',
        message: `Certificate #${i + 1} in the chain with subject ${goQuote(certSubject)} neither has an OCSP nor a CRL revocation method.`,
      });
    }
  }
  if (revokedSubject !== undefined) {
    final = 'revoked';
    subject = revokedSubject;
  }
  if (okCount === results.length) {
    logs.push({
      level: 'debug',
      message: 'No verification impacting errors encountered while checking revocation, status is OK',
    });
    return { result: 'ok', subject: undefined, logs };
  }
  return { result: final, subject, logs };
}

/** notation's error text for a decision (`signing certificate with subject … is revoked`). */
export function revocationMessage(
  decision: { result: RevocationDecision['result']; subject?: string | undefined },
  purpose: ChainPurpose,
): string | undefined {
  if (decision.result === 'ok') return undefined;
  const who = purpose === 'timestamping' ? 'timestamping certificate' : 'signing certificate';
  const subject = goQuote(decision.subject ?? '');
  return decision.result === 'revoked'
    ? `${who} with subject ${subject} is revoked`
    : `${who} with subject ${subject} revocation status is unknown`;
}

/**
 * The revocation validation of the signing chain as a `ValidationResult` for the level's
 * `action` (enforce fails, log logs, skip does not check at all). Never throws for revocation
 * problems: an unusable chain or fetch failure becomes a failed (or logged) result.
 */
export async function verifyRevocation(
  signingChain: ReadonlyArray<Certificate | Uint8Array>,
  action: ValidationAction,
  opts: RevocationOptions,
): Promise<{ result: ValidationResult; logs: RevocationLog[] }> {
  if (action === 'skip') {
    return {
      result: {
        type: 'revocation',
        action,
        status: 'skipped',
        message: 'revocation check skipped by the trust policy',
      },
      logs: [],
    };
  }
  let message: string | undefined;
  let logs: RevocationLog[] = [];
  try {
    const chain = signingChain.map((c) => (c instanceof Uint8Array ? parseCertificate(c) : c));
    const decision = decideRevocation(await validateRevocation(chain, opts), chain);
    logs = decision.logs;
    message = revocationMessage(decision, 'codeSigning');
  } catch (e) {
    message = `unable to check revocation status, err: ${(e as Error).message}`;
  }
  if (message === undefined) {
    return { result: { type: 'revocation', action, status: 'pass', message: 'not revoked' }, logs };
  }
  return {
    result: { type: 'revocation', action, status: action === 'enforce' ? 'fail' : 'logged', message },
    logs,
  };
}
