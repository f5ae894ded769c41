/**
 * The one I/O seam of the registry backend: send one HTTP request, get the status, headers and a
 * body stream. No redirects, no retries, no auth here: the registry client does those, so every
 * request (each retry, each redirect hop) goes through `send` and can be counted.
 */

export type HttpMethod = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

export interface HttpRequest {
  method: HttpMethod;
  url: URL;
  headers: Record<string, string>;
  body?: Uint8Array;
  signal?: AbortSignal;
  /** Abort when no response headers or no body bytes arrive for this long. */
  idleTimeoutMs: number;
  /**
   * Abort when the whole exchange (sending, headers, the body read to its end) takes longer than
   * this: a server that trickles bytes cannot hold a request forever. None when undefined.
   */
  deadlineMs?: number;
}

export interface HttpHeaders {
  /** The first value of a header (case-insensitive name), or undefined. */
  get(name: string): string | undefined;
  /** Every value of a header, in order, as separate entries. */
  getAll(name: string): string[];
}

export interface HttpResponse {
  status: number;
  headers: HttpHeaders;
  /** The body, chunk by chunk. Iterate at most once. */
  body: AsyncIterable<Uint8Array>;
  /** Release the connection without reading (the rest of) the body. */
  discard(): void;
}

export interface HttpTransport {
  send(request: HttpRequest): Promise<HttpResponse>;
}

/** What the transport observer sees for every HTTP exchange (counting, tracing). */
export interface RequestEvent {
  method: HttpMethod;
  /** Origin and path only: never the query (upload state) nor credentials. */
  url: string;
  status?: number;
  error?: string;
  durationMs: number;
}

/** Build `HttpHeaders` from a flat `[name, value, name, value…]` list. */
export function headersFromPairs(pairs: readonly string[]): HttpHeaders {
  const map = new Map<string, string[]>();
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const name = (pairs[i] ?? '').toLowerCase();
    const value = pairs[i + 1] ?? '';
    const list = map.get(name);
    if (list === undefined) map.set(name, [value]);
    else list.push(value);
  }
  return {
    get: (name) => map.get(name.toLowerCase())?.[0],
    getAll: (name) => [...(map.get(name.toLowerCase()) ?? [])],
  };
}

/** Scheme, host, port and path of a URL, for messages and events (no query, no userinfo). */
export function describeUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}
