import type { SharedCache } from './shared-cache.js';

/** How values travel through the shared tier; `decode` returns undefined for anything unexpected. */
export interface ResultCodec<T> {
  encode(value: T): string;
  decode(text: string): T | undefined;
}

export type CacheEvent = 'memory-hit' | 'shared-hit' | 'miss' | 'joined' | 'shared-error' | 'lease-wait';

export interface ResultCacheOptions<T> {
  /** Prefix of every key in the shared tier (names the kind of value and its format version). */
  namespace: string;
  /** Entries kept in memory (least recently used go first). */
  maxEntries: number;
  /** Milliseconds since the epoch. */
  now: () => number;
  codec: ResultCodec<T>;
  /** The tier shared with other replicas; absent: memory only. */
  shared?: SharedCache;
  /** How long a lease on computing a key lasts in the shared tier (the longest a computation takes). */
  leaseMs: number;
  /** How long to wait for another replica's computation before doing it here. */
  leaseWaitMs: number;
  /** How often to look for that replica's result meanwhile. */
  pollMs: number;
  /** Waits (injected so tests and the server share real timers). */
  sleep: (ms: number) => Promise<void>;
  onEvent?: (event: CacheEvent, error?: unknown) => void;
}

interface Stored<T> {
  value: T;
  expires: number;
}

/**
 * Results by key, computed once: a memory tier (TTL + LRU), an optional shared tier (other
 * replicas' results), and single flight — concurrent requests for the same key share one
 * computation in this process, and with a shared tier, replicas take a lease so that one of them
 * computes while the others wait for its result (bounded by `leaseWaitMs`, then they compute).
 *
 * The time to live is chosen per value (`ttlOf`), so errors can live shorter than answers. A
 * computation that throws is not cached. The shared tier failing never fails a lookup: the value
 * is then computed here.
 */
export class ResultCache<T> {
  private readonly memory = new Map<string, Stored<T>>();
  private readonly inflight = new Map<string, Promise<T>>();

  constructor(private readonly options: ResultCacheOptions<T>) {}

  /** Computations running now. */
  get pending(): number {
    return this.inflight.size;
  }

  /** The cached value (memory tier only), without computing. */
  peek(key: string): T | undefined {
    const stored = this.memory.get(key);
    if (stored === undefined) return undefined;
    if (stored.expires <= this.options.now()) {
      this.memory.delete(key);
      return undefined;
    }
    return stored.value;
  }

  /** Whether a computation for `key` is running in this process. */
  computing(key: string): boolean {
    return this.inflight.has(key);
  }

  get(key: string, compute: () => Promise<T>, ttlOf: (value: T) => number): Promise<T> {
    const cached = this.peek(key);
    if (cached !== undefined) {
      // Refresh its place for LRU.
      const stored = this.memory.get(key);
      if (stored !== undefined) {
        this.memory.delete(key);
        this.memory.set(key, stored);
      }
      this.event('memory-hit');
      return Promise.resolve(cached);
    }
    const running = this.inflight.get(key);
    if (running !== undefined) {
      this.event('joined');
      return running;
    }
    const promise = this.load(key, compute, ttlOf);
    this.inflight.set(key, promise);
    const forget = (): void => {
      if (this.inflight.get(key) === promise) this.inflight.delete(key);
    };
    promise.then(forget, forget);
    return promise;
  }

  private async load(key: string, compute: () => Promise<T>, ttlOf: (value: T) => number): Promise<T> {
    const shared = this.options.shared;
    const sharedKey = `${this.options.namespace}:${key}`;
    if (shared !== undefined) {
      const found = await this.readShared(shared, sharedKey);
      if (found !== undefined) {
        this.event('shared-hit');
        this.remember(key, found.value, found.expires);
        return found.value;
      }
      const leased = await shared
        .lease(`${sharedKey}:lease`, this.options.leaseMs)
        .catch((error: unknown) => {
          this.event('shared-error', error);
          return true;
        });
      if (!leased) {
        this.event('lease-wait');
        const deadline = this.options.now() + this.options.leaseWaitMs;
        while (this.options.now() < deadline) {
          await this.options.sleep(this.options.pollMs);
          const result = await this.readShared(shared, sharedKey);
          if (result !== undefined) {
            this.event('shared-hit');
            this.remember(key, result.value, result.expires);
            return result.value;
          }
        }
      }
    }
    this.event('miss');
    const value = await compute();
    const ttl = ttlOf(value);
    const expires = this.options.now() + ttl;
    if (ttl > 0) this.remember(key, value, expires);
    if (shared !== undefined) {
      const write = async (): Promise<void> => {
        if (ttl > 0) {
          await shared.set(
            sharedKey,
            JSON.stringify({ e: expires, v: this.options.codec.encode(value) }),
            ttl,
          );
        }
        await shared.release(`${sharedKey}:lease`);
      };
      write().catch((error: unknown) => {
        this.event('shared-error', error);
      });
    }
    return value;
  }

  private async readShared(
    shared: SharedCache,
    sharedKey: string,
  ): Promise<{ value: T; expires: number } | undefined> {
    let text: string | undefined;
    try {
      text = await shared.get(sharedKey);
    } catch (error) {
      this.event('shared-error', error);
      return undefined;
    }
    if (text === undefined) return undefined;
    try {
      const envelope = JSON.parse(text) as unknown;
      if (typeof envelope !== 'object' || envelope === null) return undefined;
      const { e, v } = envelope as { e?: unknown; v?: unknown };
      if (typeof e !== 'number' || typeof v !== 'string' || e <= this.options.now()) return undefined;
      const value = this.options.codec.decode(v);
      return value === undefined ? undefined : { value, expires: e };
    } catch {
      return undefined;
    }
  }

  private remember(key: string, value: T, expires: number): void {
    this.memory.delete(key);
    this.memory.set(key, { value, expires });
    while (this.memory.size > this.options.maxEntries) {
      const oldest = this.memory.keys().next();
      if (oldest.done === true) break;
      this.memory.delete(oldest.value);
    }
  }

  private event(event: CacheEvent, error?: unknown): void {
    this.options.onEvent?.(event, error);
  }
}
