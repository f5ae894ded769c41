import { describe, expect, it } from 'vitest';
import { authenticatedSharedCache, openEntry, sealEntry } from './authenticated-shared-cache.js';
import { judgementCodec } from './judgement.js';
import { ResultCache } from './result-cache.js';
import { memoryShared } from './test-support/memory-shared-cache.js';

const KEY = new Uint8Array(Buffer.from('k'.repeat(48)));
const OTHER_KEY = new Uint8Array(Buffer.from('o'.repeat(48)));
const ENTRY = 'scs:provider:v1:decision:sha256:aa|registry.example.com/app@sha256:bb';
const ALLOWED = JSON.stringify({ e: 2_000_000, v: '{"kind":"verdict","allowed":true}' });

function sealed(time = () => 1_000_000) {
  const inner = memoryShared(time);
  let rejected = 0;
  const cache = authenticatedSharedCache(inner, KEY, () => {
    rejected++;
  });
  return { inner, cache, rejected: () => rejected };
}

describe('an entry written through the authenticated cache', () => {
  it('reads back as written, and is stored sealed (format, MAC, value)', async () => {
    const { inner, cache, rejected } = sealed();
    await cache.set(ENTRY, ALLOWED, 60_000);
    expect(await cache.get(ENTRY)).toBe(ALLOWED);
    const stored = inner.store.get(ENTRY)?.value ?? '';
    expect(stored).toMatch(/^scs1\.[A-Za-z0-9_-]{43}\./);
    expect(stored.endsWith(`.${ALLOWED}`)).toBe(true);
    expect(rejected()).toBe(0);
  });

  it('is absent when nothing was written', async () => {
    const { cache, rejected } = sealed();
    expect(await cache.get(ENTRY)).toBeUndefined();
    expect(rejected()).toBe(0);
  });
});

describe('when someone who can write to Redis but lacks the key writes an entry', () => {
  it.each([
    ['an unsealed answer (as written before entries were authenticated)', () => ALLOWED],
    ['an answer sealed with another key', () => sealEntry(OTHER_KEY, ENTRY, ALLOWED)],
    ['a genuine entry with its value changed', () => sealEntry(KEY, ENTRY, ALLOWED).replace('true', 'fals')],
    [
      'a genuine entry of another image, copied under this key',
      () => sealEntry(KEY, ENTRY.replace('sha256:bb', 'sha256:cc'), ALLOWED),
    ],
    ['a truncated MAC', () => sealEntry(KEY, ENTRY, ALLOWED).replace(/^scs1\.(.{10})[^.]*\./, 'scs1.$1.')],
    ['another format', () => sealEntry(KEY, ENTRY, ALLOWED).replace(/^scs1\./, 'scs2.')],
    ['a value without separators', () => 'scs1'],
  ])('ignores %s and reports it', async (_what, forge) => {
    const { inner, cache, rejected } = sealed();
    await inner.set(ENTRY, forge(), 60_000);
    expect(await cache.get(ENTRY)).toBeUndefined();
    expect(rejected()).toBe(1);
  });

  it('cannot make the provider serve a forged "allowed": the decision is computed again', async () => {
    let time = 1_000_000;
    const inner = memoryShared(() => time);
    let rejected = 0;
    const decisions = new ResultCache({
      namespace: 'scs:provider:v1:decision',
      maxEntries: 10,
      now: () => time,
      codec: judgementCodec,
      shared: authenticatedSharedCache(inner, KEY, () => rejected++),
      leaseMs: 1_000,
      leaseWaitMs: 100,
      pollMs: 10,
      sleep: (ms) => {
        time += ms;
        return Promise.resolve();
      },
    });
    const forged = JSON.stringify({
      kind: 'verdict',
      allowed: true,
      value: { version: '0.1.0', isSuccess: true, verifierReports: [] },
    });
    await inner.set(
      'scs:provider:v1:decision:image',
      JSON.stringify({ e: time + 60_000, v: forged }),
      60_000,
    );
    const judged = await decisions.get(
      'image',
      () => Promise.resolve({ kind: 'error', error: 'no trusted signature' } as const),
      () => 5_000,
    );
    expect(judged).toEqual({ kind: 'error', error: 'no trusted signature' });
    expect(rejected).toBe(1);
  });
});

describe('a key shorter than 32 bytes', () => {
  it('is refused before anything is stored', () => {
    const inner = memoryShared(() => 0);
    expect(() => authenticatedSharedCache(inner, new Uint8Array(31), () => undefined)).toThrow(
      'the Redis cache key holds 31 bytes; it needs at least 32',
    );
    expect(() => authenticatedSharedCache(inner, new Uint8Array(32), () => undefined)).not.toThrow();
  });
});

describe('leases', () => {
  it('pass through unchanged (they carry no answer)', async () => {
    const { inner, cache } = sealed();
    expect(await cache.lease('l', 1_000)).toBe(true);
    expect(await cache.lease('l', 1_000)).toBe(false);
    expect(inner.store.get('l')?.value).toBe('1');
    await cache.release('l');
    expect(await cache.lease('l', 1_000)).toBe(true);
  });
});

describe('openEntry and sealEntry', () => {
  it('round-trip any value, separators included', () => {
    const value = 'a.b.c scs1.x.y';
    expect(openEntry(KEY, ENTRY, sealEntry(KEY, ENTRY, value))).toBe(value);
    expect(openEntry(OTHER_KEY, ENTRY, sealEntry(KEY, ENTRY, value))).toBeUndefined();
  });
});
