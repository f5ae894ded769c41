import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sharedPath } from '../../../../test/harness/paths.js';
import { sha256Digest } from '../digest.js';
import type { OciError } from '../errors.js';
import { MEDIA_TYPES } from '../types.js';
import { LayoutStore, REF_NAME } from './layout-store.js';

const layouts = (name: string): string =>
  sharedPath('vectors', 'notation', 'test', 'e2e', 'testdata', 'registry', 'oci_layout', name);

// vectors/INDEX.md section A
const TARGET = 'sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9';
const VALID_SIGNATURE = 'sha256:90ceaff260d657d797c408ac73564a9c7bb9d86055877c2a811f0e63b8c6524f';
const TIMESTAMPED_TARGET = 'sha256:53b0191218aed9a3c1f7c661736ac40cfc8eb928642348fd843ba3f0483c0c20';
/** The e2e.txt layer ("awesome notation\n") of the notation e2e layouts. */
const E2E_LAYER_HEX = '6de5fe1f75e4b1094c98086f403d5fd8117776ebe5aad1609281403d13dea070';
const TIMESTAMPED_SIGNATURE = 'sha256:6a5cd3a886707a317935dcaf13954fc80ef9aeb665262b6ae4fe469ad7ea3aea';

const temps: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'scs-oci-layout-'));
  temps.push(dir);
  return dir;
}
async function copyOf(name: string): Promise<string> {
  const dir = path.join(await tempDir(), name);
  await cp(layouts(name), dir, { recursive: true });
  return dir;
}
afterEach(async () => {
  await Promise.all(temps.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('the OCI layout store', () => {
  describe("when reading notation's signed layouts", () => {
    it('resolves the tag through org.opencontainers.image.ref.name', async () => {
      const store = new LayoutStore(layouts('e2e-valid-signature'));
      expect(await store.resolve('v1')).toEqual({
        mediaType: MEDIA_TYPES.imageManifest,
        digest: TARGET,
        size: 517,
      });
    });

    it('fetches the manifest and its layer, digest-verified', async () => {
      const store = new LayoutStore(layouts('e2e-valid-signature'));
      const { manifest, bytes } = await store.fetchManifest('v1');
      expect(sha256Digest(bytes)).toBe(TARGET);
      expect('layers' in manifest && manifest.layers[0]?.size).toBe(17);
      const layer = 'layers' in manifest ? manifest.layers[0] : undefined;
      expect(new TextDecoder().decode(await store.fetchBlob(layer!))).toBe('awesome notation\n');
    });

    it('lists the signature through index.json and the sha256-<hex> tag index, once', async () => {
      const store = new LayoutStore(layouts('e2e-valid-signature'));
      const referrers = await store.referrers({
        mediaType: MEDIA_TYPES.imageManifest,
        digest: TARGET,
        size: 517,
      });
      expect(referrers).toHaveLength(1);
      expect(referrers[0]).toMatchObject({
        digest: VALID_SIGNATURE,
        size: 728,
        // legacy signature manifest: no artifactType, so config.mediaType stands in
        artifactType: MEDIA_TYPES.notarySignature,
      });
      expect(referrers[0]?.annotations?.['io.cncf.notary.x509chain.thumbprint#S256']).toMatch(/^\["e38aea13/);
    });

    it('lists a signature that only index.json names (no tag index)', async () => {
      const store = new LayoutStore(layouts('e2e-with-timestamped-signature'));
      const subject = await store.resolve('v1');
      expect(subject.digest).toBe(TIMESTAMPED_TARGET);
      const referrers = await store.referrers(subject, { artifactType: MEDIA_TYPES.notarySignature });
      expect(referrers.map((r) => r.digest)).toEqual([TIMESTAMPED_SIGNATURE]);
    });

    it('filters by artifactType', async () => {
      const store = new LayoutStore(layouts('e2e-valid-signature'));
      const subject = await store.resolve('v1');
      expect(await store.referrers(subject, { artifactType: 'application/spdx+json' })).toEqual([]);
    });

    it('finds no referrers for the unsigned layout', async () => {
      const store = new LayoutStore(layouts('e2e'));
      expect(await store.referrers(await store.resolve('v1'))).toEqual([]);
    });
  });

  describe('when the layout is missing or the tag unknown', () => {
    it('names the directory and the fix', async () => {
      const store = new LayoutStore(path.join(await tempDir(), 'nowhere'));
      await expect(store.resolve('v1')).rejects.toThrow(
        /no OCI image layout at .*nowhere.*check the path after "oci:"/,
      );
    });

    it('lists the tags that do exist', async () => {
      const store = new LayoutStore(layouts('e2e'));
      await expect(store.resolve('v2')).rejects.toMatchObject({
        code: 'NOT_FOUND',
        message: expect.stringMatching(/no manifest is tagged "v2" .*\(tags: v1\)/) as string,
      });
    });
  });

  describe('when a blob was altered on disk', () => {
    it('refuses it with DIGEST_MISMATCH', async () => {
      const dir = await copyOf('e2e');
      const layer = path.join(dir, 'blobs', 'sha256', E2E_LAYER_HEX);
      await writeFile(layer, 'awesome notatioN\n');
      const store = new LayoutStore(dir);
      const { manifest } = await store.fetchManifest('v1');
      const descriptor = 'layers' in manifest ? manifest.layers[0]! : manifest.manifests[0]!;
      await expect(store.fetchBlob(descriptor)).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    });

    it('refuses a blob larger than its descriptor without reading it', async () => {
      const dir = await copyOf('e2e');
      const layer = path.join(dir, 'blobs', 'sha256', E2E_LAYER_HEX);
      await writeFile(layer, 'x'.repeat(1000));
      const store = new LayoutStore(dir);
      await expect(
        store.fetchBlob({
          mediaType: 'application/octet-stream',
          digest: `sha256:${E2E_LAYER_HEX}`,
          size: 17,
        }),
      ).rejects.toMatchObject({ code: 'SIZE_MISMATCH' } satisfies Partial<OciError>);
    });
  });

  describe('when a blob is above the configured size limit', () => {
    it('refuses it naming maxBlobBytes, and reads it when one fetch raises the limit', async () => {
      const dir = path.join(await tempDir(), 'limits');
      const big = new Uint8Array(8 * 1024).fill(3);
      const descriptor = await new LayoutStore(dir).pushBlob(big, 'application/octet-stream');
      const limited = new LayoutStore(dir, { maxBlobBytes: 4 * 1024 });
      await expect(limited.fetchBlob(descriptor)).rejects.toMatchObject({
        code: 'TOO_LARGE',
        message: expect.stringContaining(
          'above the limit of 4096 bytes (raise the maxBlobBytes option',
        ) as string,
      });
      expect((await limited.fetchBlob(descriptor, { maxBytes: 8 * 1024 })).byteLength).toBe(8 * 1024);
      await expect(new LayoutStore(dir).fetchBlob(descriptor, { maxBytes: 100 })).rejects.toMatchObject({
        code: 'TOO_LARGE',
      });
      await expect(limited.fetchBlobStream(descriptor, { maxBytes: 100 })).rejects.toMatchObject({
        code: 'TOO_LARGE',
        message: expect.stringContaining('maxBlobBytes') as string,
      });
    });
  });

  describe('when writing', () => {
    it('creates a new layout on first push, atomically, with no temp files left', async () => {
      const dir = path.join(await tempDir(), 'new');
      const store = new LayoutStore(dir);
      const config = await store.pushBlob(new TextEncoder().encode('{}'), MEDIA_TYPES.emptyJson);
      const manifest = new TextEncoder().encode(
        JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.imageManifest, config, layers: [] }),
      );
      const pushed = await store.pushManifest(manifest, MEDIA_TYPES.imageManifest, { tag: 'v1' });
      expect(JSON.parse(await readFile(path.join(dir, 'oci-layout'), 'utf8'))).toEqual({
        imageLayoutVersion: '1.0.0',
      });
      const index = JSON.parse(await readFile(path.join(dir, 'index.json'), 'utf8')) as {
        manifests: unknown[];
      };
      expect(index.manifests).toEqual([{ ...pushed, annotations: { [REF_NAME]: 'v1' } }]);
      expect((await readdir(path.join(dir, 'blobs', 'sha256'))).filter((f) => f.endsWith('.tmp'))).toEqual(
        [],
      );
      expect(await store.resolve('v1')).toEqual(pushed);
    });

    it('creates the layout once when many first writes race', async () => {
      const dir = path.join(await tempDir(), 'raced');
      const blobs = await Promise.all(
        Array.from({ length: 64 }, (_, i) =>
          new LayoutStore(dir).pushBlob(new TextEncoder().encode(`blob ${i}`), 'application/octet-stream'),
        ),
      );
      const fresh = new LayoutStore(dir);
      expect(await Promise.all(blobs.map((b) => fresh.exists(b)))).toEqual(blobs.map(() => true));
      expect(JSON.parse(await readFile(path.join(dir, 'index.json'), 'utf8'))).toMatchObject({
        manifests: [],
      });
    });

    it('moves a tag to the new manifest and keeps other entries', async () => {
      const dir = await copyOf('e2e-valid-signature');
      const store = new LayoutStore(dir);
      const config = await store.pushBlob(new TextEncoder().encode('{"v":2}'), MEDIA_TYPES.imageConfig);
      const other = await store.pushManifest(
        new TextEncoder().encode(
          JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.imageManifest, config, layers: [] }),
        ),
        MEDIA_TYPES.imageManifest,
      );
      await store.tag(other, 'v1');
      expect((await store.resolve('v1')).digest).toBe(other.digest);
      const index = JSON.parse(await readFile(path.join(dir, 'index.json'), 'utf8')) as {
        manifests: { digest: string }[];
      };
      expect(index.manifests.map((m) => m.digest)).toContain(VALID_SIGNATURE);
      expect(index.manifests.map((m) => m.digest)).not.toContain(TARGET);
    });

    it('refuses a manifest above 4 MiB and writes nothing', async () => {
      const dir = path.join(await tempDir(), 'huge');
      const huge = new TextEncoder().encode(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: MEDIA_TYPES.imageManifest,
          config: {
            mediaType: MEDIA_TYPES.emptyJson,
            digest: sha256Digest(new TextEncoder().encode('{}')),
            size: 2,
          },
          layers: [],
          annotations: { padding: 'x'.repeat(4 * 1024 * 1024) },
        }),
      );
      await expect(
        new LayoutStore(dir).pushManifest(huge, MEDIA_TYPES.imageManifest, { tag: 'v1' }),
      ).rejects.toMatchObject({ code: 'TOO_LARGE' });
      await expect(readdir(dir)).rejects.toMatchObject({ code: 'ENOENT' });
    });

    it('refuses an invalid manifest and writes nothing', async () => {
      const dir = path.join(await tempDir(), 'fresh');
      const store = new LayoutStore(dir);
      await expect(
        store.pushManifest(new TextEncoder().encode('{"schemaVersion":2}'), MEDIA_TYPES.imageManifest, {
          tag: 'x',
        }),
      ).rejects.toMatchObject({ code: 'MANIFEST_INVALID' });
      await expect(readdir(dir)).rejects.toMatchObject({ code: 'ENOENT' });
    });

    it('attaches an artifact that is then listed as a referrer, also by a fresh store', async () => {
      const dir = await copyOf('e2e');
      const store = new LayoutStore(dir);
      const subject = await store.resolve('v1');
      const sbom = new TextEncoder().encode('{"spdxVersion":"SPDX-2.3"}');
      const attached = await store.attach({
        subject,
        artifactType: 'application/spdx+json',
        layers: [
          {
            mediaType: 'application/spdx+json',
            content: sbom,
            annotations: { 'org.opencontainers.image.title': 'sbom.json' },
          },
        ],
        annotations: { 'org.example.kind': 'sbom' },
      });
      const listed = await new LayoutStore(dir).referrers(subject);
      expect(listed).toEqual([attached]);
      expect(attached).toMatchObject({
        artifactType: 'application/spdx+json',
        annotations: { 'org.example.kind': 'sbom' },
      });
      const { manifest } = await store.fetchManifest(attached);
      expect('layers' in manifest && (await store.fetchBlob(manifest.layers[0]!))).toEqual(sbom);
    });

    it('keeps every entry when many attaches run at once', async () => {
      const dir = await copyOf('e2e');
      const stores = Array.from({ length: 8 }, () => new LayoutStore(dir));
      const subject = await stores[0]!.resolve('v1');
      const attached = await Promise.all(
        stores.map((store, i) =>
          store.attach({
            subject,
            artifactType: 'application/vnd.example.note',
            layers: [{ mediaType: 'text/plain', content: new TextEncoder().encode(`note ${i}`) }],
          }),
        ),
      );
      const listed = await new LayoutStore(dir).referrers(subject);
      expect(new Set(listed.map((d) => d.digest))).toEqual(new Set(attached.map((d) => d.digest)));
    });
  });
});
