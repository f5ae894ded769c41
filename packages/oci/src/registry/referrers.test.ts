import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, testPki, type TestRegistry } from '../../../../test/harness/index.js';
import { staticCredentials } from '../auth/credentials.js';
import { sha256Digest } from '../digest.js';
import { NodeHttpTransport } from '../http/node-transport.js';
import { encodeJson } from '../manifest.js';
import { copyGraph } from '../copy-graph.js';
import { fetchReferrer } from '../fetch-referrer.js';
import { LayoutStore } from '../layout/layout-store.js';
import {
  reply,
  requestLog,
  sampleImage,
  startLoopbackServer,
  withTempDir,
  type LoopbackServer,
  pushSampleImage,
} from '../test-support.js';
import { MEDIA_TYPES, type Descriptor, type ImageIndex } from '../types.js';
import { RegistryClient, type RegistryClientOptions } from './registry-client.js';
import { RegistryStore } from './registry-store.js';
import { referrersTag } from './referrers-tag-schema.js';

const note = (i: number): { mediaType: string; content: Uint8Array } => ({
  mediaType: 'text/plain',
  content: new TextEncoder().encode(`note ${i} ${Math.random()}`),
});

describe('referrers on distribution 2.8 (tag schema)', () => {
  let registry: TestRegistry;
  let transport: NodeHttpTransport;
  let subject: Descriptor;

  beforeAll(async () => {
    registry = await startRegistry({ auth: 'none' });
    transport = new NodeHttpTransport();
    const store = new RegistryStore(
      new RegistryClient({ transport, plainHttp: true }),
      registry.host,
      'concurrent/app',
    );
    subject = await pushSampleImage(store, sampleImage('subject'), 'v1');
  });
  afterAll(async () => {
    transport.close();
    await registry.stop();
  });

  it('attach pushes the artifact and lists it under sha256-<hex>, with artifactType and annotations', async () => {
    const store = new RegistryStore(
      new RegistryClient({ transport, plainHttp: true }),
      registry.host,
      'concurrent/app',
    );
    const attached = await store.attach({
      subject,
      artifactType: 'application/spdx+json',
      layers: [
        {
          mediaType: 'application/spdx+json',
          content: new TextEncoder().encode('{"spdxVersion":"SPDX-2.3"}'),
        },
      ],
      annotations: { 'org.opencontainers.image.created': '2026-01-01T00:00:00Z' },
    });
    const tagIndex = await store.fetchManifest(referrersTag(subject.digest));
    expect((tagIndex.manifest as ImageIndex).manifests).toContainEqual(attached);
    expect(await store.referrers(subject, { artifactType: 'application/spdx+json' })).toEqual([attached]);
    const { manifest } = await store.fetchManifest(attached);
    expect(manifest).toMatchObject({
      artifactType: 'application/spdx+json',
      subject,
      config: { mediaType: MEDIA_TYPES.emptyJson },
    });
  });

  describe('when the tag index lists a manifest that is not a referrer', () => {
    it('fetchReferrer and copyGraph refuse the entry', async () => {
      const client = new RegistryClient({ transport, plainHttp: true });
      const store = new RegistryStore(client, registry.host, 'tampered/app');
      const victim = await pushSampleImage(store, sampleImage('victim'), 'v1');
      // a signature of some other image, then a forged index naming it under the victim
      const other = sampleImage('other');
      const elsewhere = await store.attach({
        subject: other.descriptor,
        artifactType: MEDIA_TYPES.notarySignature,
        layers: [note(7)],
      });
      const forged = encodeJson({
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.imageIndex,
        manifests: [elsewhere],
      });
      await store.pushManifest(forged, MEDIA_TYPES.imageIndex, { tag: referrersTag(victim.digest) });

      const [listed] = await store.referrers(victim);
      expect(listed?.digest).toBe(elsewhere.digest);
      await expect(fetchReferrer(store, victim, listed!)).rejects.toMatchObject({
        code: 'MANIFEST_INVALID',
        message: expect.stringContaining('is listed as a referrer of') as string,
      });
      await withTempDir(async (dir) => {
        await expect(
          copyGraph(store, new LayoutStore(dir), victim, { referrers: true }),
        ).rejects.toMatchObject({
          code: 'MANIFEST_INVALID',
        });
      });
    });
  });

  describe('when N attaches run in parallel', () => {
    it('through one client, all end up listed (merged into few writes)', async () => {
      const log = requestLog();
      const store = new RegistryStore(
        new RegistryClient({ transport, plainHttp: true, onRequest: log.onRequest }),
        registry.host,
        'concurrent/app',
      );
      const attached = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          store.attach({ subject, artifactType: 'application/vnd.example.note', layers: [note(i)] }),
        ),
      );
      const listed = await store.referrers(subject, { artifactType: 'application/vnd.example.note' });
      expect(listed.map((d) => d.digest)).toEqual(expect.arrayContaining(attached.map((d) => d.digest)));
      const tagWrites = log.events.filter(
        (e) => e.method === 'PUT' && e.url.endsWith(referrersTag(subject.digest)),
      );
      expect(tagWrites.length).toBeLessThan(12);
    });

    it('through separate clients (separate processes), none is lost', async () => {
      const stores = Array.from(
        { length: 6 },
        () =>
          new RegistryStore(
            new RegistryClient({ transport, plainHttp: true }),
            registry.host,
            'concurrent/app',
          ),
      );
      const attached = await Promise.all(
        stores.map((store, i) =>
          store.attach({ subject, artifactType: 'application/vnd.example.race', layers: [note(100 + i)] }),
        ),
      );
      const fresh = new RegistryStore(
        new RegistryClient({ transport, plainHttp: true }),
        registry.host,
        'concurrent/app',
      );
      const listed = await fresh.referrers(subject, { artifactType: 'application/vnd.example.race' });
      expect(new Set(listed.map((d) => d.digest))).toEqual(new Set(attached.map((d) => d.digest)));
    });
  });
});

describe('a registry with the referrers API (loopback fake implementing distribution 1.1)', () => {
  let server: LoopbackServer;
  const manifests = new Map<string, { type: string; bytes: Buffer }>();
  let filtersApplied = true;
  const SUBJECT = sha256Digest(new TextEncoder().encode('subject'));

  beforeAll(async () => {
    server = await startLoopbackServer((req, res) => {
      const url = new URL(req.path, 'http://x');
      const blobUpload = url.pathname === '/v2/app/blobs/uploads/';
      if (blobUpload && req.method === 'POST') {
        reply(res, 201, '', { 'docker-content-digest': url.searchParams.get('digest') ?? '' });
        return;
      }
      const put = /^\/v2\/app\/manifests\/(.+)$/.exec(url.pathname);
      if (put && req.method === 'PUT') {
        const digest = sha256Digest(req.body);
        manifests.set(digest, { type: String(req.headers['content-type']), bytes: req.body });
        const parsed = JSON.parse(req.body.toString()) as { subject?: Descriptor };
        reply(res, 201, '', {
          'docker-content-digest': digest,
          ...(parsed.subject ? { 'oci-subject': parsed.subject.digest } : {}),
        });
        return;
      }
      const referrers = /^\/v2\/app\/referrers\/(.+)$/.exec(url.pathname);
      if (referrers && req.method === 'GET') {
        const wanted = url.searchParams.get('artifactType');
        const all: Descriptor[] = [];
        for (const [digest, { type, bytes }] of manifests) {
          const m = JSON.parse(bytes.toString()) as { subject?: Descriptor; artifactType?: string };
          if (m.subject?.digest !== referrers[1]) continue;
          if (filtersApplied && wanted !== null && m.artifactType !== wanted) continue;
          all.push({
            mediaType: type,
            digest,
            size: bytes.byteLength,
            ...(m.artifactType ? { artifactType: m.artifactType } : {}),
          });
        }
        // two per page, with Link to the next
        const page = Number(url.searchParams.get('page') ?? '0');
        const slice = all.slice(page * 2, page * 2 + 2);
        const headers: Record<string, string> = { 'content-type': MEDIA_TYPES.imageIndex };
        if (filtersApplied && wanted !== null) headers['oci-filters-applied'] = 'artifactType';
        if (page * 2 + 2 < all.length) {
          const next = new URL(url);
          next.searchParams.set('page', String(page + 1));
          headers.link = `<${next.pathname}${next.search}>; rel="next"`;
        }
        reply(
          res,
          200,
          encodeJson({ schemaVersion: 2, mediaType: MEDIA_TYPES.imageIndex, manifests: slice }),
          headers,
        );
        return;
      }
      reply(res, 404);
    });
  });
  afterAll(async () => {
    await server.close();
  });
  afterEach(() => {
    filtersApplied = true;
  });

  it('attaches without touching a tag index, then pages through the API', async () => {
    const log = requestLog();
    const transport = new NodeHttpTransport();
    try {
      const store = new RegistryStore(
        new RegistryClient({ transport, plainHttp: [server.host], onRequest: log.onRequest }),
        server.host,
        'app',
      );
      const subject = { mediaType: MEDIA_TYPES.imageManifest, digest: SUBJECT, size: 7 };
      const types = ['application/a', 'application/b', 'application/a', 'application/c', 'application/a'];
      for (const [i, artifactType] of types.entries()) {
        await store.attach({ subject, artifactType, layers: [note(i)] });
      }
      expect(log.events.filter((e) => e.url.includes('sha256-'))).toEqual([]);
      // single-POST uploads, one per distinct blob (the empty config once), one PUT per manifest
      expect(log.events.map((e) => e.method).sort()).toEqual([
        ...Array<string>(6).fill('POST'),
        ...Array<string>(5).fill('PUT'),
      ]);

      log.reset();
      const all = await store.referrers(subject);
      expect(all).toHaveLength(5);
      expect(log.events.map((e) => e.method)).toEqual(['GET', 'GET', 'GET']);

      expect(
        (await store.referrers(subject, { artifactType: 'application/a' })).map((d) => d.artifactType),
      ).toEqual(['application/a', 'application/a', 'application/a']);
      filtersApplied = false;
      expect(await store.referrers(subject, { artifactType: 'application/c' })).toHaveLength(1);
    } finally {
      transport.close();
    }
  });
});

describe('a registry without the referrers API that honours If-Match (loopback fake)', () => {
  it("sends If-Match with the ETag it read, and on 412 merges the other writer's entry", async () => {
    const tags = new Map<string, { bytes: Buffer; etag: string; type: string }>();
    const stored = new Map<string, Buffer>();
    let interfere = true;
    const ifMatchSeen: (string | undefined)[] = [];
    const otherWriter: Descriptor = {
      mediaType: MEDIA_TYPES.imageManifest,
      digest: sha256Digest(new TextEncoder().encode('someone else')),
      size: 12,
      artifactType: 'application/other',
    };
    const server = await startLoopbackServer((req, res) => {
      const url = new URL(req.path, 'http://x');
      if (url.pathname === '/v2/app/blobs/uploads/' && req.method === 'POST') {
        reply(res, 201, '', { 'docker-content-digest': url.searchParams.get('digest') ?? '' });
        return;
      }
      const m = /^\/v2\/app\/manifests\/(.+)$/.exec(url.pathname);
      if (!m?.[1]) {
        reply(res, 404);
        return;
      }
      const ref = m[1];
      if (req.method === 'PUT') {
        const digest = sha256Digest(req.body);
        if (ref.startsWith('sha256-')) {
          const ifMatch = req.headers['if-match'] as string | undefined;
          ifMatchSeen.push(ifMatch);
          const current = tags.get(ref);
          if (interfere && current !== undefined) {
            // another writer lands between our read and our write
            interfere = false;
            const index = JSON.parse(current.bytes.toString()) as ImageIndex;
            index.manifests.push(otherWriter);
            const bytes = Buffer.from(JSON.stringify(index));
            tags.set(ref, { bytes, etag: `"${sha256Digest(bytes)}"`, type: MEDIA_TYPES.imageIndex });
          }
          const now = tags.get(ref);
          if (ifMatch !== undefined && now !== undefined && ifMatch !== now.etag) {
            reply(res, 412);
            return;
          }
          tags.set(ref, { bytes: req.body, etag: `"${digest}"`, type: MEDIA_TYPES.imageIndex });
        } else {
          stored.set(digest, req.body);
        }
        reply(res, 201, '', { 'docker-content-digest': digest }); // no OCI-Subject: no API
        return;
      }
      if (req.method === 'GET') {
        const tag = tags.get(ref);
        if (tag) {
          reply(res, 200, tag.bytes, { 'content-type': tag.type, etag: tag.etag });
          return;
        }
      }
      reply(res, 404);
    });
    const transport = new NodeHttpTransport();
    try {
      const store = new RegistryStore(new RegistryClient({ transport, plainHttp: true }), server.host, 'app');
      const subject = {
        mediaType: MEDIA_TYPES.imageManifest,
        digest: sha256Digest(new TextEncoder().encode('s')),
        size: 1,
      };
      const first = await store.attach({ subject, artifactType: 'application/a', layers: [note(1)] });
      const second = await store.attach({ subject, artifactType: 'application/b', layers: [note(2)] });
      // first write: no tag yet, so no If-Match; then If-Match with the ETag read, refused once
      expect(ifMatchSeen[0]).toBeUndefined();
      expect(ifMatchSeen.slice(1).every((v) => v?.startsWith('"sha256:'))).toBe(true);
      expect(ifMatchSeen.length).toBe(3);
      const listed = await store.referrers(subject);
      expect(listed.map((d) => d.digest)).toEqual([first.digest, otherWriter.digest, second.digest]);
    } finally {
      transport.close();
      await server.close();
    }
  });
});

describe('paging through the referrers API (loopback fakes)', () => {
  const SUBJECT = sha256Digest(new TextEncoder().encode('paged subject'));
  const subject = { mediaType: MEDIA_TYPES.imageManifest, digest: SUBJECT, size: 13 };
  const referrer = (i: number): Descriptor => ({
    mediaType: MEDIA_TYPES.imageManifest,
    digest: sha256Digest(new TextEncoder().encode(`referrer ${i}`)),
    size: 100 + i,
    artifactType: 'application/vnd.example.page',
  });
  const page = (...manifests: Descriptor[]): Uint8Array =>
    encodeJson({ schemaVersion: 2, mediaType: MEDIA_TYPES.imageIndex, manifests });
  const servers: LoopbackServer[] = [];
  const transports: NodeHttpTransport[] = [];
  afterEach(async () => {
    for (const t of transports.splice(0)) t.close();
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  const clientFor = (options: Partial<RegistryClientOptions> = {}): RegistryClient => {
    const transport = new NodeHttpTransport();
    transports.push(transport);
    return new RegistryClient({ transport, plainHttp: true, ...options });
  };

  it('follows an absolute next link to another host without sending it the Authorization', async () => {
    const password = 'paging-password-not-for-other-hosts';
    const server = await startLoopbackServer((req, res) => {
      const url = new URL(req.path, 'http://x');
      const host = String(req.headers.host);
      if (url.pathname === `/v2/app/referrers/${SUBJECT}` && host.startsWith('127.0.0.1:')) {
        if (req.headers.authorization === undefined) {
          reply(res, 401, '', { 'www-authenticate': 'Basic realm="paging"' });
          return;
        }
        // the next page lives on another origin of the same server ("localhost")
        reply(res, 200, page(referrer(1)), {
          'content-type': MEDIA_TYPES.imageIndex,
          link: `<http://localhost:${host.split(':')[1]}/v2/app/referrers/${SUBJECT}?last=1>; rel="next"`,
        });
        return;
      }
      if (url.pathname === `/v2/app/referrers/${SUBJECT}` && url.searchParams.get('last') === '1') {
        reply(res, 200, page(referrer(2)), { 'content-type': MEDIA_TYPES.imageIndex });
        return;
      }
      reply(res, 404);
    });
    servers.push(server);
    const store = new RegistryStore(
      clientFor({
        credentials: staticCredentials({ [server.host]: { kind: 'basic', username: 'u', password } }),
      }),
      server.host,
      'app',
    );
    expect((await store.referrers(subject)).map((d) => d.digest)).toEqual([
      referrer(1).digest,
      referrer(2).digest,
    ]);
    const second = server.requests.find((r) => r.path.includes('last=1'));
    expect(second?.headers.host).toMatch(/^localhost:/);
    expect(second?.headers.authorization).toBeUndefined();
    expect(server.requests.filter((r) => r.headers.authorization !== undefined).length).toBe(1);
  });

  it('refuses a next link that leaves https for http', async () => {
    const pki = await testPki();
    const plain = await startLoopbackServer((_req, res) => {
      reply(res, 200, page(referrer(9)), { 'content-type': MEDIA_TYPES.imageIndex });
    });
    servers.push(plain);
    const secure = await startLoopbackServer(
      (_req, res) => {
        reply(res, 200, page(referrer(1)), {
          'content-type': MEDIA_TYPES.imageIndex,
          link: `<${plain.url}/v2/app/referrers/${SUBJECT}?last=1>; rel="next"`,
        });
      },
      { key: pki.serverKeyPem, cert: pki.serverCertPem },
    );
    servers.push(secure);
    const transport = new NodeHttpTransport({ ca: pki.caCertPem });
    transports.push(transport);
    const store = new RegistryStore(new RegistryClient({ transport }), secure.host, 'app');
    await expect(store.referrers(subject)).rejects.toMatchObject({
      code: 'INSECURE',
      message: expect.stringContaining('which is not https; refused') as string,
    });
    expect(plain.requests).toHaveLength(0);
  });

  it('stops after 64 pages of a registry that links on forever', async () => {
    const server = await startLoopbackServer((req, res) => {
      const n = Number(new URL(req.path, 'http://x').searchParams.get('n') ?? '0');
      reply(res, 200, page(referrer(n)), {
        'content-type': MEDIA_TYPES.imageIndex,
        link: `</v2/app/referrers/${SUBJECT}?n=${n + 1}>; rel="next"`,
      });
    });
    servers.push(server);
    const store = new RegistryStore(clientFor(), server.host, 'app');
    await expect(store.referrers(subject)).rejects.toMatchObject({
      code: 'PROTOCOL',
      message: expect.stringContaining('more than 64 pages of referrers') as string,
    });
    expect(server.requests).toHaveLength(64);
  });
});

describe('the referrers mode, remembered per registry', () => {
  it('probes each registry once: the API on one does not skip the probe on another, nor the reverse', async () => {
    const registry = await startRegistry({ auth: 'none' });
    const SUBJECT = sha256Digest(new TextEncoder().encode('two registries'));
    const subject = { mediaType: MEDIA_TYPES.imageManifest, digest: SUBJECT, size: 14 };
    const withApi = await startLoopbackServer((req, res) => {
      if (req.path.startsWith('/v2/missing/')) {
        reply(
          res,
          404,
          '{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry"}]}',
          {
            'content-type': 'application/json',
          },
        );
        return;
      }
      if (req.path === `/v2/app/referrers/${SUBJECT}`) {
        reply(res, 200, encodeJson({ schemaVersion: 2, mediaType: MEDIA_TYPES.imageIndex, manifests: [] }), {
          'content-type': MEDIA_TYPES.imageIndex,
        });
        return;
      }
      reply(res, 404);
    });
    const transport = new NodeHttpTransport();
    try {
      const log = requestLog();
      const client = new RegistryClient({ transport, plainHttp: true, onRequest: log.onRequest });
      const onDistribution = new RegistryStore(client, registry.host, 'app');
      const onApi = new RegistryStore(client, withApi.host, 'app');
      const paths = (): string[] =>
        log.events.map((e) => `${new URL(e.url).host} ${new URL(e.url).pathname}`);
      const api = `${withApi.host} /v2/app/referrers/${SUBJECT}`;
      const probe = `${registry.host} /v2/app/referrers/${SUBJECT}`;
      const tag = `${registry.host} /v2/app/manifests/${referrersTag(SUBJECT)}`;

      await onDistribution.referrers(subject);
      await onApi.referrers(subject);
      expect(paths()).toEqual([probe, tag, api]);
      expect(client.referrersModes.get(registry.host)).toBe('tag-schema');
      expect(client.referrersModes.get(withApi.host)).toBe('api');

      log.reset();
      await onApi.referrers(subject);
      await onDistribution.referrers(subject);
      await new RegistryStore(client, registry.host, 'other/repository').referrers(subject);
      expect(paths()).toEqual([
        api,
        tag,
        `${registry.host} /v2/other/repository/manifests/${referrersTag(SUBJECT)}`,
      ]);

      // a repository the API registry does not have (404 NAME_UNKNOWN), asked first, does not make
      // it a tag-schema registry: the next repository is listed through the API
      const first = requestLog();
      const newcomer = new RegistryClient({ transport, plainHttp: true, onRequest: first.onRequest });
      expect(await new RegistryStore(newcomer, withApi.host, 'missing').referrers(subject)).toEqual([]);
      expect(newcomer.referrersModes.has(withApi.host)).toBe(false);
      await new RegistryStore(newcomer, withApi.host, 'app').referrers(subject);
      expect(first.events.map((e) => new URL(e.url).pathname)).toEqual([
        `/v2/missing/referrers/${SUBJECT}`,
        `/v2/missing/manifests/${referrersTag(SUBJECT)}`,
        `/v2/app/referrers/${SUBJECT}`,
      ]);
      expect(newcomer.referrersModes.get(withApi.host)).toBe('api');

      // a fresh client knows nothing yet and probes again
      const fresh = requestLog();
      await new RegistryStore(
        new RegistryClient({ transport, plainHttp: true, onRequest: fresh.onRequest }),
        registry.host,
        'app',
      ).referrers(subject);
      expect(fresh.events).toHaveLength(2);
    } finally {
      transport.close();
      await withApi.close();
      await registry.stop();
    }
  });
});
