import { OciError } from './errors.js';
import { encodeJson, plainDescriptor } from './manifest.js';
import { parseDigest, sha256Digest } from './digest.js';
import {
  MEDIA_TYPES,
  type ArtifactStore,
  type AttachRequest,
  type Descriptor,
  type ImageManifest,
} from './types.js';

/** The OCI empty JSON descriptor (`{}`), with its data inlined as ORAS does. */
export const EMPTY_JSON_DESCRIPTOR: Descriptor = {
  mediaType: MEDIA_TYPES.emptyJson,
  digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
  size: 2,
  data: 'e30=',
};
export const EMPTY_JSON = new TextEncoder().encode('{}');

const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;

export interface PlannedAttach {
  /** Blobs to push first (config, then layers), with their descriptors. */
  blobs: { descriptor: Descriptor; content: Uint8Array }[];
  manifest: Uint8Array;
  /** The manifest as a referrer descriptor (artifactType and annotations included). */
  descriptor: Descriptor;
}

/**
 * Build the artifact manifest of an ORAS-style attach (image-spec 1.1 artifact guidance):
 * `artifactType` set, config the empty JSON unless given, `subject` the image, and the empty
 * descriptor as the single layer when there are no files. Pure: nothing is pushed here.
 */
export function planAttach(request: AttachRequest): PlannedAttach {
  const { subject, artifactType } = request;
  if (typeof artifactType !== 'string' || !MEDIA_TYPE.test(artifactType)) {
    throw new OciError(
      'CONFIG_INVALID',
      `attach: artifactType ${JSON.stringify(artifactType)} is not a media type (type/subtype), e.g. application/spdx+json`,
    );
  }
  try {
    parseDigest(subject.digest);
  } catch (error) {
    throw new OciError(
      'CONFIG_INVALID',
      `attach: the subject must be the descriptor of the image manifest: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const blobs: PlannedAttach['blobs'] = [];
  let config: Descriptor;
  if (request.config !== undefined) {
    checkMediaType(request.config.mediaType, 'config');
    config = {
      mediaType: request.config.mediaType,
      digest: sha256Digest(request.config.content),
      size: request.config.content.byteLength,
    };
    blobs.push({ descriptor: config, content: request.config.content });
  } else {
    config = EMPTY_JSON_DESCRIPTOR;
    blobs.push({ descriptor: plainDescriptor(EMPTY_JSON_DESCRIPTOR), content: EMPTY_JSON });
  }
  const layers: Descriptor[] = request.layers.map((layer, i) => {
    checkMediaType(layer.mediaType, `layers[${i}]`);
    const descriptor: Descriptor = {
      mediaType: layer.mediaType,
      digest: sha256Digest(layer.content),
      size: layer.content.byteLength,
    };
    if (layer.annotations !== undefined && Object.keys(layer.annotations).length > 0) {
      descriptor.annotations = { ...layer.annotations };
    }
    blobs.push({ descriptor, content: layer.content });
    return descriptor;
  });
  if (layers.length === 0) {
    layers.push(EMPTY_JSON_DESCRIPTOR);
    if (request.config !== undefined)
      blobs.push({ descriptor: plainDescriptor(EMPTY_JSON_DESCRIPTOR), content: EMPTY_JSON });
  }
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.imageManifest,
    artifactType,
    config,
    layers,
    subject: plainDescriptor(subject),
  };
  if (request.annotations !== undefined && Object.keys(request.annotations).length > 0) {
    manifest.annotations = { ...request.annotations };
  }
  const bytes = encodeJson(manifest);
  const descriptor: Descriptor = {
    mediaType: MEDIA_TYPES.imageManifest,
    digest: sha256Digest(bytes),
    size: bytes.byteLength,
    artifactType,
  };
  if (manifest.annotations !== undefined) descriptor.annotations = { ...manifest.annotations };
  // Push each blob once (a file may repeat, or equal the config).
  const unique = blobs.filter(
    (b, i) => blobs.findIndex((o) => o.descriptor.digest === b.descriptor.digest) === i,
  );
  return { blobs: unique, manifest: bytes, descriptor };
}

/**
 * Attach with any store: push the planned blobs (in parallel, each once), then the manifest, whose
 * `subject` makes the store list it as a referrer (referrers API, tag schema or index.json).
 */
export async function attachArtifact(
  store: ArtifactStore,
  request: AttachRequest,
  options?: { signal?: AbortSignal },
): Promise<Descriptor> {
  const plan = planAttach(request);
  const signal = options?.signal !== undefined ? { signal: options.signal } : {};
  await Promise.all(
    plan.blobs.map((blob) => store.pushBlob(blob.content, blob.descriptor.mediaType, signal)),
  );
  await store.pushManifest(plan.manifest, MEDIA_TYPES.imageManifest, signal);
  return plan.descriptor;
}

function checkMediaType(mediaType: string, field: string): void {
  if (typeof mediaType !== 'string' || !MEDIA_TYPE.test(mediaType)) {
    throw new OciError(
      'CONFIG_INVALID',
      `attach: ${field}.mediaType ${JSON.stringify(mediaType)} is not a media type (type/subtype)`,
    );
  }
}
