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
        const chunk = Buffer.alloc(64 * 1024, 0x61);
        const pump = (): void => {
          while (!res.destroyed && res.write(chunk));
          if (!res.destroyed) res.once('drain', pump);
        };
        res.on('error', () => undefined);
        pump();
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
        const chunk = Buffer.alloc(256 * 1024, 0x20);
        const pump = (): void => {
          while (!res.destroyed && res.write(chunk));
          if (!res.destroyed) res.once('drain', pump);
        };
        res.on('error', () => undefined);
        pump();
      });
      const { store } = storeFor(server);
      await expect(store.fetchManifest('v1')).rejects.toMatchObject({ code: 'TOO_LARGE' });
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
