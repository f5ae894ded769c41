import { OciError } from './errors.js';
import { isImageIndex } from './manifest.js';
import { selectPlatform } from './platform.js';
import type { ArtifactStore, Descriptor, Platform } from './types.js';

/** Indexes nested deeper than this are refused (an index of indexes is already rare). */
const MAX_INDEX_DEPTH = 4;

/**
 * The image manifest to use for `platform`: `descriptor` itself when it is an image manifest,
 * else the matching entry of the index it names (nested indexes followed, at most 4 deep; deeper
 * is refused with `MANIFEST_INVALID`). Throws `NOT_FOUND` listing the platforms the index has.
 */
export async function resolvePlatform(
  store: ArtifactStore,
  descriptor: Descriptor,
  platform: Platform,
  options?: { signal?: AbortSignal },
): Promise<Descriptor> {
  let current = descriptor;
  for (let depth = 0; ; depth++) {
    const fetched = await store.fetchManifest(current, options?.signal ? { signal: options.signal } : {});
    if (!isImageIndex(fetched.manifest)) return fetched.descriptor;
    if (depth === MAX_INDEX_DEPTH) {
      throw new OciError(
        'MANIFEST_INVALID',
        `${store.location}@${descriptor.digest}: image indexes nested more than ${MAX_INDEX_DEPTH} deep; refusing to follow further`,
      );
    }
    current = selectPlatform(fetched.manifest, platform, `${store.location}@${current.digest}`);
  }
}
