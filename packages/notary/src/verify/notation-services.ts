import { NotaryError } from '../errors.js';
import {
  decideRevocation,
  revocationMessage,
  validateRevocation,
} from '../revocation/validate-revocation.js';
import type { RevocationFetcher } from '../revocation/types.js';
import { verifyTimestampToken } from '../timestamp/verify-timestamp.js';
import { parseCertificate as parseTrustStoreCertificate } from '../trust-store/certificate.js';
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
    const chain = request.chain.map((der) => parseTrustStoreCertificate(der));
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
      tsaRoots: request.tsaRoots.map((der) => parseTrustStoreCertificate(der)),
      signingChain: request.signingChain.map((c) => parseTrustStoreCertificate(c.der)),
    });
    if (verified.earliest.getTime() <= request.signingTime.getTime()) {
      throw new NotaryError(
        'TIMESTAMP_INVALID',
        `timestamp [${formatRfc3339(verified.earliest)}, ${formatRfc3339(verified.latest)}] is not bounded after the signing time "${formatGoUtc(request.signingTime)}"`,
      );
    }
    if (options.tsaRevocation !== 'skip') {
      const chain = verified.tsaChain.map((der) => parseTrustStoreCertificate(der));
      let message: string | undefined;
      try {
        const results = await validateRevocation(chain, {
          fetch: options.tsaRevocation.fetch,
          now: request.at,
          maxCrlBytes: options.tsaRevocation.maxCrlBytes,
          maxOcspBytes: options.tsaRevocation.maxOcspBytes,
        });
        message = revocationMessage(decideRevocation(results, chain), 'timestamping');
      } catch (err) {
        throw new NotaryError(
          'REVOCATION_UNKNOWN',
          `failed to check timestamping certificate chain revocation with error: ${err instanceof Error ? err.message : String(err)}`,
          { cause: err },
        );
      }
      if (message !== undefined) {
        throw new NotaryError(message.endsWith('is revoked') ? 'REVOKED' : 'REVOCATION_UNKNOWN', message);
      }
    }
    return { from: verified.earliest, to: verified.latest, tsaChain: verified.tsaChain };
  };
}
