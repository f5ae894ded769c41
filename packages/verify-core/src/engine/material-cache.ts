import type { ArtifactStore, Descriptor, FetchedManifest } from '@scs/oci';

export interface MaterialCacheOptions {
  /** Upper bound on the cached bytes (manifests, blobs, parsed documents count by their source size). Default 64 MiB. */
  maxBytes?: number;
  /** How long a referrers list is reused, in ms (new referrers may be attached at any time). Default 0: not reused. */
  referrersTtlMs?: number;
  /** Milliseconds since the epoch; inject a clock in tests. */
  now?: () => number;
}

interface Entry {
  value: Promise<unknown>;
  bytes: number;
  expires: number;
}

/**
 * Fetched material, shared between decisions. Content is keyed by digest alone: every byte the
 * stores return was checked against its digest, so the same digest is the same content whatever
 * the repository. Referrers lists are keyed by store and subject and live `referrersTtlMs`.
 * Failed fetches are never cached. Least recently used entries go first when full.
 */
export class MaterialCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  private readonly maxBytes: number;
  private readonly referrersTtlMs: number;
  private readonly now: () => number;

  constructor(options: MaterialCacheOptions = {}) {
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.referrersTtlMs = options.referrersTtlMs ?? 0;
    this.now = options.now ?? Date.now;
  }

  /** The number of cached entries (for tests and benchmarks). */
  get size(): number {
    return this.entries.size;
  }

  private get<T>(key: string): Promise<T> | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expires <= this.now()) {
      this.delete(key);
      return undefined;
    }
    // Refresh its place for LRU.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value as Promise<T>;
  }

  private delete(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.bytes -= entry.bytes;
    this.entries.delete(key);
  }

  private remember<T>(key: string, bytes: number, ttlMs: number, load: () => Promise<T>): Promise<T> {
    const cached = this.get<T>(key);
    if (cached !== undefined) return cached;
    const value = load();
    if (ttlMs <= 0 || bytes > this.maxBytes) return value;
    const entry: Entry = { value, bytes, expires: this.now() + ttlMs };
    this.entries.set(key, entry);
    this.bytes += bytes;
    value.catch(() => {
      if (this.entries.get(key) === entry) this.delete(key);
    });
    while (this.bytes > this.maxBytes) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.delete(oldest.value);
    }
    return value;
  }

  manifest(store: ArtifactStore, descriptor: Descriptor, maxBytes?: number): Promise<FetchedManifest> {
    return this.remember(`manifest:${descriptor.digest}`, descriptor.size, Number.POSITIVE_INFINITY, () =>
      store.fetchManifest(descriptor, maxBytes === undefined ? {} : { maxBytes }),
    );
  }

  blob(store: ArtifactStore, descriptor: Descriptor, maxBytes: number): Promise<Uint8Array> {
    return this.remember(`blob:${descriptor.digest}`, descriptor.size, Number.POSITIVE_INFINITY, () =>
      store.fetchBlob(descriptor, { maxBytes }),
    );
  }

  referrers(store: ArtifactStore, subject: Descriptor): Promise<Descriptor[]> {
    return this.remember(`referrers:${store.location}:${subject.digest}`, 1024, this.referrersTtlMs, () =>
      store.referrers(subject),
    );
  }

  /** A document parsed from content with this digest (parsing is pure, so it is cached like content). */
  parsed<T>(kind: string, descriptor: Descriptor, parse: () => T): Promise<T> {
    return this.remember(
      `parsed:${kind}:${descriptor.digest}`,
      descriptor.size,
      Number.POSITIVE_INFINITY,
      () => {
        try {
          return Promise.resolve(parse());
        } catch (error) {
          return Promise.reject(error instanceof Error ? error : new Error(String(error)));
        }
      },
    );
  }
}
