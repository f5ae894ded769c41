/** Test support: the shared cache tier in memory (what Redis does, minus the network). */
import type { SharedCache } from '../shared-cache.js';

/** On the test's clock. */
export function memoryShared(
  now: () => number,
): SharedCache & { store: Map<string, { value: string; expires: number }> } {
  const store = new Map<string, { value: string; expires: number }>();
  const live = (key: string): string | undefined => {
    const entry = store.get(key);
    return entry !== undefined && entry.expires > now() ? entry.value : undefined;
  };
  return {
    store,
    get: (key) => Promise.resolve(live(key)),
    set: (key, value, ttlMs) => {
      store.set(key, { value, expires: now() + ttlMs });
      return Promise.resolve();
    },
    lease: (key, ttlMs) => {
      if (live(key) !== undefined) return Promise.resolve(false);
      store.set(key, { value: '1', expires: now() + ttlMs });
      return Promise.resolve(true);
    },
    release: (key) => {
      store.delete(key);
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
}
