import { describe, expect, it } from 'vitest';
import { silentLogger } from '../clock.js';
import { sha256Digest } from '../digest.js';
import { parseReferrersIndex } from '../manifest.js';
import { fakeClock } from '../test-support.js';
import { MEDIA_TYPES, type Descriptor } from '../types.js';
import { KeyedBatcher } from './keyed-batcher.js';
import {
  mergeReferrers,
  referrersTag,
  updateTagIndex,
  type TagIndexIo,
  type TagIndexState,
} from './referrers-tag-schema.js';

const referrer = (name: string): Descriptor => ({
  mediaType: MEDIA_TYPES.imageManifest,
  digest: sha256Digest(new TextEncoder().encode(name)),
  size: name.length,
  artifactType: 'application/vnd.example',
});

/** An in-memory tag with hooks that let a simulated concurrent writer act at chosen moments. */
function memoryTag(options: { etags?: boolean } = {}): TagIndexIo & {
  state: TagIndexState | undefined;
  writes: number;
  onWrite?: (n: number) => void;
  onRead?: (n: number) => void;
  refuseIfMatch?: number;
  reads: number;
} {
  let version = 0;
  const tag = {
    state: undefined as TagIndexState | undefined,
    writes: 0,
    reads: 0,
    onWrite: undefined as ((n: number) => void) | undefined,
    onRead: undefined as ((n: number) => void) | undefined,
    refuseIfMatch: undefined as number | undefined,
    read: () => {
      tag.reads++;
      tag.onRead?.(tag.reads);
      return Promise.resolve(tag.state && { ...tag.state, manifests: [...tag.state.manifests] });
    },
    write: (index: Uint8Array, ifMatch: string | undefined) => {
      if (ifMatch !== undefined && tag.refuseIfMatch !== undefined && tag.refuseIfMatch-- > 0)
        return Promise.resolve(false);
      tag.writes++;
      version++;
      tag.state = {
        manifests: parseReferrersIndex(index, 'tag'),
        ...(options.etags ? { etag: `"v${version}"` } : {}),
      };
      tag.onWrite?.(tag.writes);
      return Promise.resolve(true);
    },
  };
  return tag;
}

const listed = (tag: { state: TagIndexState | undefined }): string[] | undefined =>
  tag.state?.manifests.map((d) => d.digest);

const options = (io: TagIndexIo, clock = fakeClock()) => ({ io, clock, logger: silentLogger, what: 'test' });

describe('the referrers tag schema', () => {
  it('names the tag <alg>-<hex>', () => {
    expect(referrersTag(`sha256:${'ab'.repeat(32)}`)).toBe(`sha256-${'ab'.repeat(32)}`);
    expect(referrersTag(`sha512:${'c'.repeat(128)}`)).toBe(`sha512-${'c'.repeat(64)}`);
  });

  it('merges without duplicates and says whether anything changed', () => {
    const a = referrer('a');
    expect(mergeReferrers([a], [a])).toEqual({ manifests: [a], changed: false });
    expect(mergeReferrers([a], [referrer('b')]).manifests.map((d) => d.digest)).toEqual([
      a.digest,
      referrer('b').digest,
    ]);
  });

  describe('when nobody else writes', () => {
    it('creates the index, checks it back after a settle wait, and stops', async () => {
      const tag = memoryTag();
      const clock = fakeClock();
      await updateTagIndex([referrer('a')], options(tag, clock));
      expect(tag.state?.manifests).toEqual([referrer('a')]);
      expect(tag.writes).toBe(1);
      expect(clock.sleeps).toEqual([150]);
    });

    it('writes nothing when the entry is already listed', async () => {
      const tag = memoryTag();
      tag.state = { manifests: [referrer('a')] };
      await updateTagIndex([referrer('a')], options(tag));
      expect(tag.writes).toBe(0);
    });
  });

  describe('when the registry honours If-Match and another writer got in first', () => {
    it('re-reads on 412 and writes a superset', async () => {
      const tag = memoryTag({ etags: true });
      tag.state = { manifests: [referrer('x')], etag: '"v0"' };
      tag.refuseIfMatch = 1;
      tag.onRead = (n) => {
        if (n === 2) tag.state = { manifests: [referrer('x'), referrer('other')], etag: '"v9"' };
      };
      await updateTagIndex([referrer('a')], options(tag));
      expect(listed(tag)).toEqual(['x', 'other', 'a'].map((n) => referrer(n).digest));
    });
  });

  describe('when a concurrent writer overwrites our entry (no If-Match support)', () => {
    it('notices on read-back and merges again', async () => {
      const tag = memoryTag();
      tag.onWrite = (n) => {
        // right after our first write, a stale writer replaces the index with its own view
        if (n === 1) tag.state = { manifests: [referrer('stale')] };
      };
      await updateTagIndex([referrer('a')], options(tag));
      expect(listed(tag)).toEqual([referrer('stale').digest, referrer('a').digest]);
    });

    it('catches a writer that lands during the settle wait', async () => {
      const tag = memoryTag();
      const clock = fakeClock();
      const sleep = clock.sleep.bind(clock);
      let clobbered = false;
      clock.sleep = async (ms) => {
        await sleep(ms);
        if (!clobbered) {
          clobbered = true;
          tag.state = { manifests: [referrer('late')] };
        }
      };
      await updateTagIndex([referrer('a')], options(tag, clock));
      expect(listed(tag)).toEqual([referrer('late').digest, referrer('a').digest]);
      expect(tag.writes).toBe(2);
    });

    it('gives up with CONFLICT when it never settles', async () => {
      const tag = memoryTag();
      tag.onWrite = () => {
        tag.state = { manifests: [] };
      };
      await expect(updateTagIndex([referrer('a')], { ...options(tag), maxRounds: 3 })).rejects.toMatchObject({
        code: 'CONFLICT',
        message: expect.stringContaining('gave up after 3 rounds') as string,
      });
    });
  });

  describe('the keyed batcher', () => {
    it('runs one batch per key at a time and merges what waits', async () => {
      const runs: string[][] = [];
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const batcher = new KeyedBatcher<string>(async (_key, items) => {
        runs.push(items);
        if (runs.length === 1) await gate;
      });
      const first = batcher.submit('k', 'a');
      const rest = [batcher.submit('k', 'b'), batcher.submit('k', 'c'), batcher.submit('other', 'z')];
      release();
      await Promise.all([first, ...rest]);
      expect(runs).toEqual([['a'], ['z'], ['b', 'c']]);
    });

    it('rejects every caller of a failed batch', async () => {
      const batcher = new KeyedBatcher<string>(() => Promise.reject(new Error('boom')));
      await expect(batcher.submit('k', 'a')).rejects.toThrow('boom');
    });
  });
});
