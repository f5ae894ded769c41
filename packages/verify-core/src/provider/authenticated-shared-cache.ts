/**
 * Entries of the shared cache (Redis) authenticated with an HMAC, so that whoever can write to
 * Redis but does not hold the provider's key cannot forge an answer ("allowed") nor move one
 * answer to another image: every value is stored as `scs1.<mac>.<value>`, the MAC being
 * HMAC-SHA256 over the entry's full key and its value. An entry whose MAC does not verify is
 * treated as absent (the image is judged here) and reported through `onRejected`.
 *
 * Leases carry no answer (their value is never read), so they pass through unchanged. A replayed
 * genuine entry can only repeat what a replica holding the key wrote for that same key (policy
 * fingerprint and image digest), and the expiry inside the value still bounds it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { VerifyCoreError } from '../errors.js';
import type { SharedCache } from './shared-cache.js';

/** The shortest key accepted (256 bits). */
export const MIN_CACHE_KEY_BYTES = 32;

const FORMAT = 'scs1';
const CONTEXT = 'scs-provider-shared-cache/v1';

function mac(key: Uint8Array, entryKey: string, value: string): Buffer {
  return createHmac('sha256', key).update(`${CONTEXT}\n${entryKey}\n`).update(value).digest();
}

/** What is stored for `value` under `entryKey`. */
export function sealEntry(key: Uint8Array, entryKey: string, value: string): string {
  return `${FORMAT}.${mac(key, entryKey, value).toString('base64url')}.${value}`;
}

/** The value of a stored entry when its MAC verifies for `entryKey`, else undefined. */
export function openEntry(key: Uint8Array, entryKey: string, stored: string): string | undefined {
  const first = stored.indexOf('.');
  const second = first < 0 ? -1 : stored.indexOf('.', first + 1);
  if (second < 0 || stored.slice(0, first) !== FORMAT) return undefined;
  const given = Buffer.from(stored.slice(first + 1, second), 'base64url');
  const value = stored.slice(second + 1);
  const expected = mac(key, entryKey, value);
  return given.length === expected.length && timingSafeEqual(given, expected) ? value : undefined;
}

/**
 * `inner` with every value sealed on `set` and checked on `get`. `key` must hold at least
 * `MIN_CACHE_KEY_BYTES` bytes (`loadRedisSettings` says so to the user, naming the source).
 */
export function authenticatedSharedCache(
  inner: SharedCache,
  key: Uint8Array,
  onRejected: () => void,
): SharedCache {
  if (key.length < MIN_CACHE_KEY_BYTES) {
    throw new VerifyCoreError(
      'USAGE',
      `the Redis cache key holds ${key.length} bytes; it needs at least ${MIN_CACHE_KEY_BYTES}`,
    );
  }
  const secret = Uint8Array.from(key);
  return {
    async get(entryKey) {
      const stored = await inner.get(entryKey);
      if (stored === undefined) return undefined;
      const value = openEntry(secret, entryKey, stored);
      if (value === undefined) onRejected();
      return value;
    },
    set: (entryKey, value, ttlMs) => inner.set(entryKey, sealEntry(secret, entryKey, value), ttlMs),
    lease: (entryKey, ttlMs) => inner.lease(entryKey, ttlMs),
    release: (entryKey) => inner.release(entryKey),
    close: () => inner.close(),
  };
}
