import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import { OciError } from '../errors.js';
import {
  describeUrl,
  headersFromPairs,
  type HttpRequest,
  type HttpResponse,
  type HttpTransport,
} from './transport.js';

export interface NodeTransportOptions {
  /** Extra CA certificates (PEM) trusted in addition to Node's default roots. */
  ca?: string | readonly string[];
  /** Connections kept open per host (keep-alive). */
  maxSockets?: number;
}

/** Bodies up to this size are drained on discard, keeping the connection. */
const DRAIN_LIMIT = 64 * 1024;

const TLS_ERROR = /^(?:CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_TLS_|ERR_SSL_|HOSTNAME_MISMATCH)/;

/**
 * The default transport: `node:http`/`node:https` with keep-alive agents, an idle timeout,
 * extra CA certificates, and no automatic redirects.
 */
export class NodeHttpTransport implements HttpTransport {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(options: NodeTransportOptions = {}) {
    const maxSockets = options.maxSockets ?? 16;
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets });
    const extraCa =
      options.ca === undefined ? [] : typeof options.ca === 'string' ? [options.ca] : [...options.ca];
    this.httpsAgent = new https.Agent({
      keepAlive: true,
      maxSockets,
      ...(extraCa.length > 0
        ? {
            // `ca` replaces Node's roots: keep them so public registries still verify.
            ca: [...rootCertificates, ...extraCa],
          }
        : {}),
    });
  }

  /** Close idle keep-alive connections. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  send(request: HttpRequest): Promise<HttpResponse> {
    const { url } = request;
    const isHttps = url.protocol === 'https:';
    if (!isHttps && url.protocol !== 'http:') {
      return Promise.reject(new OciError('UNSUPPORTED', `unsupported URL scheme in ${describeUrl(url)}`));
    }
    if (request.signal?.aborted) {
      return Promise.reject(new OciError('ABORTED', `request to ${describeUrl(url)} was aborted`));
    }
    const module = isHttps ? https : http;
    return new Promise<HttpResponse>((resolve, reject) => {
      let settled = false;
      const headers: Record<string, string> = { ...request.headers };
      if (request.body !== undefined) headers['content-length'] = String(request.body.byteLength);
      const req = module.request(url, {
        method: request.method,
        headers,
        agent: isHttps ? this.httpsAgent : this.httpAgent,
      });
      const fail = (error: unknown): void => {
        if (settled) return;
        settled = true;
        cleanup();
        reject(toOciError(error, request));
      };
      const onAbort = (): void => {
        req.destroy(new OciError('ABORTED', `request to ${describeUrl(url)} was aborted`));
      };
      let deadline: NodeJS.Timeout | undefined;
      let responseStream: http.IncomingMessage | undefined;
      if (request.deadlineMs !== undefined) {
        const deadlineMs = request.deadlineMs;
        deadline = setTimeout(() => {
          const error = new OciError(
            'TIMEOUT',
            `${request.method} ${describeUrl(url)}: not finished within ${deadlineMs} ms; the server is too slow or trickles its answer (raise requestTimeoutMs if it is just slow)`,
          );
          if (responseStream !== undefined) responseStream.destroy(error);
          else req.destroy(error);
        }, deadlineMs);
        deadline.unref();
      }
      const cleanup = (): void => {
        clearTimeout(deadline);
        request.signal?.removeEventListener('abort', onAbort);
      };
      request.signal?.addEventListener('abort', onAbort, { once: true });
      req.setTimeout(request.idleTimeoutMs, () => {
        req.destroy(
          new OciError(
            'TIMEOUT',
            `${request.method} ${describeUrl(url)}: no answer within ${request.idleTimeoutMs} ms; the server is slow or unreachable (raise timeoutMs if it is just slow)`,
          ),
        );
      });
      req.on('error', fail);
      req.on('response', (res) => {
        if (settled) {
          res.destroy();
          return;
        }
        settled = true;
        responseStream = res;
        // From here, errors surface through the body iterator.
        res.setTimeout(request.idleTimeoutMs, () => {
          res.destroy(
            new OciError(
              'TIMEOUT',
              `${request.method} ${describeUrl(url)}: the body stalled for ${request.idleTimeoutMs} ms; the server is slow or unreachable`,
            ),
          );
        });
        const body = (async function* (): AsyncGenerator<Uint8Array> {
          try {
            for await (const chunk of res) yield chunk as Uint8Array;
          } catch (error) {
            throw toOciError(error, request);
          } finally {
            cleanup();
          }
        })();
        resolve({
          status: res.statusCode ?? 0,
          headers: headersFromPairs(res.rawHeaders),
          body,
          discard: () => {
            cleanup();
            if (res.destroyed) return;
            // Drain a short, framed body so the keep-alive connection can be reused; cut off
            // anything else (unframed, large, endless).
            const length = Number(res.headers['content-length'] ?? NaN);
            if (
              res.complete ||
              request.method === 'HEAD' ||
              res.statusCode === 204 ||
              res.statusCode === 304 ||
              length <= DRAIN_LIMIT
            ) {
              res.resume();
            } else {
              res.destroy();
            }
          },
        });
      });
      req.end(
        request.body === undefined
          ? undefined
          : Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength),
      );
    });
  }
}

/** Map a Node network error to an OciError naming the URL (never headers: they hold credentials). */
export function toOciError(error: unknown, request: Pick<HttpRequest, 'method' | 'url'>): OciError {
  if (error instanceof OciError) return error;
  const code = (error as { code?: unknown }).code;
  const text = typeof code === 'string' ? code : (error as Error).message;
  const where = `${request.method} ${describeUrl(request.url)}`;
  if (typeof code === 'string' && TLS_ERROR.test(code)) {
    return new OciError(
      'NETWORK',
      `${where}: TLS verification failed (${code}); if the registry uses a private CA, pass its certificate with the "ca" option`,
      { cause: error },
    );
  }
  if (code === 'EPROTO' || /wrong version number|packet length too long/i.test((error as Error).message)) {
    return new OciError(
      'NETWORK',
      `${where}: TLS handshake failed (${text}); the server may speak plain HTTP: only if you trust the network, opt in with "plainHttp"`,
      { cause: error },
    );
  }
  return new OciError('NETWORK', `${where}: connection failed (${text})`, { cause: error });
}

/** Error codes of connection failures worth retrying. */
export function isRetryableNetworkError(error: unknown): boolean {
  if (!(error instanceof OciError)) return false;
  if (error.code === 'TIMEOUT') return true;
  if (error.code !== 'NETWORK') return false;
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  const code = typeof cause?.code === 'string' ? cause.code : '';
  return (
    ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH'].includes(
      code,
    ) || cause?.message === 'socket hang up'
  );
}
