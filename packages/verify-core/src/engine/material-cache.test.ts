import type { ArtifactStore, Descriptor, FetchedManifest } from '@scs/oci';
import { describe, expect, it } from 'vitest';
import { MaterialCache } from './material-cache.js';

const manifest = (n: number): Descriptor => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${String(n).padStart(64, '0')}`,
  size: 100,
});

/** A store (plain object) that answers from memory and counts what it was asked. */
function countingStore(options: { failFirst?: boolean } = {}): ArtifactStore & { calls: string[] } {
  const calls: string[] = [];
  let failed = false;
  const fail = (): void => {
    if (options.failFirst === true && !failed) {
      failed = true;
      throw new Error('transient');
    }
  };
  const notUsed = (): Promise<never> => Promise.reject(new Error('not used'));
  return {
    kind: 'layout',
    location: 'oci:memory',
    calls,
    resolve: notUsed,
    fetchManifest: (target) => {
      calls.push(`manifest ${typeof target === 'string' ? target : target.digest}`);
      try {
        fail();
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      const descriptor = typeof target === 'string' ? manifest(0) : target;
      return Promise.resolve({
        descriptor,
        bytes: new Uint8Array(descriptor.size),
        manifest: { schemaVersion: 2, config: manifest(9), layers: [] },
      } satisfies FetchedManifest);
    },
    fetchBlob: (descriptor) => {
      calls.push(`blob ${descriptor.digest}`);
      return Promise.resolve(new Uint8Array(descriptor.size));
    },
    exists: notUsed,
    pushBlob: notUsed,
    pushManifest: notUsed,
    tag: notUsed,
    referrers: (subject) => {
      calls.push(`referrers ${subject.digest}`);
      return Promise.resolve([manifest(7)]);
    },
    attach: notUsed,
  };
}

describe('the material cache', () => {
  it('fetches content once per digest, even for concurrent requests', async () => {
    const store = countingStore();
    const cache = new MaterialCache();
    await Promise.all([cache.manifest(store, manifest(1)), cache.manifest(store, manifest(1))]);
    await cache.manifest(store, manifest(1));
    await cache.blob(store, manifest(2), 1000);
    await cache.blob(store, manifest(2), 1000);
    expect(store.calls).toEqual([`manifest ${manifest(1).digest}`, `blob ${manifest(2).digest}`]);
  });

  it('shares content between stores: a digest is the same bytes wherever it was fetched', async () => {
    const a = countingStore();
    const b = countingStore();
    const cache = new MaterialCache();
    await cache.manifest(a, manifest(1));
    await cache.manifest(b, manifest(1));
    expect(b.calls).toEqual([]);
  });

  it('does not reuse referrers lists by default', async () => {
    const store = countingStore();
    const cache = new MaterialCache();
    await cache.referrers(store, manifest(1));
    await cache.referrers(store, manifest(1));
    expect(store.calls).toHaveLength(2);
  });

  it('reuses referrers lists for their TTL, by the injected clock', async () => {
    let now = 1_000;
    const store = countingStore();
    const cache = new MaterialCache({ referrersTtlMs: 30_000, now: () => now });
    await cache.referrers(store, manifest(1));
    now += 29_999;
    await cache.referrers(store, manifest(1));
    expect(store.calls).toHaveLength(1);
    now += 1;
    await cache.referrers(store, manifest(1));
    expect(store.calls).toHaveLength(2);
  });

  it('never caches a failure', async () => {
    const store = countingStore({ failFirst: true });
    const cache = new MaterialCache();
    await expect(cache.manifest(store, manifest(1))).rejects.toThrow('transient');
    await expect(cache.manifest(store, manifest(1))).resolves.toMatchObject({ descriptor: manifest(1) });
    expect(store.calls).toHaveLength(2);
  });

  it('evicts the least recently used entries beyond its byte bound', async () => {
    const store = countingStore();
    const cache = new MaterialCache({ maxBytes: 250 });
    await cache.manifest(store, manifest(1));
    await cache.manifest(store, manifest(2));
    await cache.manifest(store, manifest(1)); // 1 is now the most recent
    await cache.manifest(store, manifest(3)); // evicts 2
    expect(cache.size).toBe(2);
    await cache.manifest(store, manifest(1));
    await cache.manifest(store, manifest(2));
    expect(store.calls.filter((c) => c === `manifest ${manifest(2).digest}`)).toHaveLength(2);
    expect(store.calls.filter((c) => c === `manifest ${manifest(1).digest}`)).toHaveLength(1);
  });
});
