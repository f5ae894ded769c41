import { NotaryError } from '../errors.js';
import { goQuote } from '../trust-store/go-format.js';
import type { Certificate } from '../x509/certificate.js';
import { formatRfc1123Z } from '../x509/time-format.js';
import { validateCertificateChain } from '../x509/chain.js';
import { parseSignedToken, verifySignedToken } from './signed-token.js';
import { parseTstInfo, validateTstInfo, type TimestampRange } from './tst-info.js';

/** A verified RFC 3161 countersignature. */
export interface VerifiedTimestamp extends TimestampRange {
  /** The TSA chain that verified (leaf first), as DER. */
  tsaChain: Uint8Array[];
  /** The same chain, parsed. */
  tsaCertificates: Certificate[];
  /** Go-style subject of the TSA signing certificate. */
  tsaSubject: string;
}

export interface TimestampTokenInput {
  /** The `io.cncf.notary.timestampSignature` unsigned attribute (BER tolerated). */
  token: Uint8Array | undefined;
  /** The envelope's signature value: what the token's message imprint must hash. */
  signature: Uint8Array;
  /** Trusted TSA roots (a `tsa` trust store). */
  tsaRoots: readonly Certificate[];
  /** The envelope's signing chain, leaf first: the timestamp must fall inside every validity. */
  signingChain: readonly Certificate[];
}

const fail = (message: string, cause?: unknown): NotaryError =>
  new NotaryError('TIMESTAMP_INVALID', message, cause === undefined ? undefined : { cause });

/**
 * Verifies a timestamp countersignature exactly as notation's `verifyTimestamp` does from the
 * point a `tsa` store applies: parse (BER tolerated), TSTInfo, message imprint, the token's CMS
 * signature and TSA chain to `tsaRoots` at genTime, the timestamping chain rules, and the
 * timestamp range against every certificate of the signing chain. It does not check TSA
 * revocation (see `verifyAuthenticTimestamp`). Throws NotaryError('TIMESTAMP_INVALID') with
 * notation's messages; returns the timestamp range on success.
 */
export function verifyTimestampToken(input: TimestampTokenInput): VerifiedTimestamp {
  const { token } = input;
  if (token === undefined || token.length === 0)
    throw fail('no timestamp countersignature was found in the signature envelope');
  let signed;
  try {
    signed = parseSignedToken(token);
  } catch (e) {
    throw fail(`failed to parse timestamp countersignature with error: ${(e as Error).message}`, e);
  }
  let info;
  try {
    info = parseTstInfo(signed.content);
  } catch (e) {
    throw fail(`failed to get the timestamp TSTInfo with error: ${(e as Error).message}`, e);
  }
  let range;
  try {
    range = validateTstInfo(info, input.signature);
  } catch (e) {
    throw fail(
      `failed to get timestamp from timestamp countersignature with error: ${(e as Error).message}`,
      e,
    );
  }
  if (input.tsaRoots.length === 0) throw fail('no trusted TSA certificate found in trust store');
  let chain: Certificate[];
  try {
    chain = verifySignedToken(signed, input.tsaRoots, info.genTime);
  } catch (e) {
    throw fail(`failed to verify the timestamp countersignature with error: ${(e as Error).message}`, e);
  }
  try {
    validateCertificateChain(
      chain.map((c) => c.der),
      { purpose: 'timestamping' },
    );
  } catch (e) {
    throw fail(
      `failed to validate the timestamping certificate chain with error: ${(e as Error).message}`,
      e,
    );
  }
  checkRangeAgainstChain(range, input.signingChain);
  return {
    ...range,
    tsaChain: chain.map((c) => c.der),
    tsaCertificates: chain,
    tsaSubject: chain[0]?.subject ?? '',
  };
}

/** notation's step 4: [genTime − accuracy, genTime + accuracy] inside every certificate's validity. */
export function checkRangeAgainstChain(range: TimestampRange, signingChain: readonly Certificate[]): void {
  for (const cert of signingChain) {
    if (range.earliest.getTime() < cert.notBefore.getTime()) {
      throw fail(
        `timestamp can be before certificate ${goQuote(cert.subject)} validity period, it will be valid from ${goQuote(formatRfc1123Z(cert.notBefore))}`,
      );
    }
    if (range.latest.getTime() > cert.notAfter.getTime()) {
      throw fail(
        `timestamp can be after certificate ${goQuote(cert.subject)} validity period, it was expired at ${goQuote(formatRfc1123Z(cert.notAfter))}`,
      );
    }
  }
}
