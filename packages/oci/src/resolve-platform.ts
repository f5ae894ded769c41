import { isImageIndex, selectPlatform } from './manifest.js';
import type { ArtifactStore, Descriptor, Platform } from './types.js';

/**
 * The image manifest to use for `platform`: `descriptor` itself when it is an image manifest,
 * else the matching entry of the index it names (nested indexes followed, at most 4 deep).
 * Throws `NOT_FOUND` listing the platforms the index has.
 */
export async function resolvePlatform(
  store: ArtifactStore,
  descriptor: Descriptor,
  platform: Platform,
  options?: { signal?: AbortSignal },
): Promise<Descriptor> {
  let current = descriptor;
  for (let depth = 0; depth < 4; depth++) {
    const fetched = await store.fetchManifest(current, options?.signal ? { signal: options.signal } : {});
    if (!isImageIndex(fetched.manifest)) return fetched.descriptor;
    current = selectPlatform(fetched.manifest, platform, `${store.location}@${current.digest}`);
  }
  return current;
}
