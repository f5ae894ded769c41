import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  makeUmociImage,
  run,
  skopeoInspect,
  skopeoInspectRaw,
  skopeoPush,
  startRegistry,
  type TestRegistry,
} from '../../../../test/harness/index.js';
import { sha256Digest } from '../digest.js';
import { NodeHttpTransport } from '../http/node-transport.js';
import { encodeJson, isImageIndex } from '../manifest.js';
import type { OciError } from '../errors.js';
import { createRegistryClient, openStore } from '../open-store.js';
import { resolvePlatform } from '../resolve-platform.js';
import { requestLog, sampleImage, pushSampleImage } from '../test-support.js';
import { MEDIA_TYPES, type Descriptor, type ImageIndex } from '../types.js';
import { RegistryClient } from './registry-client.js';
import { RegistryStore } from './registry-store.js';

describe('the registry store against distribution 2.8 (plain HTTP)', () => {
  let registry: TestRegistry;
  let transport: NodeHttpTransport;
  const log = requestLog();
  let client: RegistryClient;
  const store = (repository: string): RegistryStore => new RegistryStore(client, registry.host, repository);

  beforeAll(async () => {
    registry = await startRegistry({ auth: 'none' });
    transport = new NodeHttpTransport();
    client = new RegistryClient({ transport, plainHttp: [registry.host], onRequest: log.onRequest });
  });
  afterAll(async () => {
    transport.close();
    await registry.stop();
  });

  describe('when skopeo pushed an image built with umoci', () => {
    let layoutDir: string;
    beforeAll(async () => {
      ({ layoutDir } = await makeUmociImage({ tag: 'v1', files: { 'a.txt': 'alpha\n' } }));
      await skopeoPush(registry, layoutDir, 'v1', 'umoci/app');
    });
    afterAll(async () => {
      await rm(path.dirname(layoutDir), { recursive: true, force: true });
    });

    it('resolves the tag to the digest skopeo sees, in one request', async () => {
      log.reset();
      const descriptor = await store('umoci/app').resolve('v1');
      const raw = await skopeoInspectRaw(registry, 'umoci/app:v1');
      expect(descriptor).toEqual({
        mediaType: MEDIA_TYPES.imageManifest,
        digest: sha256Digest(new TextEncoder().encode(raw)),
        size: Buffer.byteLength(raw),
      });
      expect(log.events.map((e) => e.method)).toEqual(['HEAD']);
    });

    it('reads the manifest, config and layers, all digest-verified', async () => {
      const app = store('umoci/app');
      const { manifest, bytes } = await app.fetchManifest('v1');
      expect(new TextDecoder().decode(bytes)).toBe(await skopeoInspectRaw(registry, 'umoci/app:v1'));
      if (isImageIndex(manifest)) throw new Error('expected an image manifest');
      const config = JSON.parse(new TextDecoder().decode(await app.fetchBlob(manifest.config))) as {
        os: string;
      };
      expect(config.os).toBe('linux');
      const layer = await app.fetchBlob(manifest.layers[0]!);
      expect(sha256Digest(layer)).toBe(manifest.layers[0]!.digest);
    });

    it('says NOT_FOUND for an unknown tag, naming the repository', async () => {
      await expect(store('umoci/app').resolve('nope')).rejects.toMatchObject({
        code: 'NOT_FOUND',
        message: expect.stringContaining(`${registry.host}/umoci/app`) as string,
      });
    });
  });

  describe('when scs pushes an image', () => {
    const image = sampleImage('pushed-by-scs');

    beforeAll(async () => {
      await pushSampleImage(store('scs/app'), image, 'v1');
    });

    it('skopeo inspects it', async () => {
      const inspected = await skopeoInspect(registry, 'scs/app:v1');
      expect(inspected.Digest).toBe(image.descriptor.digest);
      expect(inspected.Labels).toEqual({ label: 'pushed-by-scs' });
    });

    it('skopeo copies it into an OCI layout with the same digest', async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'scs-skopeo-copy-'));
      try {
        await run('skopeo', [
          'copy',
          '--quiet',
          '--preserve-digests',
          '--src-tls-verify=false',
          `docker://${registry.host}/scs/app:v1`,
          `oci:${dir}/layout:v1`,
        ]);
        const index = JSON.parse(
          await readFile(path.join(dir, 'layout', 'index.json'), 'utf8'),
        ) as ImageIndex;
        expect(index.manifests[0]?.digest).toBe(image.descriptor.digest);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('reports which blobs exist', async () => {
      const app = store('scs/app');
      expect(await app.exists(image.layer.descriptor)).toBe(true);
      expect(await app.exists(image.descriptor)).toBe(true);
      expect(await app.exists({ ...image.layer.descriptor, digest: sha256Digest(new Uint8Array([1])) })).toBe(
        false,
      );
    });

    it('tags an existing manifest', async () => {
      await store('scs/app').tag(image.descriptor, 'stable');
      expect((await store('scs/app').resolve('stable')).digest).toBe(image.descriptor.digest);
    });
  });

  describe('when a blob is larger than the chunk size', () => {
    it('uploads it in chunks (the last one with the closing PUT) that read back intact', async () => {
      const chunked = new RegistryClient({
        transport,
        plainHttp: true,
        chunkSizeBytes: 64 * 1024,
        onRequest: log.onRequest,
      });
      const big = new Uint8Array(200 * 1024).map((_, i) => (i * 7) % 251);
      log.reset();
      const descriptor = await new RegistryStore(chunked, registry.host, 'scs/chunked').pushBlob(
        big,
        'application/octet-stream',
      );
      expect(log.events.map((e) => e.method)).toEqual(['POST', 'PATCH', 'PATCH', 'PATCH', 'PUT']);
      expect(await store('scs/chunked').fetchBlob(descriptor)).toEqual(big);
    });
  });

  describe('when a blob is above the configured size limit', () => {
    const big = new Uint8Array(8 * 1024).fill(7);
    let descriptor: Descriptor;
    beforeAll(async () => {
      descriptor = await store('limits/app').pushBlob(big, 'application/octet-stream');
    });

    it('refuses it from its descriptor, before any request, naming the option to raise', async () => {
      const limited = requestLog();
      const small = new RegistryClient({
        transport,
        plainHttp: [registry.host],
        maxBlobBytes: 4 * 1024,
        onRequest: limited.onRequest,
      });
      const error = (await new RegistryStore(small, registry.host, 'limits/app')
        .fetchBlob(descriptor)
        .catch((e: unknown) => e)) as OciError;
      expect(error).toMatchObject({ code: 'TOO_LARGE' });
      expect(error.message).toContain('its descriptor says 8192 bytes, above the limit of 4096 bytes');
      expect(error.message).toContain('raise the maxBlobBytes option');
      expect(limited.events).toEqual([]);
    });

    it('reads it when one fetch raises the limit, or the client limit fits', async () => {
      const small = new RegistryClient({ transport, plainHttp: [registry.host], maxBlobBytes: 4 * 1024 });
      const limitedStore = new RegistryStore(small, registry.host, 'limits/app');
      expect(Buffer.from(await limitedStore.fetchBlob(descriptor, { maxBytes: 8 * 1024 })).equals(big)).toBe(
        true,
      );
      const roomy = new RegistryClient({ transport, plainHttp: [registry.host], maxBlobBytes: 8 * 1024 });
      expect(
        (await new RegistryStore(roomy, registry.host, 'limits/app').fetchBlob(descriptor)).byteLength,
      ).toBe(8 * 1024);
    });

    it('holds a lower limit for one fetch below the client limit', async () => {
      await expect(store('limits/app').fetchBlob(descriptor, { maxBytes: 1024 })).rejects.toMatchObject({
        code: 'TOO_LARGE',
        message: expect.stringContaining('above the limit of 1024 bytes') as string,
      });
    });

    it('applies to streamed reads when a limit is given', async () => {
      await expect(store('limits/app').fetchBlobStream(descriptor, { maxBytes: 1024 })).rejects.toMatchObject(
        {
          code: 'TOO_LARGE',
        },
      );
    });

    it('is passed by openStore to the registry client', async () => {
      const { store: opened } = await openStore(`${registry.host}/limits/app:v1`, {
        plainHttp: [registry.host],
        maxBlobBytes: 4 * 1024,
      });
      await expect(opened.fetchBlob(descriptor)).rejects.toMatchObject({ code: 'TOO_LARGE' });
    });
  });

  describe('when a manifest is above 4 MiB', () => {
    it('refuses to push it, sending nothing', async () => {
      const image = sampleImage('huge');
      const huge = encodeJson({
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.imageManifest,
        config: image.config.descriptor,
        layers: [image.layer.descriptor],
        annotations: { padding: 'x'.repeat(4 * 1024 * 1024) },
      });
      log.reset();
      await expect(store('limits/huge').pushManifest(huge, MEDIA_TYPES.imageManifest)).rejects.toMatchObject({
        code: 'TOO_LARGE',
        message: expect.stringContaining('above the 4194304 bytes a manifest may have') as string,
      });
      expect(log.events).toEqual([]);
    });
  });

  describe('when an image index is pushed', () => {
    it('is read back and a platform is selected from it', async () => {
      const app = store('scs/multi');
      const amd = sampleImage('amd64');
      const arm = sampleImage('arm64');
      for (const image of [amd, arm]) await pushSampleImage(app, image);
      const index: ImageIndex = {
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.imageIndex,
        manifests: [
          { ...amd.descriptor, platform: { os: 'linux', architecture: 'amd64' } },
          { ...arm.descriptor, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
        ],
      };
      await app.pushManifest(encodeJson(index), MEDIA_TYPES.imageIndex, { tag: 'multi' });
      const fetched = await app.fetchManifest('multi');
      expect(fetched.descriptor.mediaType).toBe(MEDIA_TYPES.imageIndex);
      const chosen = await resolvePlatform(app, fetched.descriptor, { os: 'linux', architecture: 'arm64' });
      expect(chosen).toEqual(arm.descriptor);
      // an image manifest resolves to itself
      expect(await resolvePlatform(app, arm.descriptor, { os: 'linux', architecture: 'amd64' })).toEqual(
        arm.descriptor,
      );
      await expect(
        resolvePlatform(app, fetched.descriptor, { os: 'windows', architecture: 'amd64' }),
      ).rejects.toThrow(/no manifest for platform windows\/amd64; it has: linux\/amd64, linux\/arm64\/v8/);
    });
  });

  describe('when blobs are copied between repositories of one registry', () => {
    it('mounts instead of uploading', async () => {
      const image = sampleImage('mount-me');
      const source = store('mount/source');
      await source.pushBlob(image.layer.content, image.layer.descriptor.mediaType);
      expect(await store('mount/target').mountBlob(image.layer.descriptor, 'mount/source')).toBe(true);
      expect(await store('mount/target').exists(image.layer.descriptor)).toBe(true);
      const missing = { ...image.layer.descriptor, digest: sha256Digest(new TextEncoder().encode('absent')) };
      expect(await store('mount/target').mountBlob(missing, 'mount/source')).toBe(false);
    });
  });

  it('shares what it learns through createRegistryClient', () => {
    const shared = createRegistryClient({ plainHttp: [registry.host] });
    expect(shared.baseUrl(registry.host).protocol).toBe('http:');
    expect(shared.baseUrl('registry.example.com').protocol).toBe('https:');
  });
});
