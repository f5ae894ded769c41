import { describe, expect, it } from 'vitest';
import type { CacheEvent, ResultCacheOptions } from './result-cache.js';
import { ResultCache } from './result-cache.js';
import type { SharedCache } from './shared-cache.js';
import { memoryShared } from './test-support/memory-shared-cache.js';

function cache(overrides: Partial<ResultCacheOptions<string>> = {}) {
  let time = 1_000_000;
  const events: CacheEvent[] = [];
  const options: ResultCacheOptions<string> = {
    namespace: 'test',
    maxEntries: 100,
    now: () => time,
    codec: { encode: (v) => v, decode: (t) => (t.startsWith('bad') ? undefined : t) },
    leaseMs: 10_000,
    leaseWaitMs: 1_000,
    pollMs: 100,
    sleep: (ms) => {
      time += ms;
      return Promise.resolve();
    },
    onEvent: (event) => events.push(event),
    ...overrides,
  };
  return {
    cache: new ResultCache(options),
    events,
    advance: (ms: number) => (time += ms),
    now: () => time,
  };
}

const ttl = (v: string): number => (v.startsWith('error') ? 1_000 : 60_000);

describe('concurrent lookups of one key', () => {
  it('share one computation', async () => {
    const { cache: results, events } = cache();
    let computed = 0;
    let release: (v: string) => void = () => undefined;
    const compute = () => {
      computed++;
      return new Promise<string>((resolve) => (release = resolve));
    };
    const all = Promise.all([
      results.get('k', compute, ttl),
      results.get('k', compute, ttl),
      results.get('k', compute, ttl),
    ]);
    expect(results.computing('k')).toBe(true);
    release('value');
    expect(await all).toEqual(['value', 'value', 'value']);
    expect(computed).toBe(1);
    expect(events).toEqual(['miss', 'joined', 'joined']);
    expect(results.pending).toBe(0);
  });
});

describe('the time to live', () => {
  it('is chosen per value: errors expire sooner than answers', async () => {
    const { cache: results, advance } = cache();
    let n = 0;
    const next = (prefix: string) => () => Promise.resolve(`${prefix}-${++n}`);
    expect(await results.get('ok', next('value'), ttl)).toBe('value-1');
    expect(await results.get('bad', next('error'), ttl)).toBe('error-2');
    advance(1_001);
    expect(await results.get('ok', next('value'), ttl)).toBe('value-1');
    expect(await results.get('bad', next('error'), ttl)).toBe('error-3');
    advance(60_000);
    expect(await results.get('ok', next('value'), ttl)).toBe('value-4');
  });

  it('of zero keeps nothing', async () => {
    const { cache: results } = cache();
    let n = 0;
    await results.get(
      'k',
      () => Promise.resolve(`v${++n}`),
      () => 0,
    );
    expect(
      await results.get(
        'k',
        () => Promise.resolve(`v${++n}`),
        () => 0,
      ),
    ).toBe('v2');
  });
});

describe('a computation that throws', () => {
  it('is not cached: the next lookup computes again', async () => {
    const { cache: results } = cache();
    await expect(results.get('k', () => Promise.reject(new Error('boom')), ttl)).rejects.toThrow('boom');
    expect(await results.get('k', () => Promise.resolve('v'), ttl)).toBe('v');
  });
});

describe('the memory tier', () => {
  it('keeps at most maxEntries, dropping the least recently used', async () => {
    const { cache: results } = cache({ maxEntries: 2 });
    await results.get('a', () => Promise.resolve('a1'), ttl);
    await results.get('b', () => Promise.resolve('b1'), ttl);
    await results.get('a', () => Promise.resolve('a2'), ttl); // a is used again
    await results.get('c', () => Promise.resolve('c1'), ttl); // b goes
    expect(results.peek('a')).toBe('a1');
    expect(results.peek('b')).toBeUndefined();
    expect(results.peek('c')).toBe('c1');
  });
});

describe('with a shared tier', () => {
  it('reuses what another replica computed, until its expiry', async () => {
    const first = cache();
    const shared = memoryShared(first.now);
    const a = new ResultCache({ ...optionsOf(first), shared });
    const b = cache({ shared, now: first.now });
    expect(await a.get('k', () => Promise.resolve('from-a'), ttl)).toBe('from-a');
    await Promise.resolve();
    expect(await b.cache.get('k', () => Promise.resolve('from-b'), ttl)).toBe('from-a');
    expect(b.events).toEqual(['shared-hit']);
    expect(shared.store.has('test:k:lease')).toBe(false);
  });

  it('waits for the replica holding the lease, then takes its result', async () => {
    const b = cache({ pollMs: 100 });
    const shared = memoryShared(b.now);
    await shared.lease('test:k:lease', 10_000);
    const withShared = new ResultCache({
      ...optionsOf(b),
      shared,
      sleep: async (ms) => {
        b.advance(ms);
        if (b.now() >= 1_000_300)
          await shared.set('test:k', JSON.stringify({ e: b.now() + 60_000, v: 'from-a' }), 60_000);
      },
    });
    expect(await withShared.get('k', () => Promise.resolve('from-b'), ttl)).toBe('from-a');
    expect(b.events).toEqual(['lease-wait', 'shared-hit']);
  });

  it('computes itself when the lease holder does not answer within leaseWaitMs', async () => {
    const b = cache({ leaseWaitMs: 500 });
    const shared = memoryShared(b.now);
    await shared.lease('test:k:lease', 10_000);
    const withShared = new ResultCache({ ...optionsOf(b), shared });
    expect(await withShared.get('k', () => Promise.resolve('from-b'), ttl)).toBe('from-b');
    expect(b.events).toEqual(['lease-wait', 'miss']);
  });

  it('ignores entries that do not decode or have expired', async () => {
    const b = cache();
    const shared = memoryShared(b.now);
    await shared.set('test:bad', JSON.stringify({ e: b.now() + 60_000, v: 'bad value' }), 60_000);
    await shared.set('test:old', JSON.stringify({ e: b.now() - 1, v: 'old' }), 60_000);
    await shared.set('test:junk', '{not json', 60_000);
    const withShared = new ResultCache({ ...optionsOf(b), shared });
    expect(await withShared.get('bad', () => Promise.resolve('fresh'), ttl)).toBe('fresh');
    expect(await withShared.get('old', () => Promise.resolve('fresh'), ttl)).toBe('fresh');
    expect(await withShared.get('junk', () => Promise.resolve('fresh'), ttl)).toBe('fresh');
  });

  it('goes on without it when it fails', async () => {
    const b = cache();
    const failing: SharedCache = {
      get: () => Promise.reject(new Error('ECONNREFUSED')),
      set: () => Promise.reject(new Error('ECONNREFUSED')),
      lease: () => Promise.reject(new Error('ECONNREFUSED')),
      release: () => Promise.reject(new Error('ECONNREFUSED')),
      close: () => Promise.resolve(),
    };
    const withShared = new ResultCache({ ...optionsOf(b), shared: failing });
    expect(await withShared.get('k', () => Promise.resolve('here'), ttl)).toBe('here');
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(b.events.filter((e) => e === 'shared-error').length).toBeGreaterThanOrEqual(2);
    expect(b.events).toContain('miss');
  });
});

function optionsOf(c: ReturnType<typeof cache>): ResultCacheOptions<string> {
  return {
    namespace: 'test',
    maxEntries: 100,
    now: c.now,
    codec: { encode: (v) => v, decode: (t) => (t.startsWith('bad') ? undefined : t) },
    leaseMs: 10_000,
    leaseWaitMs: 1_000,
    pollMs: 100,
    sleep: (ms) => {
      c.advance(ms);
      return Promise.resolve();
    },
    onEvent: (event) => c.events.push(event),
  };
}
