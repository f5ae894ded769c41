import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { attachArtifact } from '../attach.js';
import { descriptorBound, release, verifiedChunks, type BlobStreaming } from '../blob-stream.js';
import { silentLogger, type Logger } from '../clock.js';
import { BLOB_LIMIT_FIX, MANIFEST_LIMIT_FIX } from '../http/read-body.js';
import { isDigest, parseDigest, sha256Digest, verifyContent } from '../digest.js';
import { OciError } from '../errors.js';
import {
  isManifestMediaType,
  manifestMediaTypeOf,
  assertManifestSize,
  MAX_MANIFEST_BYTES,
  parseDescriptor,
  parseManifest,
  plainDescriptor,
  referrerDescriptor,
} from '../manifest.js';
import { assertValidTag } from '../reference.js';
import { referrersTag } from '../registry/referrers-tag-schema.js';
import {
  MEDIA_TYPES,
  type ArtifactStore,
  type AttachRequest,
  type Descriptor,
  type FetchedManifest,
  type FetchOptions,
  type ImageIndex,
  type ImageManifest,
  type PushManifestOptions,
  type ReferrersOptions,
} from '../types.js';
import { withLock, writeFileAtomic } from './atomic-file.js';

/** The annotation that tags a manifest in an OCI layout's index.json. */
export const REF_NAME = 'org.opencontainers.image.ref.name';
const LAYOUT_VERSION = '1.0.0';
const MAX_INDEX_JSON_BYTES = 64 * 1024 * 1024;

export interface LayoutStoreOptions {
  logger?: Logger;
  /** Largest blob read into memory (default 512 MiB). */
  maxBlobBytes?: number;
}

/**
 * An OCI image-layout directory (image-spec image-layout.md): `oci-layout`, `index.json` and
 * `blobs/<alg>/<hex>`. Every read is digest-verified and bounded; every write is atomic (temp
 * file + rename) and nothing partial is left on error. The directory is created on first write.
 *
 * index.json lists tagged manifests (`org.opencontainers.image.ref.name`) and every manifest
 * that has a `subject` (so referrers are found, as notation and oras do); other manifests pushed
 * untagged are stored as blobs, reachable from their parent.
 */
export class LayoutStore implements ArtifactStore, BlobStreaming {
  readonly kind = 'layout' as const;
  readonly location: string;
  readonly dir: string;
  private readonly logger: Logger;
  private readonly maxBlobBytes: number;
  /** Parsed manifests by digest: content-addressed, so never stale. */
  private readonly manifestCache = new Map<string, ImageManifest | ImageIndex>();

  constructor(dir: string, options: LayoutStoreOptions = {}) {
    this.dir = path.resolve(dir);
    this.location = `oci:${dir}`;
    this.logger = options.logger ?? silentLogger;
    this.maxBlobBytes = options.maxBlobBytes ?? 512 * 1024 * 1024;
  }

  private blobPath(digest: string): string {
    const { algorithm, hex } = parseDigest(digest);
    return path.join(this.dir, 'blobs', algorithm, hex);
  }

  /** The parsed index.json, or undefined when there is no layout here yet. */
  private async readIndexJson(): Promise<ImageIndex | undefined> {
    let layoutText: string;
    try {
      layoutText = await readFile(path.join(this.dir, 'oci-layout'), 'utf8');
    } catch (error) {
      if (
        (error as { code?: unknown }).code === 'ENOENT' ||
        (error as { code?: unknown }).code === 'ENOTDIR'
      ) {
        return undefined;
      }
      throw new OciError('IO', `${this.location}: cannot read oci-layout: ${(error as Error).message}`, {
        cause: error,
      });
    }
    let version: unknown;
    try {
      version = (JSON.parse(layoutText) as { imageLayoutVersion?: unknown }).imageLayoutVersion;
    } catch (error) {
      throw new OciError('MANIFEST_INVALID', `${this.location}: oci-layout is not valid JSON`, {
        cause: error,
      });
    }
    if (version !== LAYOUT_VERSION) {
      throw new OciError(
        'UNSUPPORTED',
        `${this.location}: oci-layout has imageLayoutVersion ${JSON.stringify(version)}; only "${LAYOUT_VERSION}" is supported`,
      );
    }
    const indexFile = path.join(this.dir, 'index.json');
    let bytes: Uint8Array;
    try {
      const info = await stat(indexFile);
      if (info.size > MAX_INDEX_JSON_BYTES) {
        throw new OciError(
          'TOO_LARGE',
          `${this.location}: index.json is ${info.size} bytes, above ${MAX_INDEX_JSON_BYTES}`,
        );
      }
      bytes = await readFile(indexFile);
    } catch (error) {
      if (error instanceof OciError) throw error;
      throw new OciError(
        (error as { code?: unknown }).code === 'ENOENT' ? 'MANIFEST_INVALID' : 'IO',
        `${this.location}: cannot read index.json (${(error as Error).message}); a layout needs oci-layout and index.json`,
        { cause: error },
      );
    }
    const index = parseManifest(bytes, MEDIA_TYPES.imageIndex, `${this.location} index.json`);
    return index as ImageIndex;
  }

  private async requireIndexJson(what: string): Promise<ImageIndex> {
    const index = await this.readIndexJson();
    if (index === undefined) {
      throw new OciError(
        'NOT_FOUND',
        `${what}: there is no OCI image layout at ${this.dir} (no oci-layout file); check the path after "oci:"`,
      );
    }
    return index;
  }

  /** Change index.json under the layout's lock, creating the layout if needed. */
  private updateIndexJson(change: (manifests: Descriptor[]) => Descriptor[]): Promise<void> {
    return withLock(`layout:${this.dir}`, async () => {
      const existing = (await this.readIndexJson()) ?? (await this.createLayout());
      const updated: ImageIndex = { ...existing, manifests: change([...existing.manifests]) };
      await writeFileAtomic(path.join(this.dir, 'index.json'), JSON.stringify(updated));
    });
  }

  /** Make sure the layout exists (oci-layout + index.json), e.g. before the first blob. */
  private ensureLayout(): Promise<void> {
    return withLock(`layout:${this.dir}`, async () => {
      if ((await this.readIndexJson()) === undefined) await this.createLayout();
    });
  }

  /**
   * Create the layout files, index.json first: `oci-layout` marks a complete layout, so a reader
   * that sees it also finds index.json. An index.json left by an interrupted creation is kept.
   * Call under the layout's lock.
   */
  private async createLayout(): Promise<ImageIndex> {
    let index: ImageIndex = { schemaVersion: 2, mediaType: MEDIA_TYPES.imageIndex, manifests: [] };
    try {
      const left = await readFile(path.join(this.dir, 'index.json'));
      index = parseManifest(left, MEDIA_TYPES.imageIndex, `${this.location} index.json`) as ImageIndex;
    } catch {
      // none, or unusable: start empty
    }
    await writeFileAtomic(path.join(this.dir, 'index.json'), JSON.stringify(index));
    await writeFileAtomic(
      path.join(this.dir, 'oci-layout'),
      JSON.stringify({ imageLayoutVersion: LAYOUT_VERSION }),
    );
    return index;
  }

  /** Read and verify a blob file, bounded by `maxBytes` and the expected size. */
  private async readBlobFile(
    digest: string,
    maxBytes: number,
    what: string,
    expectedSize: number | undefined,
    limitFix: string,
  ): Promise<Uint8Array> {
    const file = this.blobPath(digest);
    let handle;
    try {
      handle = await open(file, 'r');
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') {
        throw new OciError(
          'NOT_FOUND',
          `${what}: not found in ${this.location} (no ${path.relative(this.dir, file)})`,
          {
            cause: error,
          },
        );
      }
      throw new OciError('IO', `${what}: cannot open ${file}: ${(error as Error).message}`, { cause: error });
    }
    try {
      const { size } = await handle.stat();
      const cap = expectedSize !== undefined ? Math.min(expectedSize, maxBytes) : maxBytes;
      if (size > cap) {
        throw new OciError(
          expectedSize !== undefined && size !== expectedSize && expectedSize <= maxBytes
            ? 'SIZE_MISMATCH'
            : 'TOO_LARGE',
          expectedSize !== undefined && expectedSize <= maxBytes
            ? `${what}: the file is ${size} bytes but its descriptor says ${expectedSize}; the layout is corrupt`
            : `${what}: the file is ${size} bytes, above the limit of ${maxBytes} bytes (${limitFix})`,
        );
      }
      const content = new Uint8Array(size);
      let offset = 0;
      while (offset < size) {
        const { bytesRead } = await handle.read(content, offset, size - offset, offset);
        if (bytesRead === 0) break;
        offset += bytesRead;
      }
      const read = content.subarray(0, offset);
      verifyContent(read, digest, `${what} in ${this.location}`, expectedSize);
      return read;
    } finally {
      await handle.close();
    }
  }

  private async writeBlobFile(content: Uint8Array, digest: string): Promise<void> {
    const file = this.blobPath(digest);
    try {
      const info = await stat(file);
      if (info.size === content.byteLength) return;
    } catch {
      // not there yet
    }
    await this.ensureLayout();
    await writeFileAtomic(file, content);
  }

  async resolve(tagOrDigest: string): Promise<Descriptor> {
    const what = `resolve ${this.location}${isDigest(tagOrDigest) ? '@' : ':'}${tagOrDigest}`;
    const index = await this.requireIndexJson(what);
    if (tagOrDigest.includes(':')) {
      parseDigest(tagOrDigest);
      const entry = index.manifests.find((d) => d.digest === tagOrDigest);
      if (entry !== undefined) return entryDescriptor(entry);
      const fetched = await this.fetchManifest(tagOrDigest);
      return fetched.descriptor;
    }
    assertValidTag(tagOrDigest);
    const tagged = index.manifests.filter((d) => d.annotations?.[REF_NAME] === tagOrDigest);
    const entry = tagged.at(-1);
    if (entry === undefined) {
      const tags = [
        ...new Set(index.manifests.map((d) => d.annotations?.[REF_NAME]).filter((t) => t !== undefined)),
      ];
      throw new OciError(
        'NOT_FOUND',
        `${what}: no manifest is tagged "${tagOrDigest}" in ${this.location} (tags: ${tags.length > 0 ? tags.join(', ') : 'none'})`,
      );
    }
    return entryDescriptor(entry);
  }

  async fetchManifest(target: Descriptor | string, options?: FetchOptions): Promise<FetchedManifest> {
    const descriptor = typeof target === 'string' ? await this.resolveForFetch(target) : target;
    const what = `manifest ${descriptor.digest}`;
    const bytes = await this.readBlobFile(
      descriptor.digest,
      options?.maxBytes ?? MAX_MANIFEST_BYTES,
      what,
      descriptor.size >= 0 ? descriptor.size : undefined,
      MANIFEST_LIMIT_FIX,
    );
    const mediaType = manifestMediaTypeOf(bytes, [descriptor.mediaType]);
    const manifest = parseManifest(bytes, mediaType, `${what} in ${this.location}`);
    if (isManifestMediaType(descriptor.mediaType) && descriptor.mediaType !== mediaType) {
      throw new OciError(
        'MANIFEST_INVALID',
        `${what} in ${this.location}: the descriptor says ${descriptor.mediaType} but the manifest is ${mediaType}`,
      );
    }
    this.manifestCache.set(descriptor.digest, manifest);
    return { descriptor: { mediaType, digest: descriptor.digest, size: bytes.byteLength }, bytes, manifest };
  }

  /** For a bare digest not listed in index.json, read the blob to learn its type and size. */
  private async resolveForFetch(reference: string): Promise<Descriptor> {
    if (!reference.includes(':')) return this.resolve(reference);
    parseDigest(reference);
    const index = await this.requireIndexJson(`manifest ${reference}`);
    const entry = index.manifests.find((d) => d.digest === reference);
    return entry ?? { mediaType: '', digest: reference, size: -1 };
  }

  async fetchBlob(descriptor: Descriptor, options?: FetchOptions): Promise<Uint8Array> {
    return this.readBlobFile(
      descriptor.digest,
      options?.maxBytes ?? this.maxBlobBytes,
      `blob ${descriptor.digest}`,
      descriptor.size,
      BLOB_LIMIT_FIX,
    );
  }

  /** The blob as a verified stream from its file (see `BlobStreaming`). */
  async fetchBlobStream(descriptor: Descriptor, options?: FetchOptions): Promise<AsyncIterable<Uint8Array>> {
    const what = `blob ${descriptor.digest} in ${this.location}`;
    const file = this.blobPath(descriptor.digest);
    const maxBytes = options?.maxBytes ?? Number.MAX_SAFE_INTEGER;
    let handle;
    try {
      handle = await open(file, 'r');
    } catch (error) {
      const missing = (error as { code?: unknown }).code === 'ENOENT';
      throw new OciError(
        missing ? 'NOT_FOUND' : 'IO',
        `${what}: ${missing ? 'not found' : (error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    const { size } = await handle.stat();
    if (size !== descriptor.size || size > maxBytes) {
      await handle.close();
      throw new OciError(
        size > maxBytes ? 'TOO_LARGE' : 'SIZE_MISMATCH',
        `${what}: the file is ${size} bytes but ${size > maxBytes ? `the limit is ${maxBytes} (${BLOB_LIMIT_FIX})` : `its descriptor says ${descriptor.size}`}`,
      );
    }
    const stream = handle.createReadStream({ highWaterMark: 1024 * 1024 });
    return verifiedChunks(stream, {
      what,
      digest: descriptor.digest,
      expectedSize: descriptor.size,
      maxBytes,
    });
  }

  /** Write a blob from a stream to a temp file, renamed into place only once it verified. */
  async pushBlobStream(descriptor: Descriptor, chunks: AsyncIterable<Uint8Array>): Promise<void> {
    const what = `push blob ${descriptor.digest} to ${this.location}`;
    const file = this.blobPath(descriptor.digest);
    if (await this.exists(descriptor)) {
      await release(chunks);
      return;
    }
    await this.ensureLayout();
    await mkdir(path.dirname(file), { recursive: true });
    const temp = path.join(
      path.dirname(file),
      `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
    );
    const handle = await open(temp, 'wx');
    try {
      // Sizes and digest checked as the bytes pass; the loop ends only once they all verified.
      for await (const chunk of verifiedChunks(chunks, descriptorBound(descriptor, what))) {
        await handle.write(chunk);
      }
      await handle.close();
      await rename(temp, file);
    } catch (error) {
      await handle.close().catch(() => undefined);
      await rm(temp, { force: true });
      if (error instanceof OciError) throw error;
      throw new OciError('IO', `${what}: ${(error as Error).message}`, { cause: error });
    }
  }

  async exists(descriptor: Descriptor): Promise<boolean> {
    try {
      const info = await stat(this.blobPath(descriptor.digest));
      return info.isFile();
    } catch {
      return false;
    }
  }

  async pushBlob(content: Uint8Array, mediaType: string): Promise<Descriptor> {
    const digest = sha256Digest(content);
    await this.writeBlobFile(content, digest);
    return { mediaType, digest, size: content.byteLength };
  }

  async pushManifest(
    content: Uint8Array,
    mediaType: string,
    options?: PushManifestOptions,
  ): Promise<Descriptor> {
    const digest = sha256Digest(content);
    const what = `push manifest ${digest} to ${this.location}`;
    assertManifestSize(content.byteLength, what);
    if (options?.tag !== undefined) assertValidTag(options.tag);
    const manifest = parseManifest(content, mediaType, what);
    await this.writeBlobFile(content, digest);
    this.manifestCache.set(digest, manifest);
    const descriptor: Descriptor = { mediaType, digest, size: content.byteLength };
    if (manifest.artifactType !== undefined) descriptor.artifactType = manifest.artifactType;
    const { tag } = options ?? {};
    if (tag !== undefined) {
      await this.updateIndexJson((manifests) => withTag(manifests, descriptor, tag));
    } else if (manifest.subject !== undefined) {
      await this.updateIndexJson((manifests) =>
        manifests.some((d) => d.digest === digest) ? manifests : [...manifests, descriptor],
      );
    }
    return plainDescriptor(descriptor);
  }

  async tag(descriptor: Descriptor, tag: string): Promise<void> {
    assertValidTag(tag);
    const fetched = await this.fetchManifest(descriptor);
    const entry: Descriptor = { ...fetched.descriptor };
    if (fetched.manifest.artifactType !== undefined) entry.artifactType = fetched.manifest.artifactType;
    await this.updateIndexJson((manifests) => withTag(manifests, entry, tag));
  }

  async referrers(subject: Descriptor, options?: ReferrersOptions): Promise<Descriptor[]> {
    parseDigest(subject.digest);
    const what = `list referrers of ${this.location}@${subject.digest}`;
    const index = await this.requireIndexJson(what);
    const candidates: Descriptor[] = [];
    const schemaTag = referrersTag(subject.digest);
    for (const entry of index.manifests) {
      if (!isManifestMediaType(entry.mediaType)) continue;
      if (entry.annotations?.[REF_NAME] === schemaTag) {
        // A referrers tag-schema index (some notation layouts have one): its entries are candidates.
        const tagIndex = await this.manifestAt(entry, what);
        if (tagIndex !== undefined && 'manifests' in tagIndex) candidates.push(...tagIndex.manifests);
        continue;
      }
      candidates.push(entry);
    }
    const found: Descriptor[] = [];
    const seen = new Set<string>();
    for (const candidate of candidates) {
      if (seen.has(candidate.digest) || !isManifestMediaType(candidate.mediaType)) continue;
      seen.add(candidate.digest);
      const manifest = await this.manifestAt(candidate, what);
      if (manifest?.subject?.digest !== subject.digest) continue;
      const referrer = referrerDescriptor(plainDescriptor(candidate), manifest);
      if (options?.artifactType === undefined || referrer.artifactType === options.artifactType)
        found.push(referrer);
    }
    return found;
  }

  /** A listed manifest, verified; undefined (with a warning) when its blob is missing. */
  private async manifestAt(
    descriptor: Descriptor,
    what: string,
  ): Promise<ImageManifest | ImageIndex | undefined> {
    const cached = this.manifestCache.get(descriptor.digest);
    if (cached !== undefined) return cached;
    try {
      return (await this.fetchManifest(plainDescriptor(descriptor))).manifest;
    } catch (error) {
      if (error instanceof OciError && error.code === 'NOT_FOUND') {
        this.logger.warn(`oci: ${what}: ${descriptor.digest} is listed but its blob is missing; skipped`);
        return undefined;
      }
      throw error;
    }
  }

  attach(request: AttachRequest): Promise<Descriptor> {
    return attachArtifact(this, request);
  }
}

/** index.json entries with `tag` moved to `descriptor` (an untagged entry of it is replaced). */
function withTag(manifests: Descriptor[], descriptor: Descriptor, tag: string): Descriptor[] {
  const kept = manifests.filter(
    (d) =>
      d.annotations?.[REF_NAME] !== tag &&
      !(d.digest === descriptor.digest && d.annotations?.[REF_NAME] === undefined),
  );
  kept.push({
    ...plainDescriptor(descriptor),
    ...(descriptor.artifactType ? { artifactType: descriptor.artifactType } : {}),
    annotations: { [REF_NAME]: tag },
  });
  return kept;
}

function entryDescriptor(entry: Descriptor): Descriptor {
  const descriptor = parseDescriptor(entry, 'index.json', 'manifests[]');
  const result = plainDescriptor(descriptor);
  if (descriptor.artifactType !== undefined) result.artifactType = descriptor.artifactType;
  return result;
}
