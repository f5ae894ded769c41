import { parseDigest } from './digest.js';
import { OciError } from './errors.js';
import { MEDIA_TYPES, type Descriptor, type ImageIndex, type ImageManifest } from './types.js';

/** Manifests larger than this are refused (the distribution spec's recommended bound). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/** Throws `TOO_LARGE` unless `size` bytes is within the manifest bound (4 MiB). */
export function assertManifestSize(size: number, what: string): void {
  if (size > MAX_MANIFEST_BYTES) {
    throw new OciError(
      'TOO_LARGE',
      `${what}: the manifest is ${size} bytes, above the ${MAX_MANIFEST_BYTES} bytes a manifest may have (the distribution spec's bound); split the artifact or put the content in blobs`,
    );
  }
}

const IMAGE_MANIFEST_TYPES: ReadonlySet<string> = new Set([
  MEDIA_TYPES.imageManifest,
  MEDIA_TYPES.dockerManifest,
]);
const INDEX_TYPES: ReadonlySet<string> = new Set([MEDIA_TYPES.imageIndex, MEDIA_TYPES.dockerManifestList]);

/** The manifest media types a store reads and writes, in `Accept` order. */
export const MANIFEST_MEDIA_TYPES: readonly string[] = [
  MEDIA_TYPES.imageManifest,
  MEDIA_TYPES.imageIndex,
  MEDIA_TYPES.dockerManifest,
  MEDIA_TYPES.dockerManifestList,
];

export function isManifestMediaType(mediaType: string): boolean {
  return IMAGE_MANIFEST_TYPES.has(mediaType) || INDEX_TYPES.has(mediaType);
}

export function isIndexMediaType(mediaType: string): boolean {
  return INDEX_TYPES.has(mediaType);
}

export function isImageIndex(manifest: ImageManifest | ImageIndex): manifest is ImageIndex {
  return Array.isArray((manifest as Partial<ImageIndex>).manifests);
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function bad(what: string, why: string): OciError {
  return new OciError('MANIFEST_INVALID', `${what} is not a valid manifest: ${why}`);
}

function stringRecord(value: unknown, what: string, field: string): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value) || !Object.values(value).every((v) => typeof v === 'string')) {
    throw bad(what, `"${field}" must be an object of strings`);
  }
  return value as Record<string, string>;
}

/** Validate one descriptor object (image-spec descriptor.md) and return it typed. */
export function parseDescriptor(value: unknown, what: string, field: string): Descriptor {
  if (!isObject(value)) throw bad(what, `"${field}" must be a descriptor object`);
  const { mediaType, digest, size } = value;
  if (typeof mediaType !== 'string' || mediaType.length === 0) {
    throw bad(what, `"${field}.mediaType" must be a non-empty string`);
  }
  if (typeof digest !== 'string') throw bad(what, `"${field}.digest" must be a string`);
  try {
    parseDigest(digest);
  } catch (error) {
    throw new OciError(
      'MANIFEST_INVALID',
      `${what} is not a valid manifest: "${field}.digest": ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw bad(what, `"${field}.size" must be a non-negative integer`);
  }
  if (value.artifactType !== undefined && typeof value.artifactType !== 'string') {
    throw bad(what, `"${field}.artifactType" must be a string`);
  }
  stringRecord(value.annotations, what, `${field}.annotations`);
  if (
    value.urls !== undefined &&
    !(Array.isArray(value.urls) && value.urls.every((u) => typeof u === 'string'))
  ) {
    throw bad(what, `"${field}.urls" must be an array of strings`);
  }
  if (value.data !== undefined && typeof value.data !== 'string') {
    throw bad(what, `"${field}.data" must be a base64 string`);
  }
  if (value.platform !== undefined) {
    const platform = value.platform;
    if (!isObject(platform) || typeof platform.os !== 'string' || typeof platform.architecture !== 'string') {
      throw bad(what, `"${field}.platform" must have string "os" and "architecture"`);
    }
  }
  return value as unknown as Descriptor;
}

/**
 * Parse manifest bytes (already digest-verified) as an image manifest or an image index.
 * `mediaType` is what the store said the content is; it must agree with a `mediaType` field.
 */
export function parseManifest(
  bytes: Uint8Array,
  mediaType: string,
  what: string,
): ImageManifest | ImageIndex {
  if (!isManifestMediaType(mediaType)) {
    throw new OciError(
      'UNSUPPORTED',
      `${what} has media type "${mediaType}", which is not an OCI or Docker v2 manifest or index (docker schema 1 and other formats are not supported)`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new OciError('MANIFEST_INVALID', `${what} is not valid UTF-8 JSON`, { cause: error });
  }
  if (!isObject(json)) throw bad(what, 'the top level must be a JSON object');
  if (json.schemaVersion !== 2) throw bad(what, '"schemaVersion" must be 2');
  if (json.mediaType !== undefined) {
    if (typeof json.mediaType !== 'string') throw bad(what, '"mediaType" must be a string');
    if (json.mediaType !== mediaType) {
      throw bad(what, `its "mediaType" field is "${json.mediaType}" but it was served as "${mediaType}"`);
    }
  }
  if (json.artifactType !== undefined && typeof json.artifactType !== 'string') {
    throw bad(what, '"artifactType" must be a string');
  }
  stringRecord(json.annotations, what, 'annotations');
  if (json.subject !== undefined) parseDescriptor(json.subject, what, 'subject');

  if (INDEX_TYPES.has(mediaType)) {
    if (!Array.isArray(json.manifests)) throw bad(what, 'an index must have a "manifests" array');
    json.manifests.forEach((entry, i) => parseDescriptor(entry, what, `manifests[${i}]`));
    return json as unknown as ImageIndex;
  }
  parseDescriptor(json.config, what, 'config');
  if (!Array.isArray(json.layers)) throw bad(what, 'an image manifest must have a "layers" array');
  json.layers.forEach((entry, i) => parseDescriptor(entry, what, `layers[${i}]`));
  return json as unknown as ImageManifest;
}

/**
 * The media type of manifest bytes: the manifest's own `mediaType` field; else the first hint
 * (descriptor, Content-Type, `index.json` entry) that is a manifest type; else by shape
 * (`manifests` -> OCI index, `config` + `layers` -> OCI manifest); '' when nothing fits.
 */
export function manifestMediaTypeOf(bytes: Uint8Array, hints: readonly (string | undefined)[] = []): string {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    json = undefined;
  }
  if (isObject(json) && typeof json.mediaType === 'string') return json.mediaType;
  const hinted = hints.find((h): h is string => h !== undefined && isManifestMediaType(h));
  if (hinted !== undefined) return hinted;
  if (isObject(json) && Array.isArray(json.manifests)) return MEDIA_TYPES.imageIndex;
  if (isObject(json) && isObject(json.config) && Array.isArray(json.layers)) return MEDIA_TYPES.imageManifest;
  return hints.find((h): h is string => h !== undefined) ?? '';
}

/** The descriptors a manifest points at (config, layers, index children); `subject` excluded. */
export function childDescriptors(manifest: ImageManifest | ImageIndex): Descriptor[] {
  if (isImageIndex(manifest)) return [...manifest.manifests];
  return [manifest.config, ...manifest.layers];
}

/**
 * The descriptor of a manifest as a referrer (distribution spec, referrers API): its artifact type
 * is `artifactType`, else (image manifests) `config.mediaType`; its annotations are the manifest's.
 */
export function referrerDescriptor(descriptor: Descriptor, manifest: ImageManifest | ImageIndex): Descriptor {
  const result: Descriptor = {
    mediaType: descriptor.mediaType,
    digest: descriptor.digest,
    size: descriptor.size,
  };
  const artifactType =
    manifest.artifactType ?? (isImageIndex(manifest) ? undefined : manifest.config.mediaType);
  if (artifactType !== undefined) result.artifactType = artifactType;
  if (manifest.annotations !== undefined && Object.keys(manifest.annotations).length > 0) {
    result.annotations = { ...manifest.annotations };
  }
  return result;
}

/** The bare descriptor (mediaType, digest, size) with nothing else. */
export function plainDescriptor(descriptor: Descriptor): Descriptor {
  return { mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size };
}

/** Parse an image index of referrers (referrers API answer or tag-schema index). */
export function parseReferrersIndex(bytes: Uint8Array, what: string): Descriptor[] {
  const parsed = parseManifest(bytes, MEDIA_TYPES.imageIndex, what);
  if (!isImageIndex(parsed)) throw bad(what, 'expected an image index');
  return parsed.manifests;
}

/** Canonical JSON bytes of a manifest this store writes (no whitespace, fields as given). */
export function encodeJson(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}
