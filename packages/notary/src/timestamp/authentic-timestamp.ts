import { NotaryError } from '../errors.js';
import type { RevocationLog } from '../revocation/validate-revocation.js';
import type { RevocationOptions } from '../revocation/types.js';
import type { VerifyTimestampOption } from '../trust-policy/types.js';
import { goQuote } from '../trust-store/go-format.js';
import { loadTrustStoreCertificates } from '../trust-store/load-trust-stores.js';
import type { TrustStore, ValidationAction, ValidationResult } from '../types.js';
import type { TimestampVerifier } from '../verify/services.js';
import { type Certificate, parseCertificate } from '../x509/certificate.js';
import { formatRfc1123Z } from '../x509/time-format.js';
import { checkTsaChainRevocation } from './tsa-chain-revocation.js';
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
  /** The envelope's certificate chain, leaf first (parsed, or DER). */
  signingChain: ReadonlyArray<Certificate | Uint8Array>;
  /** The envelope's signature value (what the timestamp stamps). */
  signature: Uint8Array;
  /** `io.cncf.notary.timestampSignature`, when present. */
  timestampToken: Uint8Array | undefined;
  /** Authentic signing time (used by the signing-authority scheme). */
  signingTime: Date;
  /** The UTC offset the signing time was written with (messages print it there, as Go does); 0 if absent. */
  signingTimeOffsetMinutes?: number;
  /** Verification time. */
  now: Date;
  /**
   * How to check the TSA chain's revocation (notation always does, over the network). Pass
   * `{ skip: true }` to opt out explicitly, e.g. offline; there is no silent default.
   */
  tsaRevocation?: RevocationOptions | { skip: true };
  /**
   * Instead of `tsaRevocation`: an injected verifier of the countersignature (token, TSA chain,
   * range and TSA revocation; the verifier's `TimestampVerifier` service). With neither, a
   * countersignature that has to be verified fails closed.
   */
  timestampVerifier?: TimestampVerifier;
}

export interface AuthenticTimestampOutcome {
  result: ValidationResult;
  /** Present when a countersignature was verified (by this module: not through `timestampVerifier`). */
  timestamp: VerifiedTimestamp | undefined;
  /** What notation logs on the way (info/debug lines, revocation lines). */
  logs: RevocationLog[];
}

/** What the authentic timestamp validation found, before it is rendered as a result. */
export interface AuthenticTimestampEvaluation {
  /** notation's error text, or undefined when the validation holds. */
  error: string | undefined;
  /** What the validation rested on. */
  basis: 'signingAuthority' | 'chainValidNow' | 'countersignature';
  /** When `basis` is `chainValidNow`: notation's info line saying why no countersignature was verified. */
  disabledBecause: string | undefined;
  /** The verified timestamp range, when a countersignature verified. */
  range: { from: Date; to: Date } | undefined;
  /** The countersignature as this module verified it (not set through `timestampVerifier`). */
  timestamp: VerifiedTimestamp | undefined;
  logs: RevocationLog[];
}

const NO_TIMESTAMP_VERIFIER =
  'timestamp countersignature verification is not available in this verifier (no timestamp verifier configured)';

/**
 * notation's `verifyAuthenticTimestamp`, whatever the level's action: for `notary.x509`, verify
 * the RFC 3161 countersignature when a `tsa` store is configured (and, with `afterCertExpiry`,
 * only once the signing chain has expired), else require the signing chain to be valid now; for
 * `notary.x509.signingAuthority`, require the authentic signing time inside every certificate.
 * Steps and messages in notation's order: the token is parsed and checked against the signature
 * before the tsa store is loaded. Never throws for verification failures. The package's one
 * implementation: `verifyAuthenticTimestamp` and the verifier render its finding.
 */
export async function evaluateAuthenticTimestamp(
  input: AuthenticTimestampInput,
): Promise<AuthenticTimestampEvaluation> {
  const logs: RevocationLog[] = [];
  let basis: AuthenticTimestampEvaluation['basis'] =
    input.signingScheme === 'notary.x509.signingAuthority' ? 'signingAuthority' : 'chainValidNow';
  let disabledBecause: string | undefined;
  const done = (
    error: string | undefined,
    verified?: { range: { from: Date; to: Date }; timestamp?: VerifiedTimestamp },
  ): AuthenticTimestampEvaluation => ({
    error,
    basis,
    disabledBecause,
    range: error === undefined ? verified?.range : undefined,
    timestamp: error === undefined ? verified?.timestamp : undefined,
    logs,
  });
  let chain: Certificate[];
  try {
    chain = input.signingChain.map((c) => (c instanceof Uint8Array ? parseCertificate(c) : c));
  } catch (e) {
    return done(`the signing certificate chain is malformed: ${(e as Error).message}`);
  }
  if (input.signingScheme === 'notary.x509.signingAuthority') {
    for (const cert of chain) {
      if (input.signingTime < cert.notBefore || input.signingTime > cert.notAfter) {
        return done(
          `certificate ${goQuote(cert.subject)} was not valid when the digital signature was produced at ${goQuote(formatRfc1123Z(input.signingTime, input.signingTimeOffsetMinutes))}`,
        );
      }
    }
    return done(undefined);
  }

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
    disabledBecause = 'Timestamp verification disabled: no tsa trust store is configured in trust policy';
  } else if (input.verifyTimestamp === 'afterCertExpiry' && !chain.some((c) => input.now > c.notAfter)) {
    disabledBecause =
      'Timestamp verification disabled: verifyTimestamp is set to "afterCertExpiry" and signing cert chain unexpired';
  }
  if (disabledBecause !== undefined) {
    logs.push({ level: 'info', message: disabledBecause });
    for (const cert of chain) {
      if (input.now < cert.notBefore) {
        return done(
          `verification time is before certificate ${goQuote(cert.subject)} validity period, it will be valid from ${goQuote(formatRfc1123Z(cert.notBefore))}`,
        );
      }
      if (input.now > cert.notAfter) {
        return done(
          `verification time is after certificate ${goQuote(cert.subject)} validity period, it was expired at ${goQuote(formatRfc1123Z(cert.notAfter))}`,
        );
      }
    }
    return done(undefined);
  }

  basis = 'countersignature';
  logs.push({ level: 'info', message: 'Performing timestamp verification...' });
  const token = input.timestampToken;
  if (token === undefined || token.length === 0) {
    return done('no timestamp countersignature was found in the signature envelope');
  }
  // notation parses the token and checks it against the signature before it loads the tsa store
  // (and reports an empty store after that): with no roots, this reports exactly those problems.
  const tokenProblem = (): string | undefined => {
    try {
      verifyTimestampToken({ token, signature: input.signature, tsaRoots: [], signingChain: chain });
    } catch (e) {
      if (e instanceof NotaryError) return e.message;
    }
    return undefined;
  };
  let tsaRoots: Certificate[];
  try {
    tsaRoots = await loadTrustStoreCertificates(input.trustStore, 'tsa', input.policyName, input.trustStores);
  } catch (e) {
    const problem = tokenProblem();
    if (problem !== undefined && problem !== 'no trusted TSA certificate found in trust store') {
      return done(problem);
    }
    return done(`failed to load tsa trust store with error: ${(e as Error).message}`);
  }
  if (tsaRoots.length === 0) return done(tokenProblem() ?? 'no trusted TSA certificate found in trust store');

  if (input.tsaRevocation === undefined) {
    if (input.timestampVerifier === undefined) return done(NO_TIMESTAMP_VERIFIER);
    try {
      const verified = await input.timestampVerifier({
        token,
        signature: input.signature,
        signingTime: input.signingTime,
        signingChain: chain,
        tsaRoots: tsaRoots.map((c) => c.der),
        tsaRootCertificates: tsaRoots,
        at: input.now,
      });
      return done(undefined, { range: { from: verified.from, to: verified.to } });
    } catch (e) {
      return done(e instanceof Error ? e.message : String(e));
    }
  }

  let timestamp: VerifiedTimestamp;
  try {
    timestamp = verifyTimestampToken({ token, signature: input.signature, tsaRoots, signingChain: chain });
  } catch (e) {
    if (e instanceof NotaryError) return done(e.message);
    throw e;
  }
  logs.push({ level: 'info', message: `TSA identity is: ${timestamp.tsaSubject}` });
  const verified = { range: { from: timestamp.earliest, to: timestamp.latest }, timestamp };
  if ('skip' in input.tsaRevocation) {
    logs.push({
      level: 'warn',
      message: 'Timestamping certificate chain revocation check skipped by the caller',
    });
    return done(undefined, verified);
  }
  const revocation = await checkTsaChainRevocation(timestamp.tsaCertificates, input.tsaRevocation);
  logs.push(...revocation.logs);
  return done(revocation.error, verified);
}

/**
 * notation's `verifyAuthenticTimestamp` as a `ValidationResult` for the level's `action`: skipped
 * without evaluating under `skip`, else `evaluateAuthenticTimestamp` with a failure that fails
 * (enforce) or is logged (log). Never throws for verification failures.
 */
export async function verifyAuthenticTimestamp(
  input: AuthenticTimestampInput,
): Promise<AuthenticTimestampOutcome> {
  if (input.action === 'skip') {
    return {
      result: {
        type: 'authenticTimestamp',
        action: 'skip',
        status: 'skipped',
        message: 'skipped by the trust policy',
      },
      timestamp: undefined,
      logs: [],
    };
  }
  const found = await evaluateAuthenticTimestamp(input);
  const result: ValidationResult =
    found.error === undefined
      ? {
          type: 'authenticTimestamp',
          action: input.action,
          status: 'pass',
          message: found.timestamp
            ? `timestamp ${found.timestamp.genTime.toISOString()}`
            : found.range
              ? `timestamp [${found.range.from.toISOString()}, ${found.range.to.toISOString()}]`
              : 'signing chain valid at verification time',
        }
      : {
          type: 'authenticTimestamp',
          action: input.action,
          status: input.action === 'enforce' ? 'fail' : 'logged',
          message: found.error,
        };
  return { result, timestamp: found.timestamp, logs: found.logs };
}
