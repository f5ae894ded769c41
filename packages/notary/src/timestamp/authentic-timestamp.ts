import { NotaryError } from '../errors.js';
import {
  decideRevocation,
  revocationMessage,
  validateRevocation,
  type RevocationLog,
} from '../revocation/validate-revocation.js';
import type { RevocationOptions } from '../revocation/types.js';
import type { VerifyTimestampOption } from '../trust-policy/types.js';
import { formatRfc1123z, goQuote } from '../trust-store/go-format.js';
import { loadTrustStoreCertificates } from '../trust-store/load-trust-stores.js';
import type { TrustStore, ValidationAction, ValidationResult } from '../types.js';
import { type Certificate, parseCertificate } from '../x509/certificate.js';
import { verifyTimestampToken, type VerifiedTimestamp } from './verify-timestamp.js';

export interface AuthenticTimestampInput {
  /** The applicable statement's name and raw `trustStores` values. */
  policyName: string;
  trustStores: readonly string[];
  verifyTimestamp: VerifyTimestampOption;
  /** The level's action for `authenticTimestamp`. */
  action: ValidationAction;
  trustStore: TrustStore;
  signingScheme: 'notary.x509' | 'notary.x509.signingAuthority';
  /** The envelope's certificate chain (DER, leaf first). */
  signingChain: readonly Uint8Array[];
  /** The envelope's signature value (what the timestamp stamps). */
  signature: Uint8Array;
  /** `io.cncf.notary.timestampSignature`, when present. */
  timestampToken: Uint8Array | undefined;
  /** Authentic signing time (used by the signing-authority scheme). */
  signingTime: Date;
  /** Verification time. */
  now: Date;
  /**
   * How to check the TSA chain's revocation (notation always does, over the network). Pass
   * `{ skip: true }` to opt out explicitly, e.g. offline; there is no silent default.
   */
  tsaRevocation: RevocationOptions | { skip: true };
}

export interface AuthenticTimestampOutcome {
  result: ValidationResult;
  /** Present when a countersignature was verified. */
  timestamp: VerifiedTimestamp | undefined;
  /** What notation logs on the way (info/debug lines, revocation lines). */
  logs: RevocationLog[];
}

/**
 * notation's `verifyAuthenticTimestamp`: for `notary.x509`, verify the RFC 3161 countersignature
 * when a `tsa` store is configured (and, with `afterCertExpiry`, only once the signing chain has
 * expired), else require the signing chain to be valid now; for
 * `notary.x509.signingAuthority`, require the authentic signing time inside every certificate.
 * Never throws for verification failures: they become a failed (enforce) or logged result.
 */
export async function verifyAuthenticTimestamp(
  input: AuthenticTimestampInput,
): Promise<AuthenticTimestampOutcome> {
  const logs: RevocationLog[] = [];
  const done = (message: string | undefined, timestamp?: VerifiedTimestamp): AuthenticTimestampOutcome => ({
    result:
      message === undefined
        ? {
            type: 'authenticTimestamp',
            action: input.action,
            status: 'pass',
            message: timestamp
              ? `timestamp ${timestamp.genTime.toISOString()}`
              : 'signing chain valid at verification time',
          }
        : {
            type: 'authenticTimestamp',
            action: input.action,
            status: input.action === 'enforce' ? 'fail' : 'logged',
            message,
          },
    timestamp,
    logs,
  });
  if (input.action === 'skip') {
    return {
      result: {
        type: 'authenticTimestamp',
        action: 'skip',
        status: 'skipped',
        message: 'skipped by the trust policy',
      },
      timestamp: undefined,
      logs,
    };
  }
  let chain: Certificate[];
  try {
    chain = input.signingChain.map((der) => parseCertificate(der));
  } catch (e) {
    return done(`the signing certificate chain is malformed: ${(e as Error).message}`);
  }
  if (input.signingScheme === 'notary.x509.signingAuthority') {
    for (const cert of chain) {
      if (input.signingTime < cert.notBefore || input.signingTime > cert.notAfter) {
        return done(
          `certificate ${goQuote(cert.subject)} was not valid when the digital signature was produced at ${goQuote(formatRfc1123z(input.signingTime))}`,
        );
      }
    }
    return done(undefined);
  }

  let perform = true;
  let tsaConfigured = false;
  for (const value of input.trustStores) {
    const sep = value.indexOf(':');
    if (sep < 0) {
      return done(
        `failed to check tsa trust store configuration in turst policy with error: invalid trust policy statement: ${goQuote(input.policyName)} is missing separator in trust store value ${goQuote(value)}. The required format is <TrustStoreType>:<TrustStoreName>`,
      );
    }
    if (value.slice(0, sep) === 'tsa') {
      tsaConfigured = true;
      break;
    }
  }
  if (!tsaConfigured) {
    logs.push({
      level: 'info',
      message: 'Timestamp verification disabled: no tsa trust store is configured in trust policy',
    });
    perform = false;
  }
  if (perform && input.verifyTimestamp === 'afterCertExpiry' && !chain.some((c) => input.now > c.notAfter)) {
    logs.push({
      level: 'info',
      message:
        'Timestamp verification disabled: verifyTimestamp is set to "afterCertExpiry" and signing cert chain unexpired',
    });
    perform = false;
  }
  if (!perform) {
    for (const cert of chain) {
      if (input.now < cert.notBefore) {
        return done(
          `verification time is before certificate ${goQuote(cert.subject)} validity period, it will be valid from ${goQuote(formatRfc1123z(cert.notBefore))}`,
        );
      }
      if (input.now > cert.notAfter) {
        return done(
          `verification time is after certificate ${goQuote(cert.subject)} validity period, it was expired at ${goQuote(formatRfc1123z(cert.notAfter))}`,
        );
      }
    }
    return done(undefined);
  }

  logs.push({ level: 'info', message: 'Performing timestamp verification...' });
  let tsaRoots: Certificate[];
  if (input.timestampToken === undefined || input.timestampToken.length === 0) {
    return done('no timestamp countersignature was found in the signature envelope');
  }
  try {
    tsaRoots = await loadTrustStoreCertificates(input.trustStore, 'tsa', input.policyName, input.trustStores);
  } catch (e) {
    // notation parses and checks the token before loading the store: report a token problem first.
    try {
      verifyTimestampToken({
        token: input.timestampToken,
        signature: input.signature,
        tsaRoots: [],
        signingChain: chain,
      });
    } catch (tokenError) {
      if (
        tokenError instanceof NotaryError &&
        tokenError.message !== 'no trusted TSA certificate found in trust store'
      ) {
        return done(tokenError.message);
      }
    }
    return done(`failed to load tsa trust store with error: ${(e as Error).message}`);
  }
  let timestamp: VerifiedTimestamp;
  try {
    timestamp = verifyTimestampToken({
      token: input.timestampToken,
      signature: input.signature,
      tsaRoots,
      signingChain: chain,
    });
  } catch (e) {
    if (e instanceof NotaryError) return done(e.message);
    throw e;
  }
  logs.push({ level: 'info', message: `TSA identity is: ${timestamp.tsaSubject}` });
  if ('skip' in input.tsaRevocation) {
    logs.push({
      level: 'warn',
      message: 'Timestamping certificate chain revocation check skipped by the caller',
    });
    return done(undefined, timestamp);
  }
  const tsaChain = timestamp.tsaCertificates;
  let message: string | undefined;
  try {
    const decision = decideRevocation(await validateRevocation(tsaChain, input.tsaRevocation), tsaChain);
    logs.push(...decision.logs);
    message = revocationMessage(decision, 'timestamping');
  } catch (e) {
    message = `failed to check timestamping certificate chain revocation with error: ${(e as Error).message}`;
  }
  return done(message, message === undefined ? timestamp : undefined);
}
