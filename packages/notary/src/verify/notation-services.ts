import { NotaryError } from '../errors.js';
import { decideRevocation, validateRevocation } from '../revocation/validate-revocation.js';
import type { RevocationFetcher } from '../revocation/types.js';
import { checkTsaChainRevocation } from '../timestamp/tsa-chain-revocation.js';
import { verifyTimestampToken } from '../timestamp/verify-timestamp.js';
import { parseCertificate } from '../x509/certificate.js';
import { formatGoUtc, formatRfc3339 } from '../x509/time-format.js';
import type { RevocationChecker, TimestampVerifier } from './services.js';

export interface RevocationServiceOptions {
  /** HTTP GET for CRLs and OCSP (bounded, with timeouts: the caller's I/O). */
  fetch: RevocationFetcher;
  maxCrlBytes?: number;
  maxOcspBytes?: number;
}

/**
 * The revocation checker notation uses (OCSP first, CRL fallback, root not checked, notation's
 * final decision), over the revocation module and an injected fetcher.
 */
export function createRevocationChecker(options: RevocationServiceOptions): RevocationChecker {
  return async (request) => {
    const chain = request.certificates ?? request.chain.map((der) => parseCertificate(der));
    const results = await validateRevocation(chain, {
      fetch: options.fetch,
      now: request.at,
      signingTime: request.authenticSigningTime,
      maxCrlBytes: options.maxCrlBytes,
      maxOcspBytes: options.maxOcspBytes,
    });
    const decision = decideRevocation(results, chain);
    return { result: decision.result, subject: decision.subject };
  };
}

/**
 * The timestamp countersignature verifier notation uses: token, TSTInfo, message imprint, CMS
 * signature and TSA chain to the trusted roots, timestamping chain rules, range against the
 * signing chain, then the TSA chain's revocation. `tsaRevocation: 'skip'` turns the last step off
 * explicitly (offline use); notation always runs it.
 */
export function createTimestampVerifier(options: {
  tsaRevocation: RevocationServiceOptions | 'skip';
}): TimestampVerifier {
  return async (request) => {
    const verified = verifyTimestampToken({
      token: request.token,
      signature: request.signature,
      tsaRoots: request.tsaRootCertificates ?? request.tsaRoots.map((der) => parseCertificate(der)),
      signingChain: request.signingChain,
    });
    if (verified.earliest.getTime() <= request.signingTime.getTime()) {
      throw new NotaryError(
        'TIMESTAMP_INVALID',
        `timestamp [${formatRfc3339(verified.earliest)}, ${formatRfc3339(verified.latest)}] is not bounded after the signing time "${formatGoUtc(request.signingTime)}"`,
      );
    }
    if (options.tsaRevocation !== 'skip') {
      const revocation = await checkTsaChainRevocation(verified.tsaCertificates, {
        fetch: options.tsaRevocation.fetch,
        now: request.at,
        maxCrlBytes: options.tsaRevocation.maxCrlBytes,
        maxOcspBytes: options.tsaRevocation.maxOcspBytes,
      });
      if (revocation.error !== undefined) {
        const code = revocation.result === 'revoked' ? 'REVOKED' : 'REVOCATION_UNKNOWN';
        throw new NotaryError(
          code,
          revocation.error,
          revocation.cause === undefined ? undefined : { cause: revocation.cause },
        );
      }
    }
    return { from: verified.earliest, to: verified.latest, tsaChain: verified.tsaChain };
  };
}
