import { isBlobStreaming } from './blob-stream.js';
import { OciError } from './errors.js';
import { fetchReferrer } from './fetch-referrer.js';
import { childDescriptors, isManifestMediaType } from './manifest.js';
import { RegistryStore } from './registry/registry-store.js';
import type { ArtifactStore, Descriptor } from './types.js';

/** Blobs above this size are streamed between stores rather than read into memory. */
const STREAM_ABOVE_BYTES = 4 * 1024 * 1024;

export interface CopyGraphOptions {
  /** Also copy the referrers (signatures, SBOMs…) of every manifest copied, recursively. */
  referrers: boolean;
  /** Blobs copied in parallel (default 4). */
  concurrency?: number;
  signal?: AbortSignal;
}

export interface CopyGraphResult {
  /** Manifests pushed to the destination. */
  manifests: number;
  /** Blobs pushed to the destination. */
  blobs: number;
  /** Blobs made available by cross-repository mount instead of upload. */
  mounted: number;
  /** Blobs and manifests already present at the destination. */
  skipped: number;
  /** Bytes of blob content uploaded. */
  bytes: number;
  /** The referrers found and copied (direct and transitive). */
  referrers: Descriptor[];
}

/**
 * Copy the graph under `root` from `src` to `dst` (like `oras cp -r`): the manifest, its config
 * and layers (or an index's manifests), children before parents, skipping what `dst` already
 * has; with `referrers`, then the referrers of every manifest copied, recursively (signatures of
 * per-platform manifests and signatures of SBOMs included). Bytes are verified on read by `src`.
 * Referrer manifests are always re-pushed so `dst` lists them (tag schema or index.json) even if
 * an earlier copy stopped half-way.
 */
export async function copyGraph(
  src: ArtifactStore,
  dst: ArtifactStore,
  root: Descriptor,
  options: CopyGraphOptions,
): Promise<CopyGraphResult> {
  const concurrency = options.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new OciError(
      'CONFIG_INVALID',
      `copyGraph: concurrency must be a positive integer, got ${concurrency}`,
    );
  }
  const signal = options.signal !== undefined ? { signal: options.signal } : {};
  const result: CopyGraphResult = { manifests: 0, blobs: 0, mounted: 0, skipped: 0, bytes: 0, referrers: [] };
  const visited = new Set<string>();
  const mountFrom =
    src instanceof RegistryStore &&
    dst instanceof RegistryStore &&
    src.registry === dst.registry &&
    src.repository !== dst.repository
      ? src.repository
      : undefined;

  const copyBlob = async (descriptor: Descriptor): Promise<void> => {
    if (await dst.exists(descriptor, signal)) {
      result.skipped++;
      return;
    }
    if (
      mountFrom !== undefined &&
      dst instanceof RegistryStore &&
      (await dst.mountBlob(descriptor, mountFrom, signal))
    ) {
      result.mounted++;
      return;
    }
    if (descriptor.size > STREAM_ABOVE_BYTES && isBlobStreaming(src) && isBlobStreaming(dst)) {
      // Large blobs flow through without being held in memory; dst commits only verified bytes.
      await dst.pushBlobStream(descriptor, await src.fetchBlobStream(descriptor, signal), signal);
      result.blobs++;
      result.bytes += descriptor.size;
      return;
    }
    const content = await src.fetchBlob(descriptor, signal);
    await dst.pushBlob(content, descriptor.mediaType, signal);
    result.blobs++;
    result.bytes += content.byteLength;
  };

  const copyManifest = async (descriptor: Descriptor, referrerOf: Descriptor | undefined): Promise<void> => {
    if (referrerOf !== undefined || !(await dst.exists(descriptor, signal))) {
      // A listed referrer must name its subject (tag-schema entries are only claims).
      const fetched =
        referrerOf !== undefined
          ? await fetchReferrer(src, referrerOf, descriptor, signal)
          : await src.fetchManifest(descriptor, signal);
      await forEachLimit(childDescriptors(fetched.manifest), concurrency, (child) =>
        copyNode(child, undefined),
      );
      await dst.pushManifest(fetched.bytes, fetched.descriptor.mediaType, signal);
      result.manifests++;
    } else {
      result.skipped++;
    }
    if (options.referrers) {
      const referrers = await src.referrers(descriptor, signal);
      for (const referrer of referrers) {
        if (visited.has(referrer.digest)) continue;
        result.referrers.push(referrer);
        await copyNode(referrer, descriptor);
      }
    }
  };

  const copyNode = async (descriptor: Descriptor, referrerOf: Descriptor | undefined): Promise<void> => {
    if (visited.has(descriptor.digest)) return;
    visited.add(descriptor.digest);
    if (isManifestMediaType(descriptor.mediaType)) await copyManifest(descriptor, referrerOf);
    else await copyBlob(descriptor);
  };

  if (!isManifestMediaType(root.mediaType)) {
    throw new OciError(
      'CONFIG_INVALID',
      `copyGraph: the root ${root.digest} has media type ${root.mediaType}, not a manifest or index`,
    );
  }
  await copyNode(root, undefined);
  return result;
}

async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
