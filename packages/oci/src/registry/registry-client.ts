import { Authenticator } from '../auth/authenticator.js';
import { parseChallenges } from '../auth/challenge.js';
import type { CredentialProvider } from '../auth/credentials.js';
import { silentLogger, systemClock, type Clock, type Logger } from '../clock.js';
import { OciError } from '../errors.js';
import { isRetryableNetworkError } from '../http/node-transport.js';
import { readSmallText } from '../http/read-body.js';
import { backoffDelay, parseRetryAfter, retryPolicy, type RetryPolicy } from '../http/retry-policy.js';
import {
  describeUrl,
  type HttpMethod,
  type HttpResponse,
  type HttpTransport,
  type RequestEvent,
} from '../http/transport.js';
import { registryApiHost } from '../reference.js';
import type { Descriptor } from '../types.js';
import { KeyedBatcher } from './keyed-batcher.js';

export interface RegistryClientOptions {
  transport: HttpTransport;
  credentials?: CredentialProvider;
  /**
   * Speak plain HTTP to these registries (or to all with `true`). Explicit opt-in only: the
   * default is https everywhere, `localhost` included.
   */
  plainHttp?: boolean | readonly string[];
  /** Idle timeout per request: no headers or no body bytes for this long fails the attempt. */
  timeoutMs?: number;
  /**
   * Longest one request may take in all, its answer read to the end (default 5 minutes): for every
   * request whose answer is small (manifests, referrers, tags, tokens, errors, blobs up to 4 MiB
   * such as signature envelopes). Larger blob transfers are bounded by their size and `timeoutMs`.
   */
  requestTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  clock?: Clock;
  /** Jitter source in [0, 1). */
  random?: () => number;
  logger?: Logger;
  /** Called after every HTTP exchange (each retry and redirect hop counts). */
  onRequest?: (event: RequestEvent) => void;
  /** Largest blob fetched into memory (default 512 MiB). */
  maxBlobBytes?: number;
  /** Blobs larger than this are uploaded in chunks of this size (default 16 MiB). */
  chunkSizeBytes?: number;
  /** Bounds of the wait before re-checking a tag-schema referrers write (default 150 ms to 2 s). */
  referrersSettleMs?: { min: number; max: number };
}

export interface RegistryRequest {
  registry: string;
  repository: string;
  method: HttpMethod;
  /** A path on the registry (`/v2/…`) or an absolute URL (upload locations). */
  url: string | URL;
  headers?: Record<string, string>;
  body?: Uint8Array;
  scopes: readonly string[];
  signal?: AbortSignal;
  /** What is being done, for messages: `manifest sha256:… of localhost:5000/app`. */
  what: string;
  /**
   * A blob transfer above 4 MiB: not bounded by `requestTimeoutMs` (its size and the idle timeout
   * bound it instead).
   */
  bulk?: boolean;
}

/** Blob transfers above this size are `bulk` (no whole-request deadline). */
export const BULK_TRANSFER_BYTES = 4 * 1024 * 1024;

export type ReferrersMode = 'api' | 'tag-schema';

/** A referrer waiting to be added to its subject's tag-schema index. */
export interface PendingReferrer {
  referrer: Descriptor;
  /** Adds a batch of referrers of the same subject (the first item's store does the work). */
  apply: (referrers: Descriptor[]) => Promise<void>;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

/**
 * One client per process (or per CLI run): the transport, the auth state (challenges, tokens),
 * and what it learned about each registry (referrers API or tag schema), shared by every
 * repository store opened through it.
 */
export class RegistryClient {
  readonly transport: HttpTransport;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly maxBlobBytes: number;
  readonly chunkSizeBytes: number;
  readonly referrersSettleMs: { min: number; max: number };
  /** Which referrers mode works, per registry; set on first use, never probed again. */
  readonly referrersModes = new Map<string, ReferrersMode>();
  /**
   * Blob uploads per `registry/repository@digest`, in flight or done: a blob is uploaded once per
   * client even when many attaches push the same config at once (distribution 2.8 corrupts its
   * link files under concurrent uploads of one blob into one repository).
   */
  readonly blobUploads = new Map<string, Promise<void>>();
  /** Registries known to ignore a blob body sent with the upload POST. */
  readonly noSinglePostUpload = new Set<string>();
  /** Merges concurrent tag-schema updates per registry/repository/subject. */
  readonly referrersUpdates = new KeyedBatcher<PendingReferrer>((_key, items) => {
    const first = items[0];
    return first === undefined ? Promise.resolve() : first.apply(items.map((i) => i.referrer));
  });
  private readonly policy: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly requestTimeoutMs: number;
  private readonly random: () => number;
  private readonly plainHttp: boolean | readonly string[];
  private readonly onRequest: ((event: RequestEvent) => void) | undefined;
  private readonly auth: Authenticator;
  /** Per host, the first request in flight while the auth scheme is still unknown. */
  private readonly firstContacts = new Map<string, Promise<void>>();
  /** Hosts that answered once: no more waiting on them (anonymous registries stay parallel). */
  private readonly contacted = new Set<string>();

  constructor(options: RegistryClientOptions) {
    this.transport = options.transport;
    this.logger = options.logger ?? silentLogger;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.policy = retryPolicy(options.retry);
    this.timeoutMs = options.timeoutMs ?? 30_000;
    if (!Number.isFinite(this.timeoutMs) || this.timeoutMs <= 0) {
      throw new OciError(
        'CONFIG_INVALID',
        `timeoutMs must be a positive number of milliseconds, got ${this.timeoutMs}`,
      );
    }
    this.requestTimeoutMs = options.requestTimeoutMs ?? 300_000;
    if (!Number.isFinite(this.requestTimeoutMs) || this.requestTimeoutMs <= 0) {
      throw new OciError(
        'CONFIG_INVALID',
        `requestTimeoutMs must be a positive number of milliseconds, got ${this.requestTimeoutMs}`,
      );
    }
    this.plainHttp = options.plainHttp ?? false;
    this.onRequest = options.onRequest;
    this.maxBlobBytes = options.maxBlobBytes ?? 512 * 1024 * 1024;
    this.chunkSizeBytes = options.chunkSizeBytes ?? 16 * 1024 * 1024;
    this.referrersSettleMs = options.referrersSettleMs ?? { min: 150, max: 2_000 };
    if (!Number.isSafeInteger(this.chunkSizeBytes) || this.chunkSizeBytes < 1) {
      throw new OciError(
        'CONFIG_INVALID',
        `chunkSizeBytes must be a positive integer, got ${this.chunkSizeBytes}`,
      );
    }
    this.auth = new Authenticator({
      ...(options.credentials ? { credentials: options.credentials } : {}),
      send: (request) =>
        this.retrying(request.method, `token request to ${request.url.origin}`, request.signal, () =>
          this.sendRaw(request.method, request.url, request.headers, request.body, request.signal),
        ),
      clock: this.clock,
      logger: this.logger,
      isPlainHttp: (host) => this.isPlainHttp(host),
    });
  }

  isPlainHttp(registry: string): boolean {
    return this.plainHttp === true || (Array.isArray(this.plainHttp) && this.plainHttp.includes(registry));
  }

  /** `https://host` (or `http://host` when opted in) serving the registry's API. */
  baseUrl(registry: string): URL {
    return new URL(`${this.isPlainHttp(registry) ? 'http' : 'https'}://${registryApiHost(registry)}`);
  }

  /**
   * Send a registry request: authorised (answering one challenge), retried on 429/5xx and
   * connection failures, following redirects for GET/HEAD without leaking Authorization to another
   * origin and never from https to http. Returns any final status; the caller handles it.
   */
  async request(r: RegistryRequest): Promise<HttpResponse> {
    const base = this.baseUrl(r.registry);
    const url = typeof r.url === 'string' ? new URL(r.url, base) : r.url;
    if (url.origin !== base.origin && base.protocol === 'https:' && url.protocol !== 'https:') {
      throw new OciError(
        'INSECURE',
        `${r.what}: the registry pointed to ${describeUrl(url)}, which is not https; refused`,
      );
    }
    return this.retrying(r.method, r.what, r.signal, () => this.sendAuthorized(r, url, base));
  }

  private async sendAuthorized(r: RegistryRequest, url: URL, base: URL): Promise<HttpResponse> {
    const apiHost = base.host;
    // While the first request to a host is learning its auth scheme, the others wait for it
    // instead of each collecting a 401 of their own.
    const firstContact = this.firstContacts.get(apiHost);
    if (firstContact !== undefined) await firstContact;
    let release: (() => void) | undefined;
    if (!this.contacted.has(apiHost) && !this.auth.knowsScheme(apiHost) && !this.firstContacts.has(apiHost)) {
      this.firstContacts.set(
        apiHost,
        new Promise<void>((resolve) => {
          release = () => {
            this.contacted.add(apiHost);
            this.firstContacts.delete(apiHost);
            resolve();
          };
        }),
      );
    }
    try {
      return await this.sendAuthorizedAfterContact(r, url, base, apiHost);
    } finally {
      release?.();
    }
  }

  private async sendAuthorizedAfterContact(
    r: RegistryRequest,
    url: URL,
    base: URL,
    apiHost: string,
  ): Promise<HttpResponse> {
    let authorization = await this.auth.authorize(r.registry, apiHost, r.scopes, r.signal);
    let sent = await this.sendFollowing(r, url, base, authorization);
    if (sent.response.status !== 401 || sent.url.origin !== base.origin) return sent.response;
    const challenges = parseChallenges(sent.response.headers.getAll('www-authenticate'));
    sent.response.discard();
    authorization = await this.auth.answer(
      r.registry,
      apiHost,
      r.scopes,
      challenges,
      authorization,
      `${r.registry}/${r.repository}`,
      r.signal,
    );
    sent = await this.sendFollowing(r, url, base, authorization);
    if (sent.response.status === 401 && sent.url.origin === base.origin) {
      sent.response.discard();
      throw await this.auth.rejected(r.registry, `${r.registry}/${r.repository}`);
    }
    return sent.response;
  }

  private async sendFollowing(
    r: RegistryRequest,
    url: URL,
    base: URL,
    authorization: string | undefined,
  ): Promise<{ response: HttpResponse; url: URL }> {
    const follow = r.method === 'GET' || r.method === 'HEAD';
    let current = url;
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = { ...r.headers };
      // Credentials go to the registry's own origin only: never to a redirect target elsewhere.
      if (authorization !== undefined && current.origin === base.origin)
        headers.authorization = authorization;
      const response = await this.sendRaw(r.method, current, headers, r.body, r.signal, r.bulk === true);
      if (!follow || !REDIRECTS.has(response.status)) return { response, url: current };
      const location = response.headers.get('location');
      response.discard();
      if (location === undefined || location === '') {
        throw new OciError('PROTOCOL', `${r.what}: HTTP ${response.status} redirect without a Location`);
      }
      if (hop + 1 > MAX_REDIRECTS) {
        throw new OciError(
          'PROTOCOL',
          `${r.what}: more than ${MAX_REDIRECTS} redirects; refusing to follow further`,
        );
      }
      let next: URL;
      try {
        next = new URL(location, current);
      } catch (error) {
        throw new OciError('PROTOCOL', `${r.what}: redirect to an invalid URL`, { cause: error });
      }
      if (next.protocol !== 'https:' && next.protocol !== 'http:') {
        throw new OciError('PROTOCOL', `${r.what}: redirect to unsupported scheme ${next.protocol}`);
      }
      if (current.protocol === 'https:' && next.protocol === 'http:') {
        throw new OciError(
          'INSECURE',
          `${r.what}: ${current.host} redirected from https to plain http (${next.host}); refusing to downgrade`,
        );
      }
      this.logger.debug(`oci: ${r.what}: redirected to ${next.host}`);
      current = next;
    }
  }

  private async sendRaw(
    method: HttpMethod,
    url: URL,
    headers: Record<string, string>,
    body: Uint8Array | undefined,
    signal: AbortSignal | undefined,
    bulk = false,
  ): Promise<HttpResponse> {
    const started = this.clock.now();
    try {
      const response = await this.transport.send({
        method,
        url,
        headers: { 'user-agent': 'scs-oci/0.1', ...headers },
        ...(body !== undefined ? { body } : {}),
        ...(signal !== undefined ? { signal } : {}),
        idleTimeoutMs: this.timeoutMs,
        ...(bulk ? {} : { deadlineMs: this.requestTimeoutMs }),
      });
      this.onRequest?.({
        method,
        url: describeUrl(url),
        status: response.status,
        durationMs: this.clock.now() - started,
      });
      return response;
    } catch (error) {
      this.onRequest?.({
        method,
        url: describeUrl(url),
        error: error instanceof OciError ? error.code : 'NETWORK',
        durationMs: this.clock.now() - started,
      });
      throw error;
    }
  }

  /** Run `attempt` until it gives a non-retryable answer or the retry budget is spent. */
  private async retrying(
    method: HttpMethod,
    what: string,
    signal: AbortSignal | undefined,
    attempt: () => Promise<HttpResponse>,
  ): Promise<HttpResponse> {
    // A PATCH may have been applied in part: only an explicit 429 (not processed) is retried.
    const idempotent = method !== 'PATCH';
    const { maxAttempts } = this.policy;
    for (let n = 1; ; n++) {
      let response: HttpResponse;
      try {
        response = await attempt();
      } catch (error) {
        if (n < maxAttempts && idempotent && isRetryableNetworkError(error) && signal?.aborted !== true) {
          const delay = backoffDelay(this.policy, n, this.random);
          this.logger.debug(`oci: ${what}: ${(error as Error).message}; retry ${n} in ${delay} ms`);
          await this.clock.sleep(delay, signal);
          continue;
        }
        if (error instanceof OciError && n > 1 && (error.code === 'NETWORK' || error.code === 'TIMEOUT')) {
          throw new OciError(error.code, `${error.message} (after ${n} attempts)`, { cause: error });
        }
        throw error;
      }
      const { status } = response;
      if (!this.policy.retryStatuses.includes(status) || (!idempotent && status !== 429)) return response;
      const code = status === 429 ? 'RATE_LIMITED' : 'SERVER';
      if (n >= maxAttempts) {
        const detail = this.auth.redact(registryErrorDetail(await readSmallText(response)));
        throw new OciError(
          code,
          `${what}: the registry answered HTTP ${status} ${n} time${n > 1 ? 's' : ''}${detail}; giving up, try again later`,
        );
      }
      const retryAfter = parseRetryAfter(response.headers.get('retry-after'), this.clock.now());
      response.discard();
      if (retryAfter !== undefined && retryAfter > this.policy.maxRetryAfterMs) {
        throw new OciError(
          code,
          `${what}: the registry answered HTTP ${status} and asks to wait ${Math.ceil(retryAfter / 1000)} s, longer than the ${Math.ceil(this.policy.maxRetryAfterMs / 1000)} s allowed; try again later`,
        );
      }
      const delay = retryAfter ?? backoffDelay(this.policy, n, this.random);
      this.logger.debug(`oci: ${what}: HTTP ${status}; retry ${n} in ${delay} ms`);
      await this.clock.sleep(delay, signal);
    }
  }

  /** The backoff before retry `n` (1-based) under this client's retry policy. */
  backoff(n: number): number {
    return backoffDelay(this.policy, n, this.random);
  }

  get maxAttempts(): number {
    return this.policy.maxAttempts;
  }

  /** The OciError for an unexpected answer, with the registry's own error code and message. */
  async errorFor(
    response: HttpResponse,
    what: string,
    registry: string,
    repository: string,
  ): Promise<OciError> {
    const detail = this.auth.redact(registryErrorDetail(await readSmallText(response)));
    const where = `${registry}/${repository}`;
    switch (response.status) {
      case 404:
        return new OciError(
          'NOT_FOUND',
          `${what}: not found in ${where}${detail}; check the registry, repository and tag or digest`,
        );
      case 401:
        return new OciError(
          'UNAUTHORIZED',
          `${what}: registry ${registry} refused access to ${repository}${detail}; log in or pass credentials that can read (and for a push, write) it`,
        );
      case 403:
        return new OciError(
          'DENIED',
          `${what}: registry ${registry} denied access to ${repository}${detail}; the credentials lack the permission (pull or push) for it`,
        );
      case 413:
        return new OciError(
          'TOO_LARGE',
          `${what}: registry ${registry} says the content is too large${detail}; the registry limits the size it accepts`,
        );
      case 400:
        return new OciError(
          /MANIFEST_INVALID|MANIFEST_BLOB_UNKNOWN|BLOB_UNKNOWN|DIGEST_INVALID|SIZE_INVALID/.test(detail)
            ? 'MANIFEST_INVALID'
            : 'PROTOCOL',
          `${what}: registry ${registry} rejected the request${detail}`,
        );
      default:
        return new OciError(
          'PROTOCOL',
          `${what}: registry ${registry} answered HTTP ${response.status}${detail}`,
        );
    }
  }
}

/** ` (CODE: message)` from a distribution error document, sanitised and clipped; '' if none. */
export function registryErrorDetail(body: string): string {
  try {
    const parsed = JSON.parse(body) as { errors?: { code?: unknown; message?: unknown }[] };
    const first = parsed.errors?.[0];
    if (first === undefined) return '';
    const code = typeof first.code === 'string' ? first.code : '';
    const message = typeof first.message === 'string' ? first.message : '';
    const text = [code, message].filter((s) => s !== '').join(': ');
    return text === '' ? '' : ` (${sanitise(text)})`;
  } catch {
    return '';
  }
}

function sanitise(text: string): string {
  const clean = Array.from(text, (c) => (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f ? ' ' : c)).join(
    '',
  );
  return clean.length > 300 ? `${clean.slice(0, 300)}…` : clean;
}
