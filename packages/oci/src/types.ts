/**
 * The contract of @scs/oci. Other packages (verify-core, the CLI, the provider) code against
 * these types only; the registry and OCI-layout backends implement them.
 */

export const MEDIA_TYPES = {
  imageManifest: 'application/vnd.oci.image.manifest.v1+json',
  imageIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  emptyJson: 'application/vnd.oci.empty.v1+json',
  imageConfig: 'application/vnd.oci.image.config.v1+json',
  layerTarGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  notarySignature: 'application/vnd.cncf.notary.signature',
} as const;

export interface Platform {
  architecture: string;
  os: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
}

/** An OCI content descriptor (image-spec descriptor.md). */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  urls?: string[];
  platform?: Platform;
  data?: string;
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/** A manifest read from a store: the exact bytes (digest-verified) and their parse. */
export interface FetchedManifest {
  descriptor: Descriptor;
  bytes: Uint8Array;
  manifest: ImageManifest | ImageIndex;
}

export interface FetchOptions {
  /** Upper bound on the bytes accepted; defaults differ for manifests (4 MiB) and blobs. */
  maxBytes?: number;
  signal?: AbortSignal;
}

export interface ReferrersOptions {
  /** Only referrers whose artifactType equals this value. */
  artifactType?: string;
  signal?: AbortSignal;
}

export interface PushManifestOptions {
  /** Also tag the manifest. */
  tag?: string;
  signal?: AbortSignal;
}

export interface AttachRequest {
  subject: Descriptor;
  artifactType: string;
  /** Files (or bytes) to push as layers, each with its media type. */
  layers: { mediaType: string; content: Uint8Array; annotations?: Record<string, string> }[];
  annotations?: Record<string, string>;
  /** Config blob; defaults to the OCI empty JSON descriptor. */
  config?: { mediaType: string; content: Uint8Array };
}

/**
 * One repository in a registry, or one OCI image-layout directory.
 * Every byte returned has been checked against its digest and a size bound.
 */
export interface ArtifactStore {
  readonly kind: 'registry' | 'layout';
  /** Human-readable location, e.g. `localhost:5000/team/app` or `oci:./layout`. */
  readonly location: string;
  /** Resolve a tag or a digest to the manifest descriptor it names. */
  resolve(tagOrDigest: string, options?: { signal?: AbortSignal }): Promise<Descriptor>;
  fetchManifest(target: Descriptor | string, options?: FetchOptions): Promise<FetchedManifest>;
  fetchBlob(descriptor: Descriptor, options?: FetchOptions): Promise<Uint8Array>;
  /** Whether content with this digest is present (manifest or blob). */
  exists(descriptor: Descriptor, options?: { signal?: AbortSignal }): Promise<boolean>;
  pushBlob(content: Uint8Array, mediaType: string, options?: { signal?: AbortSignal }): Promise<Descriptor>;
  pushManifest(content: Uint8Array, mediaType: string, options?: PushManifestOptions): Promise<Descriptor>;
  tag(descriptor: Descriptor, tag: string, options?: { signal?: AbortSignal }): Promise<void>;
  /** The direct referrers of `subject` (referrers API, else the tag schema). */
  referrers(subject: Descriptor, options?: ReferrersOptions): Promise<Descriptor[]>;
  /** ORAS-style attach: push an artifact manifest with `subject` and make it a referrer. */
  attach(request: AttachRequest, options?: { signal?: AbortSignal }): Promise<Descriptor>;
}
