/**
 * The HTTPS server of `scs serve`: TLS 1.3 only, optional mutual TLS, hot-swappable
 * certificate, the two Gatekeeper endpoints and the operational ones.
 *
 * - `POST /verify` and `POST /mutate`: a `ProviderRequest` in, a `ProviderResponse` out. With a
 *   client CA, only callers presenting a certificate it signed are answered (403 otherwise); a
 *   connection presenting a certificate it did not sign is closed at once.
 * - `GET /healthz` (the process answers), `GET /readyz` (a policy is loaded and the server is
 *   not shutting down), `GET /metrics` (Prometheus text): no client certificate needed, since
 *   kubelet probes present none.
 * - Bodies are bounded (413 before reading a declared oversize body, or as soon as a streamed
 *   one passes the limit); malformed requests get a 400 naming what is wrong; every answer is
 *   counted, timed and logged with the request's trace id.
 */
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { ProviderResponse } from '../bundle/external-data.js';
import { EXTERNAL_DATA_API_VERSION } from '../bundle/external-data.js';
import type { EngineAnswer, ProviderEngine } from './provider-engine.js';
import type { ProviderMetrics } from './metrics.js';
import { METRICS_CONTENT_TYPE } from './metrics.js';
import type { ProviderLogger } from './provider-logger.js';
import { traceIdOf } from './provider-logger.js';
import type { RequestLimits } from './provider-request.js';
import { parseProviderRequest } from './provider-request.js';

/** The serving certificate and key, and the CA that signs accepted client certificates. */
export interface TlsMaterial {
  certPem: string;
  keyPem: string;
  /** Present: mutual TLS on the Gatekeeper endpoints. */
  clientCaPem?: string;
}

export interface ProviderServerOptions {
  tls: TlsMaterial;
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  engine: Pick<ProviderEngine, 'verify' | 'mutate'>;
  metrics: ProviderMetrics;
  logger: ProviderLogger;
  limits: RequestLimits;
  /** Whether admission requests can be answered (a policy is loaded). */
  ready: () => boolean;
  /** Milliseconds, for durations. */
  now: () => number;
}

export interface ProviderServer {
  /** The port it listens on. */
  readonly port: number;
  /** Use new TLS material for new connections (hot reload). */
  setTls(material: TlsMaterial): void;
  /** True once `close` was called: `/readyz` answers 503. */
  readonly closing: boolean;
  /**
   * Stop accepting connections, let requests in flight finish (at most `graceMs`), then close
   * every connection.
   */
  close(graceMs: number): Promise<void>;
}

const ADMISSION_PATHS = new Set(['/verify', '/mutate']);
const KNOWN_PATHS = new Set(['/verify', '/mutate', '/healthz', '/readyz', '/metrics']);

function secureOptions(material: TlsMaterial): https.ServerOptions {
  return {
    cert: material.certPem,
    key: material.keyPem,
    minVersion: 'TLSv1.3',
    ...(material.clientCaPem === undefined ? {} : { ca: material.clientCaPem }),
  };
}

class BodyTooLarge extends Error {}

/** The request body, at most `max` bytes (rejects with BodyTooLarge past it). */
function readBody(request: IncomingMessage, max: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    request.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.byteLength;
      if (size > max) {
        done = true;
        request.pause();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    request.once('end', () => {
      if (done) return;
      done = true;
      resolve(new Uint8Array(Buffer.concat(chunks)));
    });
    request.once('error', (error) => {
      if (done) return;
      done = true;
      reject(error);
    });
  });
}

function providerResponse(items: readonly unknown[], systemError?: string): ProviderResponse {
  return {
    apiVersion: EXTERNAL_DATA_API_VERSION,
    kind: 'ProviderResponse',
    response: {
      idempotent: true,
      items: items as ProviderResponse['response']['items'],
      ...(systemError === undefined ? {} : { systemError }),
    },
  };
}

export async function startProviderServer(options: ProviderServerOptions): Promise<ProviderServer> {
  const clientAuth = options.tls.clientCaPem !== undefined;
  const server = https.createServer({
    ...secureOptions(options.tls),
    requestCert: clientAuth,
    // Checked per path: the probes come without a certificate.
    rejectUnauthorized: false,
    handshakeTimeout: 10_000,
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  // Longer than the callers' idle timeouts, so that the server is not the one closing a
  // connection a caller is about to reuse.
  server.keepAliveTimeout = 120_000;
  // Gatekeeper keeps a few connections per pod; thousands would be an attack or a leak.
  server.maxConnections = 2_048;

  let closing = false;
  let active = 0;
  let drained: (() => void) | undefined;

  server.on('secureConnection', (socket: TLSSocket) => {
    if (!clientAuth || socket.authorized) return;
    const peer = socket.getPeerCertificate();
    if (Object.keys(peer).length > 0) {
      options.logger.log('warn', 'refused a client certificate not signed by the client CA', {
        remote: socket.remoteAddress,
        reason: String(socket.authorizationError),
      });
      socket.destroy();
    }
  });
  server.on('tlsClientError', (error) => {
    options.logger.log('debug', 'TLS handshake failed', { reason: error.message });
  });

  const send = (
    response: ServerResponse,
    status: number,
    body: string,
    contentType = 'application/json',
  ): void => {
    response.statusCode = status;
    response.setHeader('content-type', contentType);
    response.setHeader('cache-control', 'no-store');
    if (closing) response.setHeader('connection', 'close');
    response.end(body);
  };
  const sendJson = (response: ServerResponse, status: number, value: unknown): void => {
    send(response, status, `${JSON.stringify(value)}\n`);
  };
  const refuse = (response: ServerResponse, status: number, message: string): void => {
    sendJson(response, status, providerResponse([], message));
  };

  async function admission(
    request: IncomingMessage,
    response: ServerResponse,
    path: string,
    traceId: string,
  ): Promise<number | undefined> {
    if (request.method !== 'POST') {
      response.setHeader('allow', 'POST');
      refuse(response, 405, `${path} takes POST with a ProviderRequest`);
      return undefined;
    }
    if (clientAuth && !(request.socket instanceof TLSSocket && request.socket.authorized)) {
      refuse(
        response,
        403,
        `${path} needs a client certificate signed by the provider's client CA (Gatekeeper's); none was presented`,
      );
      return undefined;
    }
    if (closing) {
      refuse(response, 503, 'the provider is shutting down; another replica answers');
      return undefined;
    }
    const declared = Number(request.headers['content-length'] ?? '0');
    let body: Uint8Array;
    try {
      if (declared > options.limits.maxBodyBytes) throw new BodyTooLarge();
      body = await readBody(request, options.limits.maxBodyBytes);
    } catch (error) {
      if (!(error instanceof BodyTooLarge)) throw error;
      response.setHeader('connection', 'close');
      refuse(
        response,
        413,
        `the request body is larger than ${options.limits.maxBodyBytes} bytes; send fewer keys per request`,
      );
      return undefined;
    }
    const parsed = parseProviderRequest(body, options.limits);
    if (!parsed.ok) {
      refuse(response, parsed.status, parsed.message);
      return undefined;
    }
    const answer: EngineAnswer<unknown> =
      path === '/verify'
        ? await options.engine.verify(parsed.keys, traceId)
        : await options.engine.mutate(parsed.keys, traceId);
    sendJson(response, 200, providerResponse(answer.items, answer.systemError ?? ''));
    return parsed.keys.length;
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = options.now();
    const header = request.headers.traceparent;
    const traceId = traceIdOf(typeof header === 'string' ? header : undefined);
    response.setHeader('x-trace-id', traceId);
    const path = new URL(request.url ?? '/', 'https://provider.invalid').pathname;
    let keys: number | undefined;
    try {
      if (ADMISSION_PATHS.has(path)) {
        keys = await admission(request, response, path, traceId);
      } else if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.setHeader('allow', 'GET');
        send(response, KNOWN_PATHS.has(path) ? 405 : 404, 'not found\n', 'text/plain; charset=utf-8');
      } else if (path === '/healthz') {
        send(response, 200, 'ok\n', 'text/plain; charset=utf-8');
      } else if (path === '/readyz') {
        const ready = options.ready() && !closing;
        send(response, ready ? 200 : 503, ready ? 'ready\n' : 'not ready\n', 'text/plain; charset=utf-8');
      } else if (path === '/metrics') {
        send(response, 200, options.metrics.render(), METRICS_CONTENT_TYPE);
      } else {
        send(response, 404, 'not found\n', 'text/plain; charset=utf-8');
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      options.logger.log('error', 'request failed', { traceId, path, reason: message });
      if (!response.headersSent) refuse(response, 500, `the provider failed: ${message}`);
      else response.destroy();
    } finally {
      const label = KNOWN_PATHS.has(path) ? path : 'other';
      const seconds = (options.now() - started) / 1000;
      options.metrics.httpRequests.inc({ path: label, code: String(response.statusCode) });
      options.metrics.httpDuration.observe(seconds, { path: label });
      if (ADMISSION_PATHS.has(path) || response.statusCode >= 400) {
        options.logger.log(response.statusCode >= 500 ? 'error' : 'info', 'request', {
          traceId,
          method: request.method,
          path: label,
          status: response.statusCode,
          durationMs: Math.round(seconds * 1000 * 10) / 10,
          ...(keys === undefined ? {} : { keys }),
        });
      }
    }
  }

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    active++;
    response.once('close', () => {
      active--;
      if (active === 0) drained?.();
    });
    void handle(request, response);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    get closing() {
      return closing;
    },
    setTls(material) {
      server.setSecureContext(secureOptions(material));
    },
    async close(graceMs) {
      closing = true;
      const closed = new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
      server.closeIdleConnections();
      if (active > 0) {
        await Promise.race([
          new Promise<void>((resolve) => {
            drained = resolve;
          }),
          new Promise((resolve) => setTimeout(resolve, graceMs).unref()),
        ]);
      }
      server.closeAllConnections();
      await closed;
    },
  };
}
