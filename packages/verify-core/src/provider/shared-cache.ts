/**
 * The cache tier shared by several provider replicas (Redis in production, see
 * `redis-shared-cache.ts`): plain strings with a time to live, and short leases so that only one
 * replica computes a given key at a time.
 */
export interface SharedCache {
  /** The value, or undefined when absent or expired. */
  get(key: string): Promise<string | undefined>;
  /** Store `value` for `ttlMs` milliseconds. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Take the lease on computing `key` for `ttlMs`; false when another replica holds it. */
  lease(key: string, ttlMs: number): Promise<boolean>;
  /** Give the lease back (after `set`), so waiting replicas stop polling. */
  release(key: string): Promise<void>;
  close(): Promise<void>;
}
