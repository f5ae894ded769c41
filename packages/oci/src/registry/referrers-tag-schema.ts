import type { Clock, Logger } from '../clock.js';
import { parseDigest } from '../digest.js';
import { OciError } from '../errors.js';
import { encodeJson } from '../manifest.js';
import { MEDIA_TYPES, type Descriptor, type ImageIndex } from '../types.js';

/**
 * The referrers tag schema (distribution spec 1.1, "Referrers Tag Schema"): on registries
 * without the referrers API, the referrers of `<alg>:<ref>` are listed in an image index tagged
 * `<alg>-<ref>` (algorithm clipped to 32 characters, reference to 64).
 */
export function referrersTag(subjectDigest: string): string {
  const { algorithm, hex } = parseDigest(subjectDigest);
  return `${algorithm.slice(0, 32)}-${hex.slice(0, 64)}`;
}

/** One referrer to add to a subject's tag-schema index. */
export interface ReferrersIndexUpdate {
  subject: string;
  referrer: Descriptor;
}

/** The current tag-schema index, as read. */
export interface TagIndexState {
  manifests: Descriptor[];
  /** The ETag the registry sent with it, if any (for If-Match). */
  etag?: string;
}

/** The registry operations the tag-schema update needs (the registry store provides them). */
export interface TagIndexIo {
  /** The index behind the tag, or undefined when the tag does not exist yet. */
  read(): Promise<TagIndexState | undefined>;
  /**
   * Write the index to the tag; with `ifMatch`, conditionally. Returns false when the
   * registry refused because the tag changed (412), true when written.
   */
  write(index: Uint8Array, ifMatch: string | undefined): Promise<boolean>;
}

/** Add referrers to an index's entries (no duplicate digests). `changed` is false if all were there. */
export function mergeReferrers(
  existing: readonly Descriptor[],
  additions: readonly Descriptor[],
): { manifests: Descriptor[]; changed: boolean } {
  const manifests = [...existing];
  const seen = new Set(existing.map((d) => d.digest));
  let changed = false;
  for (const addition of additions) {
    if (seen.has(addition.digest)) continue;
    seen.add(addition.digest);
    manifests.push(addition);
    changed = true;
  }
  return { manifests, changed };
}

export function buildReferrersIndex(manifests: readonly Descriptor[]): Uint8Array {
  const index: ImageIndex = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.imageIndex,
    manifests: [...manifests],
  };
  return encodeJson(index);
}

export interface TagIndexUpdateOptions {
  io: TagIndexIo;
  clock: Clock;
  logger: Logger;
  /** What is being updated, for messages. */
  what: string;
  /** Read-modify-write rounds before giving up (default 8). */
  maxRounds?: number;
  /** Bounds of the settle wait before the final re-check (default 150 ms to 2 s). */
  minSettleMs?: number;
  maxSettleMs?: number;
}

/**
 * Add `additions` to the tag-schema index without losing a concurrent writer's entries.
 *
 * 1. Read the index (and its ETag), merge, write back with `If-Match` when the registry gave
 *    an ETag; a 412 means someone else wrote first: read again.
 * 2. Registries that ignore If-Match (distribution 2.8 does) are covered by reading back: if
 *    our entries are missing, someone overwrote us; merge again.
 * 3. A writer that read before our write can still land after our first check, so we wait a
 *    little longer than our own read-to-write time and check once more before returning.
 *
 * Our own entries are never removed and other entries are kept, so whoever writes last writes
 * a superset of what they read. Within one process, callers go through a `KeyedBatcher`, which
 * makes concurrent updates of one subject a single sequence of writes.
 */
export async function updateTagIndex(
  additions: readonly Descriptor[],
  options: TagIndexUpdateOptions,
): Promise<void> {
  const { io, clock, logger, what } = options;
  const maxRounds = options.maxRounds ?? 8;
  const minSettle = options.minSettleMs ?? 150;
  const maxSettle = options.maxSettleMs ?? 2_000;
  const wanted = new Set(additions.map((d) => d.digest));
  const allPresent = (state: TagIndexState | undefined): boolean => {
    const have = new Set((state?.manifests ?? []).map((d) => d.digest));
    return [...wanted].every((digest) => have.has(digest));
  };

  let state = await io.read();
  if (allPresent(state)) return;
  for (let round = 1; round <= maxRounds; round++) {
    const started = clock.now();
    const { manifests } = mergeReferrers(state?.manifests ?? [], additions);
    const written = await io.write(buildReferrersIndex(manifests), state?.etag);
    if (!written) {
      logger.debug(`oci: ${what}: the index changed under us (412); merging again`);
      state = await io.read();
      continue;
    }
    const elapsed = clock.now() - started;
    state = await io.read();
    if (!allPresent(state)) {
      logger.debug(`oci: ${what}: a concurrent writer replaced the index; merging again`);
      continue;
    }
    // Present now, but a writer that read before our write may still land: wait, look again.
    await clock.sleep(Math.min(maxSettle, Math.max(minSettle, 2 * elapsed)));
    state = await io.read();
    if (allPresent(state)) return;
    logger.debug(`oci: ${what}: a late concurrent writer dropped our entries; merging again`);
  }
  throw new OciError(
    'CONFLICT',
    `${what}: concurrent writers kept replacing the referrers index; gave up after ${maxRounds} rounds (retry the operation)`,
  );
}
