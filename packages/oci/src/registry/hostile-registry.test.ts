import { afterEach, describe, expect, it } from 'vitest';
import { testPki } from '../../../../test/harness/index.js';
import { staticCredentials } from '../auth/credentials.js';
import { sha256Digest } from '../digest.js';
import type { OciError } from '../errors.js';
import { NodeHttpTransport } from '../http/node-transport.js';
import {
  fakeClock,
  reply,
  requestLog,
  startLoopbackServer,
  type LoopbackServer,
  type SeenRequest,
} from '../test-support.js';
import { MEDIA_TYPES, type Descriptor } from '../types.js';
import { RegistryClient, type RegistryClientOptions } from './registry-client.js';
import { RegistryStore } from './registry-store.js';
import type { ServerResponse } from 'node:http';

const content = new TextEncoder().encode('the real content\n');
const blob: Descriptor = {
  mediaType: 'application/octet-stream',
  digest: sha256Digest(content),
  size: content.byteLength,
};
const SECRET = 's3cret-password-do-not-log';

const servers: LoopbackServer[] = [];
const transports: NodeHttpTransport[] = [];
afterEach(async () => {
  for (const t of transports.splice(0)) t.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(
  handler: (request: SeenRequest, response: ServerResponse) => void | Promise<void>,
  tls?: { key: string; cert: string },
): Promise<LoopbackServer> {
  const server = await startLoopbackServer(handler, tls);
  servers.push(server);
  return server;
}

function storeFor(
  server: LoopbackServer,
  options: Partial<RegistryClientOptions> = {},
): { store: RegistryStore; clock: ReturnType<typeof fakeClock>; log: ReturnType<typeof requestLog> } {
  const clock = fakeClock();
  const log = requestLog();
  const transport = new NodeHttpTransport();
  transports.push(transport);
  const client = new RegistryClient({
    transport,
    plainHttp: [server.host],
    clock,
    random: () => 0.5,
    onRequest: log.onRequest,
    timeoutMs: 2_000,
    ...options,
  });
  return { store: new RegistryStore(client, server.host, 'hostile/app'), clock, log };
}

/** Write `chunk` over and over, as fast as the client reads, until the client hangs up. */
function pumpForever(res: ServerResponse, chunk: Buffer): void {
  const pump = (): void => {
    while (!res.destroyed && res.write(chunk));
    if (!res.destroyed) res.once('drain', pump);
  };
  res.on('error', () => undefined);
  pump();
}

/** Write `chunk` every `everyMs` until the client hangs up or `times` chunks went out, then end. */
function trickle(res: ServerResponse, chunk: Buffer | string, everyMs: number, times = Infinity): void {
  let sent = 0;
  const timer = setInterval(() => {
    if (res.destroyed) {
      clearInterval(timer);
      return;
    }
    res.write(chunk);
    if (++sent >= times) {
      clearInterval(timer);
      res.end();
    }
  }, everyMs);
  res.on('close', () => {
    clearInterval(timer);
  });
  res.on('error', () => undefined);
}

describe('a hostile registry', () => {
  describe('when it serves content that does not match the digest', () => {
    it('refuses a blob with DIGEST_MISMATCH', async () => {
      const server = await serve((_req, res) => {
        reply(res, 200, 'the fake content\n'); // same size, other bytes
      });
      const { store } = storeFor(server);
      await expect(store.fetchBlob(blob)).rejects.toMatchObject({
        code: 'DIGEST_MISMATCH',
        isUserError: false,
        message: expect.stringMatching(
          /blob sha256:.* of 127\.0\.0\.1:\d+\/hostile\/app: content does not match its digest/,
        ) as string,
      });
    });

    it('refuses a manifest fetched by digest with DIGEST_MISMATCH', async () => {
      const manifest = JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.imageManifest,
        config: blob,
        layers: [],
      });
      const server = await serve((_req, res) => {
        reply(res, 200, manifest.replace('"layers":[]', '"layers": []'), {
          'content-type': MEDIA_TYPES.imageManifest,
        });
      });
      const { store } = storeFor(server);
      await expect(
        store.fetchManifest(sha256Digest(new TextEncoder().encode(manifest))),
      ).rejects.toMatchObject({
        code: 'DIGEST_MISMATCH',
      });
    });

    it('refuses a tag whose Docker-Content-Digest does not match the bytes', async () => {
      const manifest = JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.imageManifest,
        config: blob,
        layers: [],
      });
      const server = await serve((_req, res) => {
        reply(res, 200, manifest, {
          'content-type': MEDIA_TYPES.imageManifest,
          'docker-content-digest': blob.digest,
        });
      });
      const { store } = storeFor(server);
      await expect(store.fetchManifest('v1')).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    });

    it('refuses a HEAD that answers for another digest', async () => {
      const asked = sha256Digest(new TextEncoder().encode('asked'));
      const server = await serve((_req, res) => {
        res.writeHead(200, {
          'content-type': MEDIA_TYPES.imageManifest,
          'content-length': '100',
          'docker-content-digest': blob.digest,
        });
        res.end();
      });
      const { store } = storeFor(server);
      await expect(store.resolve(asked)).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    });
  });

  describe('when it sends a truncated body', () => {
    it('refuses it with SIZE_MISMATCH', async () => {
      const server = await serve((_req, res) => {
        reply(res, 200, content.subarray(0, 10));
      });
      const { store } = storeFor(server);
      await expect(store.fetchBlob(blob)).rejects.toMatchObject({
        code: 'SIZE_MISMATCH',
        message: expect.stringContaining('expected 17 bytes, got 10') as string,
      });
    });
  });

  describe('when it sends an endless body', () => {
    it('stops reading past the descriptor size and refuses with TOO_LARGE', async () => {
      const server = await serve((_req, res) => {
        res.writeHead(200);
        pumpForever(res, Buffer.alloc(64 * 1024, 0x61));
      });
      const { store } = storeFor(server);
      const big: Descriptor = { ...blob, size: 1024 * 1024 };
      await expect(store.fetchBlob(big)).rejects.toMatchObject({
        code: 'TOO_LARGE',
        message: expect.stringMatching(
          /more than 1048576 bytes but its descriptor says 1048576 bytes/,
        ) as string,
      });
    });

    it('stops reading a manifest past 4 MiB', async () => {
      const server = await serve((_req, res) => {
        res.writeHead(200, { 'content-type': MEDIA_TYPES.imageManifest });
        pumpForever(res, Buffer.alloc(256 * 1024, 0x20));
      });
      const { store } = storeFor(server);
      await expect(store.fetchManifest('v1')).rejects.toMatchObject({ code: 'TOO_LARGE' });
    });
  });

  describe('when a HEAD announces a manifest above 4 MiB', () => {
    it('refuses to resolve it', async () => {
      const server = await serve((_req, res) => {
        res.writeHead(200, {
          'content-type': MEDIA_TYPES.imageManifest,
          'content-length': String(5 * 1024 * 1024),
          'docker-content-digest': blob.digest,
        });
        res.end();
      });
      const { store } = storeFor(server);
      await expect(store.resolve('v1')).rejects.toMatchObject({
        code: 'TOO_LARGE',
        message: expect.stringContaining('the manifest is 5242880 bytes, above the 4194304 bytes') as string,
      });
    });
  });

  describe('when it announces a 10 GiB Content-Length', () => {
    it('refuses before reading the body', async () => {
      const server = await serve((_req, res) => {
        res.writeHead(200, { 'content-length': String(10 * 1024 ** 3) });
        res.write('just a few bytes');
      });
      const { store } = storeFor(server);
      await expect(store.fetchBlob(blob)).rejects.toMatchObject({
        code: 'TOO_LARGE',
        message: expect.stringContaining('10737418240 (Content-Length)') as string,
      });
    });
  });

  describe('when it rate-limits with 429 and Retry-After', () => {
    it('waits as asked, retries, then succeeds', async () => {
      let calls = 0;
      const server = await serve((_req, res) => {
        calls++;
        if (calls <= 2)
          reply(res, 429, '{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}', {
            'retry-after': '3',
          });
        else reply(res, 200, content);
      });
      const { store, clock } = storeFor(server);
      expect(await store.fetchBlob(blob)).toEqual(content);
      expect(clock.sleeps).toEqual([3000, 3000]);
      expect(calls).toBe(3);
    });

    it('reads Retry-After as an HTTP date against its clock', async () => {
      let calls = 0;
      const server = await serve((_req, res) => {
        calls++;
        // the injected clock starts at 1_700_000_000_000 ms (a whole second): 7 s later
        if (calls === 1) reply(res, 429, '', { 'retry-after': new Date(1_700_000_007_000).toUTCString() });
        else reply(res, 200, content);
      });
      const { store, clock } = storeFor(server);
      expect(await store.fetchBlob(blob)).toEqual(content);
      expect(clock.sleeps).toEqual([7000]);
    });

    it('backs off when Retry-After is a date already past or cannot be read', async () => {
      let calls = 0;
      const server = await serve((_req, res) => {
        calls++;
        if (calls === 1) reply(res, 503, '', { 'retry-after': 'Thu, 01 Jan 1970 00:00:00 GMT' });
        else if (calls === 2) reply(res, 503, '', { 'retry-after': 'later, please' });
        else reply(res, 200, content);
      });
      const { store, clock } = storeFor(server, { retry: { baseDelayMs: 100 } });
      expect(await store.fetchBlob(blob)).toEqual(content);
      // a past date means "now"; an unreadable one falls back to the backoff (3/4 of 200 ms)
      expect(clock.sleeps).toEqual([0, 150]);
    });

    it('gives up at once when Retry-After is longer than allowed', async () => {
      const server = await serve((_req, res) => {
        reply(res, 429, '', { 'retry-after': '3600' });
      });
      const { store, clock } = storeFor(server);
      await expect(store.fetchBlob(blob)).rejects.toMatchObject({
        code: 'RATE_LIMITED',
        message: expect.stringContaining('asks to wait 3600 s') as string,
      });
      expect(clock.sleeps).toEqual([]);
    });
  });

  describe('when it keeps failing with 5xx', () => {
    it('retries with growing backoff up to the bound, then says SERVER', async () => {
      const server = await serve((_req, res) => {
        reply(res, 503, '{"errors":[{"code":"UNAVAILABLE","message":"maintenance"}]}');
      });
      const { store, clock, log } = storeFor(server, { retry: { maxAttempts: 4, baseDelayMs: 100 } });
      await expect(store.fetchBlob(blob)).rejects.toMatchObject({
        code: 'SERVER',
        message: expect.stringMatching(/HTTP 503 4 times \(UNAVAILABLE: maintenance\); giving up/) as string,
      });
      expect(log.events).toHaveLength(4);
      // equal jitter with random() = 0.5: 3/4 of 100, 200, 400
      expect(clock.sleeps).toEqual([75, 150, 300]);
    });

    it('recovers when the failure is transient', async () => {
      let calls = 0;
      const server = await serve((_req, res) => {
        calls++;
        if (calls === 1) reply(res, 502);
        else reply(res, 200, content);
      });
      const { store } = storeFor(server);
      expect(await store.fetchBlob(blob)).toEqual(content);
    });
  });

  describe('when it resets the connection', () => {
    it('retries and succeeds', async () => {
      let calls = 0;
      const server = await serve((_req, res) => {
        calls++;
        if (calls === 1) res.socket?.destroy();
        else reply(res, 200, content);
      });
      const { store, clock } = storeFor(server);
      expect(await store.fetchBlob(blob)).toEqual(content);
      expect(clock.sleeps).toHaveLength(1);
    });
  });

  describe('when it trickles its answer a byte at a time', () => {
    it('fails a manifest with TIMEOUT at the request deadline, though bytes keep coming', async () => {
      const server = await serve((_req, res) => {
        res.writeHead(200, { 'content-type': MEDIA_TYPES.imageManifest });
        trickle(res, ' ', 20);
      });
      const { store } = storeFor(server, { timeoutMs: 2_000, requestTimeoutMs: 300 });
      await expect(store.fetchManifest('v1')).rejects.toMatchObject({
        code: 'TIMEOUT',
        message: expect.stringMatching(
          /GET http:\/\/127\.0\.0\.1:\d+\/v2\/hostile\/app\/manifests\/v1: not finished within 300 ms.*raise requestTimeoutMs/,
        ) as string,
      });
    });

    it('bounds a token request the same way', async () => {
      const tokens = await serve((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        trickle(res, ' ', 20);
      });
      const registry = await serve((_req, res) => {
        reply(res, 401, '', { 'www-authenticate': `Bearer realm="${tokens.url}/token",service="hostile"` });
      });
      const { store } = storeFor(registry, {
        plainHttp: [registry.host, tokens.host],
        timeoutMs: 2_000,
        requestTimeoutMs: 300,
      });
      await expect(store.fetchBlob(blob)).rejects.toMatchObject({
        code: 'TIMEOUT',
        message: expect.stringContaining('/token: not finished within 300 ms') as string,
      });
    });

    it('lets a blob above 4 MiB take longer: its size and the idle timeout bound it', async () => {
      const piece = Buffer.alloc(512 * 1024, 0x62);
      const large = Buffer.concat(Array.from({ length: 10 }, () => piece));
      const descriptor: Descriptor = {
        mediaType: 'application/octet-stream',
        digest: sha256Digest(large),
        size: large.byteLength,
      };
      const server = await serve((_req, res) => {
        res.writeHead(200, { 'content-length': String(large.byteLength) });
        trickle(res, piece, 60, 10); // about 600 ms in all
      });
      const { store } = storeFor(server, { timeoutMs: 2_000, requestTimeoutMs: 200 });
      expect(Buffer.from(await store.fetchBlob(descriptor)).equals(large)).toBe(true);
    });
  });

  describe('when its body stalls after the headers', () => {
    it('fails with TIMEOUT after the idle timeout', async () => {
      const server = await serve((_req, res) => {
        res.writeHead(200, { 'content-length': String(content.byteLength) });
        res.write(content.subarray(0, 5));
      });
      const { store } = storeFor(server, { timeoutMs: 150 });
      await expect(store.fetchBlob(blob)).rejects.toMatchObject({
        code: 'TIMEOUT',
        message: expect.stringContaining('the body stalled for 150 ms') as string,
      });
    });
  });

  describe('when it never answers', () => {
    it('fails with TIMEOUT after the idle timeout', async () => {
      const server = await serve(() => undefined);
      const { store } = storeFor(server, { timeoutMs: 150, retry: { maxAttempts: 2 } });
      await expect(store.fetchBlob(blob)).rejects.toMatchObject({
        code: 'TIMEOUT',
        message: expect.stringMatching(/no answer within 150 ms.*\(after 2 attempts\)/) as string,
      });
    });
  });

  describe('when it redirects a blob to another host', () => {
    it('follows without sending the Authorization header there', async () => {
      const storage = await serve((_req, res) => {
        reply(res, 200, content);
      });
      const registry = await serve((req, res) => {
        if (!req.headers.authorization) {
          reply(res, 401, '', { 'www-authenticate': 'Basic realm="hostile"' });
          return;
        }
        // another origin: "localhost" and another port
        reply(res, 307, '', { location: `http://localhost:${storage.host.split(':')[1]}/blob?sig=x` });
      });
      const { store } = storeFor(registry, {
        plainHttp: [registry.host],
        credentials: staticCredentials({
          [registry.host]: { kind: 'basic', username: 'u', password: SECRET },
        }),
      });
      expect(await store.fetchBlob(blob)).toEqual(content);
      expect(registry.requests.at(-1)?.headers.authorization).toMatch(/^Basic /);
      expect(storage.requests).toHaveLength(1);
      expect(storage.requests[0]?.headers.authorization).toBeUndefined();
    });

    it('does not send a bearer token there either', async () => {
      const storage = await serve((_req, res) => {
        reply(res, 200, content);
      });
      const tokens = await serve((_req, res) => {
        reply(res, 200, JSON.stringify({ token: 'bearer-token-for-the-registry-only' }));
      });
      const registry = await serve((req, res) => {
        if (req.headers.authorization !== 'Bearer bearer-token-for-the-registry-only') {
          reply(res, 401, '', { 'www-authenticate': `Bearer realm="${tokens.url}/token",service="hostile"` });
          return;
        }
        reply(res, 302, '', { location: `${storage.url}/blob` });
      });
      const { store } = storeFor(registry, { plainHttp: [registry.host, tokens.host, storage.host] });
      expect(await store.fetchBlob(blob)).toEqual(content);
      expect(storage.requests).toHaveLength(1);
      expect(storage.requests[0]?.headers.authorization).toBeUndefined();
    });

    it('refuses a redirect from https to http', async () => {
      const pki = await testPki();
      const plain = await serve((_req, res) => {
        reply(res, 200, content);
      });
      const registry = await serve(
        (_req, res) => {
          reply(res, 302, '', { location: `${plain.url}/blob` });
        },
        { key: pki.serverKeyPem, cert: pki.serverCertPem },
      );
      const transport = new NodeHttpTransport({ ca: pki.caCertPem });
      transports.push(transport);
      const client = new RegistryClient({ transport, clock: fakeClock() });
      const store = new RegistryStore(client, registry.host, 'hostile/app');
      await expect(store.fetchBlob(blob)).rejects.toMatchObject({
        code: 'INSECURE',
        message: expect.stringContaining('redirected from https to plain http') as string,
      });
      expect(plain.requests).toHaveLength(0);
    });
  });

  describe('when an https registry points to plain http elsewhere', () => {
    async function secureRegistry(
      handler: (request: SeenRequest, response: ServerResponse) => void,
    ): Promise<RegistryStore> {
      const pki = await testPki();
      const registry = await serve(handler, { key: pki.serverKeyPem, cert: pki.serverCertPem });
      const transport = new NodeHttpTransport({ ca: pki.caCertPem });
      transports.push(transport);
      return new RegistryStore(
        new RegistryClient({
          transport,
          clock: fakeClock(),
          credentials: staticCredentials({
            [registry.host]: { kind: 'basic', username: 'u', password: SECRET },
          }),
        }),
        registry.host,
        'hostile/app',
      );
    }

    it('refuses an upload Location over http, sending nothing there', async () => {
      const plain = await serve((_req, res) => {
        reply(res, 201);
      });
      const store = await secureRegistry((_req, res) => {
        reply(res, 202, '', { location: `${plain.url}/upload/1` });
      });
      await expect(
        store.pushBlob(new Uint8Array(300 * 1024), 'application/octet-stream'),
      ).rejects.toMatchObject({
        code: 'INSECURE',
        message: expect.stringContaining(
          `pointed to ${plain.url}/upload/1, which is not https; refused`,
        ) as string,
      });
      expect(plain.requests).toHaveLength(0);
    });

    it('refuses a token realm over http, sending no password there', async () => {
      const plain = await serve((_req, res) => {
        reply(res, 200, JSON.stringify({ token: 't' }));
      });
      const store = await secureRegistry((_req, res) => {
        reply(res, 401, '', { 'www-authenticate': `Bearer realm="${plain.url}/token",service="hostile"` });
      });
      const error = (await store.fetchBlob(blob).catch((e: unknown) => e)) as OciError;
      expect(error).toMatchObject({ code: 'INSECURE', isUserError: true });
      expect(error.message).toContain(`points to a token service over plain http (${plain.url})`);
      expect(error.message).not.toContain(SECRET);
      expect(plain.requests).toHaveLength(0);
    });
  });

  describe('when it takes uploads its own way', () => {
    /** A registry taking chunked uploads; `patch` decides each PATCH's answer (default 202). */
    async function uploads(
      options: { minChunk?: number; patch?: (n: number) => number; storedDigest?: string } = {},
    ): Promise<{ server: LoopbackServer; patches: number[] }> {
      const patches: number[] = [];
      const server = await serve((req, res) => {
        const url = new URL(req.path, 'http://x');
        if (req.method === 'POST') {
          reply(res, 202, '', {
            location: '/v2/hostile/app/blobs/uploads/session',
            ...(options.minChunk !== undefined ? { 'oci-chunk-min-length': String(options.minChunk) } : {}),
          });
        } else if (req.method === 'PATCH') {
          patches.push(req.body.byteLength);
          const status = options.patch?.(patches.length) ?? 202;
          reply(res, status, '', status === 202 ? { location: '/v2/hostile/app/blobs/uploads/session' } : {});
        } else if (req.method === 'PUT') {
          reply(res, 201, '', {
            'docker-content-digest': options.storedDigest ?? url.searchParams.get('digest') ?? '',
          });
        } else reply(res, 404);
      });
      return { server, patches };
    }
    const bytes = new Uint8Array(300 * 1024).map((_, i) => i % 253);

    it('sends chunks of at least OCI-Chunk-Min-Length', async () => {
      const { server, patches } = await uploads({ minChunk: 100 * 1024 });
      const { store } = storeFor(server, { chunkSizeBytes: 10 * 1024 });
      await store.pushBlob(bytes, 'application/octet-stream');
      // 100 KiB chunks instead of 10 KiB ones; the closing PUT carries the last piece
      expect(patches).toEqual([100 * 1024, 100 * 1024]);
      expect(server.requests.at(-1)?.body.byteLength).toBe(100 * 1024);
    });

    it('does not retry a chunk the registry may have applied (503), but does after a 429', async () => {
      const failing = await uploads({ patch: () => 503 });
      const { store, log } = storeFor(failing.server, { chunkSizeBytes: 100 * 1024 });
      await expect(store.pushBlob(bytes, 'application/octet-stream')).rejects.toMatchObject({
        message: expect.stringContaining('answered HTTP 503') as string,
      });
      expect(log.events.filter((e) => e.method === 'PATCH')).toHaveLength(1);

      const limited = await uploads({ patch: (n) => (n === 1 ? 429 : 202) });
      const second = storeFor(limited.server, { chunkSizeBytes: 100 * 1024 });
      await second.store.pushBlob(bytes, 'application/octet-stream');
      expect(limited.patches).toEqual([100 * 1024, 100 * 1024, 100 * 1024]);
      expect(second.clock.sleeps).toHaveLength(1);
    });

    it('refuses an upload the registry stored under another digest', async () => {
      const { server } = await uploads({ storedDigest: blob.digest });
      const { store } = storeFor(server, { chunkSizeBytes: 100 * 1024 });
      await expect(store.pushBlob(bytes, 'application/octet-stream')).rejects.toMatchObject({
        code: 'DIGEST_MISMATCH',
        message: expect.stringContaining(`the registry stored ${blob.digest} instead of`) as string,
      });
    });
  });

  describe('when a manifest push trips over DIGEST_INVALID (distribution 2.8 under concurrent blob writes)', () => {
    const manifest = new TextEncoder().encode(
      JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.imageManifest, config: blob, layers: [] }),
    );
    const invalid =
      '{"errors":[{"code":"DIGEST_INVALID","message":"provided digest did not match uploaded content"}]}';

    it('retries it, then succeeds', async () => {
      let puts = 0;
      const server = await serve((_req, res) => {
        puts++;
        if (puts === 1) reply(res, 400, invalid);
        else reply(res, 201, '', { 'docker-content-digest': sha256Digest(manifest) });
      });
      const { store, clock } = storeFor(server, { retry: { baseDelayMs: 100 } });
      expect((await store.pushManifest(manifest, MEDIA_TYPES.imageManifest)).digest).toBe(
        sha256Digest(manifest),
      );
      expect(puts).toBe(2);
      expect(clock.sleeps).toEqual([75]);
    });

    it("gives up after the retry budget with the registry's error", async () => {
      const server = await serve((_req, res) => {
        reply(res, 400, invalid);
      });
      const { store, log } = storeFor(server, { retry: { maxAttempts: 3 } });
      await expect(store.pushManifest(manifest, MEDIA_TYPES.imageManifest)).rejects.toMatchObject({
        code: 'MANIFEST_INVALID',
        message: expect.stringContaining(
          '(DIGEST_INVALID: provided digest did not match uploaded content)',
        ) as string,
      });
      expect(log.events).toHaveLength(3);
    });
  });

  describe('when the TLS certificate is from an unknown CA', () => {
    it('fails with a message naming the ca option', async () => {
      const pki = await testPki();
      const registry = await serve(
        (_req, res) => {
          reply(res, 200, content);
        },
        { key: pki.serverKeyPem, cert: pki.serverCertPem },
      );
      const transport = new NodeHttpTransport();
      transports.push(transport);
      const store = new RegistryStore(
        new RegistryClient({ transport, clock: fakeClock() }),
        registry.host,
        'hostile/app',
      );
      await expect(store.fetchBlob(blob)).rejects.toMatchObject({
        code: 'NETWORK',
        message: expect.stringContaining('pass its certificate with the "ca" option') as string,
      } satisfies Partial<OciError>);
    });
  });

  describe('when it echoes the credentials in its error messages', () => {
    it('masks them in ours', async () => {
      const registry = await serve((req, res) => {
        const authorization = req.headers.authorization;
        if (typeof authorization !== 'string') {
          reply(res, 401, '', { 'www-authenticate': 'Basic realm="hostile"' });
          return;
        }
        const decoded = Buffer.from(authorization.slice('Basic '.length), 'base64').toString();
        reply(
          res,
          404,
          JSON.stringify({
            errors: [{ code: 'BLOB_UNKNOWN', message: `no blob for ${authorization} (${decoded})` }],
          }),
        );
      });
      const { store } = storeFor(registry, {
        credentials: staticCredentials({
          [registry.host]: { kind: 'basic', username: 'alice', password: SECRET },
        }),
      });
      const error = (await store.fetchBlob(blob).catch((e: unknown) => e)) as OciError;
      expect(error.code).toBe('NOT_FOUND');
      expect(error.message).toContain('(BLOB_UNKNOWN: no blob for Basic *** (alice:***))');
      expect(error.message).not.toContain(SECRET);
      expect(error.message).not.toContain(Buffer.from(`alice:${SECRET}`).toString('base64'));
    });
  });

  describe('when it refuses the password', () => {
    it('names the registry and never the password', async () => {
      const registry = await serve((_req, res) => {
        reply(res, 401, '', { 'www-authenticate': 'Basic realm="hostile"' });
      });
      const { store } = storeFor(registry, {
        credentials: staticCredentials({
          [registry.host]: { kind: 'basic', username: 'alice', password: SECRET },
        }),
      });
      const error = (await store.fetchBlob(blob).catch((e: unknown) => e)) as OciError;
      expect(error.code).toBe('UNAUTHORIZED');
      expect(error.message).toContain(`registry ${registry.host} refused the credentials (user "alice"`);
      expect(error.message).not.toContain(SECRET);
      expect(JSON.stringify(error)).not.toContain(SECRET);
    });
  });
});
