import type { RevocationFetcher } from '@scs/notary';
import { VerifyCoreError } from '../errors.js';

export interface RevocationFetcherOptions {
  /** Per request (default 10 s). */
  timeoutMs?: number;
  /** Largest body accepted (default 32 MiB, notation's CRL bound). */
  maxBytes?: number;
  /** The HTTP client (default: the global fetch). */
  fetch?: typeof globalThis.fetch;
}

/**
 * GETs CRLs and OCSP responses for `@scs/notary`'s revocation checks: http(s) only, bounded in
 * time and size, no redirects to other schemes. Throws with the URL and the reason.
 */
export function revocationFetcher(options: RevocationFetcherOptions = {}): RevocationFetcher {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  return async (url) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch (error) {
      throw new VerifyCoreError('FETCH_FAILED', `revocation URL ${JSON.stringify(url)} is not a URL`, {
        cause: error,
      });
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new VerifyCoreError('FETCH_FAILED', `revocation URL ${url} is not http(s)`);
    }
    const response = await fetchImpl(parsed, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
    if (!response.ok) throw new VerifyCoreError('FETCH_FAILED', `${url} answered HTTP ${response.status}`);
    const length = Number(response.headers.get('content-length') ?? '0');
    if (length > maxBytes)
      throw new VerifyCoreError('FETCH_FAILED', `${url} sends ${length} bytes, more than ${maxBytes}`);
    if (response.body === null) return new Uint8Array();
    const chunks: Uint8Array[] = [];
    let total = 0;
    // Node's web ReadableStream is async iterable; leaving the loop cancels the body.
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      total += chunk.byteLength;
      if (total > maxBytes) {
        throw new VerifyCoreError('FETCH_FAILED', `${url} sends more than ${maxBytes} bytes`);
      }
      chunks.push(chunk);
    }
    return new Uint8Array(Buffer.concat(chunks));
  };
}
