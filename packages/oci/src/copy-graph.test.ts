import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  makeUmociImage,
  run,
  sharedPath,
  skopeoInspect,
  skopeoInspectRaw,
  startRegistry,
  type TestRegistry,
} from '../../../test/harness/index.js';
import { readdir, writeFile } from 'node:fs/promises';
import { copyGraph } from './copy-graph.js';
import { childDescriptors } from './manifest.js';
import { parseDigest, sha256Digest } from './digest.js';
import { NodeHttpTransport } from './http/node-transport.js';
import { LayoutStore } from './layout/layout-store.js';
import { RegistryClient } from './registry/registry-client.js';
import { RegistryStore } from './registry/registry-store.js';
import { referrersTag } from './registry/referrers-tag-schema.js';
import { requestLog, withTempDir } from './test-support.js';
import { MEDIA_TYPES, type ArtifactStore, type Descriptor, type ImageIndex } from './types.js';

const layout = (name: string): LayoutStore =>
  new LayoutStore(
    sharedPath('vectors', 'notation', 'test', 'e2e', 'testdata', 'registry', 'oci_layout', name),
  );

// vectors/INDEX.md section A
const TARGET = 'sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9';
const SIGNATURES: Record<string, string> = {
  'e2e-valid-signature': 'sha256:90ceaff260d657d797c408ac73564a9c7bb9d86055877c2a811f0e63b8c6524f',
  'e2e-expired-signature': 'sha256:3829708badae8e4b14e1adbc2fac7182bc0c27c5b6f54153e8b68a12eab10a1e',
  'e2e-invalid-signature': 'sha256:321fcc674d6771dd0e5bd21e599f2df3a482de99a400fd3a3fe371221b97a9c9',
  'e2e-with-timestamped-signature': 'sha256:6a5cd3a886707a317935dcaf13954fc80ef9aeb665262b6ae4fe469ad7ea3aea',
  'e2e-with-invalid-timestamped-signature':
    'sha256:eee3eec7d2947f77713484753bea67879ff62c08a73a49a41151ed18c4d1c000',
};

/** The distinct blobs of an image and its signatures: configs, layers and envelopes. */
async function graphBlobs(store: ArtifactStore, root: Descriptor): Promise<Set<string>> {
  const blobs = new Set<string>();
  for (const manifest of [root, ...(await store.referrers(root))]) {
    const { manifest: parsed } = await store.fetchManifest(manifest);
    for (const child of childDescriptors(parsed)) blobs.add(child.digest);
  }
  return blobs;
}

describe("copying notation's signed layouts into a registry without the referrers API", () => {
  let registry: TestRegistry;
  let transport: NodeHttpTransport;
  const newClient = (log?: ReturnType<typeof requestLog>): RegistryClient =>
    new RegistryClient({
      transport,
      plainHttp: [registry.host],
      ...(log ? { onRequest: log.onRequest } : {}),
    });

  beforeAll(async () => {
    registry = await startRegistry({ auth: 'none' });
    transport = new NodeHttpTransport();
  });
  afterAll(async () => {
    transport.close();
    await registry.stop();
  });

  describe.each(Object.keys(SIGNATURES))('when the layout is %s', (name) => {
    const repository = `notation/${name}`;

    beforeAll(async () => {
      const src = layout(name);
      const dst = new RegistryStore(newClient(), registry.host, repository);
      const root = await src.resolve('v1');
      const result = await copyGraph(src, dst, root, { referrers: true });
      expect(result.referrers.map((r) => r.digest)).toEqual([SIGNATURES[name]]);
      await dst.tag(root, 'v1');
    });

    it('the artifact is in the registry under its tag, as skopeo reads it', async () => {
      const src = layout(name);
      // not an image (config application/vnd.notation.config), so compare the raw manifest
      const raw = await skopeoInspectRaw(registry, `${repository}:v1`);
      expect(sha256Digest(new TextEncoder().encode(raw))).toBe((await src.resolve('v1')).digest);
    });

    it('the signature is found again through the tag schema by a fresh client', async () => {
      const log = requestLog();
      const dst = new RegistryStore(newClient(log), registry.host, repository);
      const subject = await dst.resolve('v1');
      log.reset();
      const referrers = await dst.referrers(subject, { artifactType: MEDIA_TYPES.notarySignature });
      expect(referrers.map((r) => r.digest)).toEqual([SIGNATURES[name]]);
      // the referrers API probe (404 on distribution 2.8), then the sha256-<hex> tag
      expect(log.events.map((e) => `${e.method} ${e.status}`)).toEqual(['GET 404', 'GET 200']);
      expect(log.events[1]?.url).toContain(`/manifests/${referrersTag(subject.digest)}`);
    });

    it('lists the same signature as the layout backend does', async () => {
      const src = layout(name);
      const subject = await src.resolve('v1');
      const dst = new RegistryStore(newClient(), registry.host, repository);
      const fromLayout = await src.referrers(subject);
      const fromRegistry = await dst.referrers(subject);
      expect(fromRegistry.map((r) => [r.digest, r.artifactType])).toEqual(
        fromLayout.map((r) => [r.digest, r.artifactType]),
      );
      expect(fromRegistry[0]?.annotations).toEqual(fromLayout[0]?.annotations);
    });

    it('the signature envelope reads back byte for byte', async () => {
      const src = layout(name);
      const dst = new RegistryStore(newClient(), registry.host, repository);
      const [signature] = await dst.referrers(await dst.resolve('v1'));
      const fromRegistry = await dst.fetchManifest(signature!);
      const fromLayout = await src.fetchManifest(signature!);
      expect(fromRegistry.bytes).toEqual(fromLayout.bytes);
      const envelope = 'layers' in fromRegistry.manifest ? fromRegistry.manifest.layers[0]! : undefined;
      expect(await dst.fetchBlob(envelope!)).toEqual(await src.fetchBlob(envelope!));
    });
  });

  it('a second listing by the same client does not probe the referrers API again', async () => {
    const log = requestLog();
    const dst = new RegistryStore(newClient(log), registry.host, 'notation/e2e-valid-signature');
    const subject = { mediaType: MEDIA_TYPES.imageManifest, digest: TARGET, size: 517 };
    await dst.referrers(subject);
    log.reset();
    await dst.referrers(subject);
    expect(log.events.map((e) => e.method + ' ' + new URL(e.url).pathname)).toEqual([
      `GET /v2/notation/e2e-valid-signature/manifests/${referrersTag(TARGET)}`,
    ]);
  });

  it('copying again pushes no blob and keeps a single tag-index entry', async () => {
    const src = layout('e2e-valid-signature');
    const dst = new RegistryStore(newClient(), registry.host, 'notation/e2e-valid-signature');
    const again = await copyGraph(src, dst, await src.resolve('v1'), { referrers: true });
    expect(again.blobs).toBe(0);
    expect(again.bytes).toBe(0);
    const tagIndex = await dst.fetchManifest(referrersTag(TARGET));
    expect((tagIndex.manifest as ImageIndex).manifests).toHaveLength(1);
  });

  it('copies from the registry back into a new layout, referrers included', async () => {
    await withTempDir(async (dir) => {
      const src = new RegistryStore(newClient(), registry.host, 'notation/e2e-expired-signature');
      const dst = new LayoutStore(`${dir}/copy`);
      const root = await src.resolve('v1');
      await copyGraph(src, dst, root, { referrers: true });
      await dst.tag(root, 'v1');
      const fresh = new LayoutStore(`${dir}/copy`);
      expect((await fresh.referrers(await fresh.resolve('v1'))).map((r) => r.digest)).toEqual([
        SIGNATURES['e2e-expired-signature'],
      ]);
    });
  });

  it('mounts every blob when copying between repositories of the same registry, uploading none', async () => {
    const log = requestLog();
    const client = newClient(log);
    const src = new RegistryStore(client, registry.host, 'notation/e2e-valid-signature');
    const dst = new RegistryStore(client, registry.host, 'mirror/e2e-valid-signature');
    const root = await src.resolve('v1');
    const blobs = await graphBlobs(src, root);
    log.reset();
    const result = await copyGraph(src, dst, root, { referrers: true });
    expect(result).toMatchObject({ mounted: blobs.size, blobs: 0, bytes: 0, manifests: 2 });
    const uploads = log.events.filter((e) => e.url.endsWith('/v2/mirror/e2e-valid-signature/blobs/uploads/'));
    // one mount POST per blob, each answered 201 Created: no upload session, no PATCH, no PUT of bytes
    expect(uploads.map((e) => `${e.method} ${e.status}`)).toEqual([...blobs].map(() => 'POST 201'));
    expect(log.events.filter((e) => e.method === 'PATCH')).toEqual([]);
    expect(log.events.filter((e) => e.method === 'PUT' && e.url.includes('/blobs/'))).toEqual([]);
    for (const digest of blobs) {
      expect(await dst.exists({ mediaType: 'application/octet-stream', digest, size: 0 })).toBe(true);
    }
    expect((await dst.referrers(root)).map((r) => r.digest)).toEqual([SIGNATURES['e2e-valid-signature']]);
  });

  it('does not mount across registries: a copy to another registry uploads', async () => {
    const other = await startRegistry({ auth: 'none' });
    try {
      const log = requestLog();
      const client = new RegistryClient({
        transport,
        plainHttp: [registry.host, other.host],
        onRequest: log.onRequest,
      });
      const src = new RegistryStore(client, registry.host, 'notation/e2e-valid-signature');
      const dst = new RegistryStore(client, other.host, 'notation/e2e-valid-signature');
      const root = await src.resolve('v1');
      const result = await copyGraph(src, dst, root, { referrers: true });
      expect(result.mounted).toBe(0);
      expect(result.blobs).toBe((await graphBlobs(src, root)).size);
      expect(result.bytes).toBeGreaterThan(0);
      expect(log.events.some((e) => e.url.startsWith(`http://${other.host}/`) && e.status === 201)).toBe(
        true,
      );
    } finally {
      await other.stop();
    }
  });
  describe('when a layer is larger than the streaming threshold', () => {
    const big = new Uint8Array(9 * 1024 * 1024).map((_, i) => (i * 31 + (i >> 12)) % 251);

    async function imageWithBigLayer(
      dir: string,
    ): Promise<{ layout: LayoutStore; root: Descriptor; layer: Descriptor }> {
      const store = new LayoutStore(dir);
      const config = await store.pushBlob(
        new TextEncoder().encode('{"os":"linux","architecture":"amd64"}'),
        MEDIA_TYPES.imageConfig,
      );
      const layer = await store.pushBlob(big, MEDIA_TYPES.layerTarGzip);
      const manifest = new TextEncoder().encode(
        JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.imageManifest, config, layers: [layer] }),
      );
      const root = await store.pushManifest(manifest, MEDIA_TYPES.imageManifest, { tag: 'big' });
      return { layout: store, root, layer };
    }

    it('streams it layout -> registry (chunked PATCHes) -> layout intact', async () => {
      await withTempDir(async (dir) => {
        const { layout: src, root, layer } = await imageWithBigLayer(`${dir}/src`);
        const log = requestLog();
        const client = new RegistryClient({
          transport,
          plainHttp: [registry.host],
          chunkSizeBytes: 4 * 1024 * 1024,
          onRequest: log.onRequest,
        });
        const remote = new RegistryStore(client, registry.host, 'stream/app');
        const up = await copyGraph(src, remote, root, { referrers: false });
        expect(up.bytes).toBeGreaterThan(big.byteLength);
        expect(log.events.filter((e) => e.method === 'PATCH')).toHaveLength(2);
        const back = new LayoutStore(`${dir}/back`);
        await copyGraph(remote, back, root, { referrers: false });
        // Buffer.equals: a deep toEqual over 9 MiB element by element takes tens of seconds
        expect(Buffer.from(await back.fetchBlob(layer)).equals(big)).toBe(true);
      });
    });

    it('commits nothing when the source bytes do not match the digest', async () => {
      await withTempDir(async (dir) => {
        const { layout: src, root, layer } = await imageWithBigLayer(`${dir}/src`);
        const { hex } = parseDigest(layer.digest);
        const tampered = new Uint8Array(big);
        tampered[tampered.length - 1] = (tampered.at(-1) ?? 0) ^ 1;
        await writeFile(`${dir}/src/blobs/sha256/${hex}`, tampered);
        const remote = new RegistryStore(newClient(), registry.host, 'stream/tampered');
        await expect(copyGraph(src, remote, root, { referrers: false })).rejects.toMatchObject({
          code: 'DIGEST_MISMATCH',
        });
        expect(await remote.exists(layer)).toBe(false);
        expect(await remote.exists(root)).toBe(false);

        const local = new LayoutStore(`${dir}/dst`);
        await expect(copyGraph(src, local, root, { referrers: false })).rejects.toMatchObject({
          code: 'DIGEST_MISMATCH',
        });
        expect(await local.exists(layer)).toBe(false);
        expect((await readdir(`${dir}/dst/blobs/sha256`)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      });
    });
  });
  describe('when the image is a real one built by umoci', () => {
    it('copies the layout into the registry where skopeo reads it, then back into a layout umoci and skopeo read', async () => {
      await withTempDir(async (dir) => {
        const { layoutDir } = await makeUmociImage({
          dir: `${dir}/umoci`,
          tag: 'v1',
          files: { 'etc/app.conf': 'x=1\n', 'bin/tool': 'binary\n' },
        });
        const src = new LayoutStore(layoutDir);
        const root = await src.resolve('v1');
        const remote = new RegistryStore(newClient(), registry.host, 'umoci/copied');
        await copyGraph(src, remote, root, { referrers: true });
        await remote.tag(root, 'v1');
        const inspected = await skopeoInspect(registry, 'umoci/copied:v1');
        expect(inspected.Digest).toBe(root.digest);
        expect((inspected.Layers as unknown[]).length).toBeGreaterThan(0);

        const back = new LayoutStore(`${dir}/back`);
        await copyGraph(remote, back, root, { referrers: true });
        await back.tag(root, 'v1');
        const stat = await run('umoci', ['stat', '--json', '--image', `${dir}/back:v1`]);
        expect(JSON.parse(stat)).toHaveProperty('history');
        const viaSkopeo = JSON.parse(await run('skopeo', ['inspect', `oci:${dir}/back:v1`])) as {
          Digest: string;
        };
        expect(viaSkopeo.Digest).toBe(root.digest);
      });
    });
  });
});
