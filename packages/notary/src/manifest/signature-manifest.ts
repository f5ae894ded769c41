import { createHash } from 'node:crypto';
import { parseStrictJson } from '../envelope/strict-json.js';
import { NotaryError } from '../errors.js';
import type { Descriptor } from '../types.js';
import { formatRfc3339 } from '../x509/time-format.js';

export const MEDIA_TYPE_IMAGE_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const ARTIFACT_TYPE_NOTARY_SIGNATURE = 'application/vnd.cncf.notary.signature';
export const MEDIA_TYPE_EMPTY = 'application/vnd.oci.empty.v1+json';
export const THUMBPRINT_ANNOTATION = 'io.cncf.notary.x509chain.thumbprint#S256';
export const CREATED_ANNOTATION = 'org.opencontainers.image.created';
/** `{}`: the empty config blob. */
export const EMPTY_BLOB = new TextEncoder().encode('{}');
export const EMPTY_DIGEST = 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a';
/** Signature manifests are small; anything larger is refused before parsing. */
export const MAX_MANIFEST_BYTES = 64 * 1024;

export interface Blob {
  descriptor: Descriptor;
  bytes: Uint8Array;
}

export interface BuiltSignatureManifest {
  /** The manifest bytes to push (canonical JSON as written here). */
  manifest: Blob;
  /** The blobs it references: the empty config and the envelope. */
  blobs: Blob[];
}

function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function descriptorOf(mediaType: string, bytes: Uint8Array): Descriptor {
  return { mediaType, digest: sha256(bytes), size: bytes.length };
}

/**
 * The signature manifest notation 1.x pushes (OCI image manifest 1.1 with `artifactType`, the
 * empty config, one layer holding the envelope, `subject`, the chain thumbprints annotation).
 */
export function buildSignatureManifest(options: {
  subject: Descriptor;
  envelope: Uint8Array;
  envelopeMediaType: string;
  /** DER certificates of the envelope, leaf first. */
  certificateChain: readonly Uint8Array[];
  /** `org.opencontainers.image.created`; omitted when undefined. */
  created?: Date;
  annotations?: Readonly<Record<string, string>>;
}): BuiltSignatureManifest {
  const config = descriptorOf(MEDIA_TYPE_EMPTY, EMPTY_BLOB);
  const layer = descriptorOf(options.envelopeMediaType, options.envelope);
  const thumbprints = options.certificateChain.map((c) => createHash('sha256').update(c).digest('hex'));
  const annotations: Record<string, string> = { ...(options.annotations ?? {}) };
  annotations[THUMBPRINT_ANNOTATION] = JSON.stringify(thumbprints);
  if (options.created !== undefined) annotations[CREATED_ANNOTATION] = formatRfc3339(options.created);
  const subject: Descriptor = {
    mediaType: options.subject.mediaType,
    digest: options.subject.digest,
    size: options.subject.size,
  };
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPE_IMAGE_MANIFEST,
    artifactType: ARTIFACT_TYPE_NOTARY_SIGNATURE,
    config: { ...config, data: 'e30=' },
    layers: [layer],
    subject,
    annotations,
  };
  const bytes = new TextEncoder().encode(JSON.stringify(manifest));
  const manifestDescriptor: Descriptor = {
    ...descriptorOf(MEDIA_TYPE_IMAGE_MANIFEST, bytes),
    annotations: { [THUMBPRINT_ANNOTATION]: annotations[THUMBPRINT_ANNOTATION] },
  };
  return {
    manifest: { descriptor: manifestDescriptor, bytes },
    blobs: [
      { descriptor: config, bytes: EMPTY_BLOB },
      { descriptor: layer, bytes: options.envelope },
    ],
  };
}

export interface ParsedSignatureManifest {
  /** `image` = artifactType form (notation ≥1.1); `legacy` = config.mediaType form. */
  format: 'image' | 'legacy';
  /** The one layer: the envelope blob (its mediaType is the envelope format). */
  envelope: Descriptor;
  subject: Descriptor | undefined;
  /** Lowercase hex SHA-256 thumbprints from the annotation, or [] when absent. */
  thumbprints: string[];
  annotations: Record<string, string>;
}

function invalid(message: string): NotaryError {
  return new NotaryError('ENVELOPE_MALFORMED', `invalid signature manifest: ${message}`);
}

function readDescriptor(v: unknown, what: string): Descriptor {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw invalid(`${what} must be a descriptor object`);
  const d = v as Record<string, unknown>;
  if (typeof d.mediaType !== 'string' || d.mediaType === '') throw invalid(`${what} has no mediaType`);
  if (typeof d.digest !== 'string' || !/^sha(256:[a-f0-9]{64}|512:[a-f0-9]{128})$/.test(d.digest)) {
    throw invalid(`${what} has no valid sha256/sha512 digest`);
  }
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) {
    throw invalid(`${what} has no valid size`);
  }
  return { mediaType: d.mediaType, digest: d.digest, size: d.size };
}

/**
 * Parses a Notary Project signature manifest, new (`artifactType`) or legacy
 * (`config.mediaType`) form. The layer media type is returned as is: verification reports an
 * unsupported envelope format, as notation does.
 */
export function parseSignatureManifest(bytes: Uint8Array): ParsedSignatureManifest {
  if (bytes.length > MAX_MANIFEST_BYTES) {
    throw invalid(`${bytes.length} bytes, more than the ${MAX_MANIFEST_BYTES} allowed`);
  }
  let doc: unknown;
  try {
    doc = parseStrictJson(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    throw invalid(`not valid JSON: ${(err as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw invalid('not a JSON object');
  const m = doc as Record<string, unknown>;
  if (m.schemaVersion !== 2) throw invalid('schemaVersion must be 2');
  if (m.mediaType !== MEDIA_TYPE_IMAGE_MANIFEST)
    throw invalid(`mediaType must be ${MEDIA_TYPE_IMAGE_MANIFEST}`);
  const config = readDescriptor(m.config, 'config');
  let format: 'image' | 'legacy';
  if (m.artifactType === ARTIFACT_TYPE_NOTARY_SIGNATURE) format = 'image';
  else if (m.artifactType === undefined && config.mediaType === ARTIFACT_TYPE_NOTARY_SIGNATURE)
    format = 'legacy';
  else throw invalid(`neither artifactType nor config.mediaType is ${ARTIFACT_TYPE_NOTARY_SIGNATURE}`);
  if (!Array.isArray(m.layers) || m.layers.length !== 1) {
    throw invalid(
      `signature manifest requires exactly one layer but got ${Array.isArray(m.layers) ? m.layers.length : 0}`,
    );
  }
  const envelope = readDescriptor(m.layers[0], 'layers[0]');
  const subject = m.subject === undefined ? undefined : readDescriptor(m.subject, 'subject');
  const annotations: Record<string, string> = {};
  if (m.annotations !== undefined) {
    if (typeof m.annotations !== 'object' || m.annotations === null || Array.isArray(m.annotations)) {
      throw invalid('annotations must be an object');
    }
    for (const [k, v] of Object.entries(m.annotations)) {
      if (typeof v !== 'string') throw invalid(`annotation "${k}" must be a string`);
      annotations[k] = v;
    }
  }
  let thumbprints: string[] = [];
  const raw = annotations[THUMBPRINT_ANNOTATION];
  if (raw !== undefined) {
    let list: unknown;
    try {
      list = JSON.parse(raw);
    } catch {
      throw invalid(`annotation ${THUMBPRINT_ANNOTATION} is not a JSON array`);
    }
    if (
      !Array.isArray(list) ||
      !list.every((t): t is string => typeof t === 'string' && /^[A-Fa-f0-9]{64}$/.test(t))
    ) {
      throw invalid(`annotation ${THUMBPRINT_ANNOTATION} must be a JSON array of SHA-256 hex strings`);
    }
    thumbprints = list.map((t) => t.toLowerCase());
  }
  return { format, envelope, subject, thumbprints, annotations };
}
