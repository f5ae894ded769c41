/**
 * Revocation vocabulary (notation-core-go `revocation/result`). Network access is injected:
 * a `RevocationFetcher` answers an HTTP GET for a CRL or an OCSP request URL with the body bytes
 * (tests pass plain functions; production wires a bounded HTTP client).
 */

/** GET `url` and return the body; throw (with a message) on any transport or status problem. */
export type RevocationFetcher = (url: string) => Promise<Uint8Array>;

export type RevocationResultKind = 'ok' | 'revoked' | 'unknown' | 'nonRevokable';

export type RevocationMethod = 'OCSP' | 'CRL' | 'OCSPFallbackCRL' | 'Unknown';

/** The answer of one OCSP responder or one CRL distribution point for one certificate. */
export interface ServerResult {
  result: RevocationResultKind;
  /** The URL asked ("" when none applies). */
  server: string;
  /** Why the status could not be established (or `certificate is revoked via OCSP`). */
  error: string | undefined;
  method: 'OCSP' | 'CRL' | 'Unknown';
}

/** The revocation status of one certificate of a chain. */
export interface CertRevocationResult {
  result: RevocationResultKind;
  serverResults: ServerResult[];
  method: RevocationMethod;
}

export type ChainPurpose = 'codeSigning' | 'timestamping';

export interface RevocationOptions {
  fetch: RevocationFetcher;
  /** Verification time: CRL/OCSP freshness is judged against it. */
  now: Date;
  /**
   * Authentic signing time (signing-authority scheme): a revocation whose invalidity date is
   * after it does not count.
   */
  signingTime?: Date;
  /** Largest CRL accepted (notation: 32 MiB). */
  maxCrlBytes?: number;
  /** Largest OCSP response accepted (notation: 20 KiB). */
  maxOcspBytes?: number;
}
