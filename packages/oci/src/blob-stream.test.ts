import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type TestRegistry } from '../../../test/harness/index.js';
import type { BlobStreaming } from './blob-stream.js';
import { sha256Digest } from './digest.js';
import { NodeHttpTransport } from './http/node-transport.js';
import { LayoutStore } from './layout/layout-store.js';
import { RegistryClient } from './registry/registry-client.js';
import { RegistryStore } from './registry/registry-store.js';
import { requestLog, withTempDir } from './test-support.js';
import type { ArtifactStore, Descriptor } from './types.js';

const content = new Uint8Array(3000).map((_, i) => i % 251);
const descriptor: Descriptor = {
  mediaType: 'application/octet-stream',
  digest: sha256Digest(content),
  size: content.byteLength,
};
/** The bytes as a stream of `size`-byte chunks, one per turn of the event loop. */
async function* chunksOf(bytes: Uint8Array, size = 1000): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.byteLength; i += size) {
    await new Promise((resolve) => setImmediate(resolve));
    yield bytes.subarray(i, i + size);
  }
}
const altered = new Uint8Array(content).map((b, i) => (i === 2999 ? b ^ 1 : b));

describe('pushing a blob from a stream', () => {
  let registry: TestRegistry;
  let transport: NodeHttpTransport;
  beforeAll(async () => {
    registry = await startRegistry({ auth: 'none' });
    transport = new NodeHttpTransport();
  });
  afterAll(async () => {
    transport.close();
    await registry.stop();
  });

  const refused: [string, () => AsyncIterable<Uint8Array>, string, RegExp][] = [
    [
      'longer than its descriptor',
      () => chunksOf(new Uint8Array([...content, 1])),
      'TOO_LARGE',
      /more than 3000 bytes/,
    ],
    [
      'shorter than its descriptor',
      () => chunksOf(content.subarray(0, 2999)),
      'SIZE_MISMATCH',
      /expected 3000 bytes, got 2999/,
    ],
    ['of other bytes', () => chunksOf(altered), 'DIGEST_MISMATCH', /content does not match its digest/],
  ];

  describe.each([
    ['the registry (chunked upload)', 'registry'],
    ['the layout', 'layout'],
  ] as const)('into %s', (_name, kind) => {
    it.each(refused)('refuses a stream %s and commits nothing', async (label, source, code, message) => {
      await withTempDir(async (dir) => {
        const log = requestLog();
        const store: ArtifactStore & BlobStreaming =
          kind === 'registry'
            ? new RegistryStore(
                new RegistryClient({
                  transport,
                  plainHttp: true,
                  chunkSizeBytes: 1000,
                  onRequest: log.onRequest,
                }),
                registry.host,
                `streams/${label.replace(/ /g, '-')}`,
              )
            : new LayoutStore(path.join(dir, 'layout'));
        await expect(store.pushBlobStream(descriptor, source())).rejects.toMatchObject({
          code,
          message: expect.stringMatching(message) as string,
        });
        expect(await store.exists(descriptor)).toBe(false);
        if (kind === 'registry') {
          // chunks went up as they came, but the committing PUT was never sent
          expect(log.events.filter((e) => e.method === 'PATCH').length).toBeGreaterThan(0);
          expect(log.events.filter((e) => e.method === 'PUT')).toEqual([]);
        } else {
          expect(await readdir(path.join(dir, 'layout', 'blobs', 'sha256'))).toEqual([]);
        }
      });
    });

    it('commits a stream of the right bytes', async () => {
      await withTempDir(async (dir) => {
        const store: ArtifactStore & BlobStreaming =
          kind === 'registry'
            ? new RegistryStore(
                new RegistryClient({ transport, plainHttp: true, chunkSizeBytes: 1000 }),
                registry.host,
                'streams/good',
              )
            : new LayoutStore(path.join(dir, 'layout'));
        await store.pushBlobStream(descriptor, chunksOf(content));
        expect(await store.fetchBlob(descriptor)).toEqual(content);
      });
    });
  });
});
