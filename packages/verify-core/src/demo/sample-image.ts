/**
 * The demo's sample images, built in memory: a one-file layer (ustar + gzip), an OCI config and
 * an OCI image manifest. Deterministic: the same inputs give the same digests.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

export interface Blob {
  mediaType: string;
  digest: string;
  size: number;
  bytes: Uint8Array;
}

export interface SampleImage {
  config: Blob;
  layer: Blob;
  manifest: Blob;
}

function blob(mediaType: string, bytes: Uint8Array): Blob {
  return {
    mediaType,
    digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
    size: bytes.length,
    bytes,
  };
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

/** A ustar archive holding one regular file (mode 0644, mtime fixed). */
export function tarOneFile(name: string, content: Uint8Array, mtime = 1_700_000_000): Uint8Array {
  const header = Buffer.alloc(512, 0);
  header.write(name, 0, 100, 'utf8');
  header.write(octal(0o644, 8), 100, 'ascii');
  header.write(octal(0, 8), 108, 'ascii');
  header.write(octal(0, 8), 116, 'ascii');
  header.write(octal(content.length, 12), 124, 'ascii');
  header.write(octal(mtime, 12), 136, 'ascii');
  header.write('        ', 148, 'ascii');
  header.write('0', 156, 'ascii');
  header.write('ustar\0', 257, 'ascii');
  header.write('00', 263, 'ascii');
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  const padding = (512 - (content.length % 512)) % 512;
  return new Uint8Array(
    Buffer.concat([header, Buffer.from(content), Buffer.alloc(padding), Buffer.alloc(1024)]),
  );
}

/** An image whose single layer holds `/app/<file>` with `text`. */
export function buildSampleImage(options: {
  file: string;
  text: string;
  created?: string;
  annotations?: Record<string, string>;
}): SampleImage {
  const tar = tarOneFile(`app/${options.file}`, new TextEncoder().encode(options.text));
  const layer = blob(
    'application/vnd.oci.image.layer.v1.tar+gzip',
    new Uint8Array(gzipSync(tar, { level: 9 })),
  );
  const diffId = `sha256:${createHash('sha256').update(tar).digest('hex')}`;
  const config = blob(
    'application/vnd.oci.image.config.v1+json',
    new TextEncoder().encode(
      JSON.stringify({
        created: options.created ?? '2026-01-01T00:00:00Z',
        architecture: 'amd64',
        os: 'linux',
        config: { Cmd: ['/bin/cat', `/app/${options.file}`] },
        rootfs: { type: 'layers', diff_ids: [diffId] },
        history: [{ created: options.created ?? '2026-01-01T00:00:00Z', created_by: 'scs demo' }],
      }),
    ),
  );
  const manifest = blob(
    'application/vnd.oci.image.manifest.v1+json',
    new TextEncoder().encode(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: config.mediaType, digest: config.digest, size: config.size },
        layers: [{ mediaType: layer.mediaType, digest: layer.digest, size: layer.size }],
        ...(options.annotations === undefined ? {} : { annotations: options.annotations }),
      }),
    ),
  );
  return { config, layer, manifest };
}
