/**
 * Helpers for this package's tests only (not exported from the package index).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { closeServer } from '../../../test/harness/index.js';
import type { Clock } from './clock.js';
import { sha256Digest } from './digest.js';
import type { RequestEvent } from './http/transport.js';
import { encodeJson } from './manifest.js';
import { MEDIA_TYPES, type ArtifactStore, type Descriptor, type ImageManifest } from './types.js';

/** A clock whose sleeps return at once and are recorded. */
export function fakeClock(
  start = 1_700_000_000_000,
): Clock & { sleeps: number[]; advance(ms: number): void } {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
    sleep: (ms) => {
      sleeps.push(ms);
      now += ms;
      return Promise.resolve();
    },
  };
}

/** Records every HTTP exchange a client makes. */
export function requestLog(): {
  events: RequestEvent[];
  onRequest: (event: RequestEvent) => void;
  reset(): void;
} {
  const events: RequestEvent[] = [];
  return {
    events,
    onRequest: (event) => events.push(event),
    reset: () => {
      events.length = 0;
    },
  };
}

/** A small image (config + one layer) as bytes, ready to push. */
export function sampleImage(label: string): {
  config: { descriptor: Descriptor; content: Uint8Array };
  layer: { descriptor: Descriptor; content: Uint8Array };
  manifest: Uint8Array;
  descriptor: Descriptor;
} {
  const configContent = encodeJson({
    architecture: 'amd64',
    os: 'linux',
    config: { Labels: { label } },
    rootfs: { type: 'layers', diff_ids: [] },
  });
  const layerContent = new TextEncoder().encode(`layer of ${label}\n`);
  const config = {
    mediaType: MEDIA_TYPES.imageConfig,
    digest: sha256Digest(configContent),
    size: configContent.byteLength,
  };
  const layer = {
    mediaType: 'application/vnd.oci.image.layer.v1.tar',
    digest: sha256Digest(layerContent),
    size: layerContent.byteLength,
  };
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.imageManifest,
    config,
    layers: [layer],
  };
  const bytes = encodeJson(manifest);
  return {
    config: { descriptor: config, content: configContent },
    layer: { descriptor: layer, content: layerContent },
    manifest: bytes,
    descriptor: { mediaType: MEDIA_TYPES.imageManifest, digest: sha256Digest(bytes), size: bytes.byteLength },
  };
}

export type SampleImage = ReturnType<typeof sampleImage>;

/** Push `image` to `store`: its config and layer, then its manifest (tagged `tag` when given). */
export async function pushSampleImage(
  store: ArtifactStore,
  image: SampleImage,
  tag?: string,
): Promise<Descriptor> {
  await store.pushBlob(image.config.content, image.config.descriptor.mediaType);
  await store.pushBlob(image.layer.content, image.layer.descriptor.mediaType);
  return store.pushManifest(
    image.manifest,
    MEDIA_TYPES.imageManifest,
    tag === undefined ? undefined : { tag },
  );
}

export async function withTempDir<T>(run: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'scs-oci-'));
  try {
    return await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface SeenRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface LoopbackServer {
  /** `127.0.0.1:<port>` */
  host: string;
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

/**
 * A small HTTP(S) server on 127.0.0.1 for tests that need a registry to misbehave on purpose.
 * The handler sees each request with its body already read.
 */
export async function startLoopbackServer(
  handler: (request: SeenRequest, response: ServerResponse) => void | Promise<void>,
  tls?: { key: string; cert: string },
): Promise<LoopbackServer> {
  const requests: SeenRequest[] = [];
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const seen: SeenRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      requests.push(seen);
      Promise.resolve(handler(seen, res)).catch(() => {
        res.destroy();
      });
    });
  };
  const server = tls ? createHttpsServer(tls, listener) : createHttpServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const host = `127.0.0.1:${port}`;
  return {
    host,
    url: `${tls ? 'https' : 'http'}://${host}`,
    requests,
    close: () => closeServer(server),
  };
}

/** Answer with a JSON body (or bytes) and headers. */
export function reply(
  response: ServerResponse,
  status: number,
  body: string | Uint8Array = '',
  headers: Record<string, string> = {},
): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body);
  response.writeHead(status, { 'content-length': String(bytes.byteLength), ...headers });
  response.end(bytes);
}
