/**
 * Helpers for this package's tests only (not exported from the package index).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Clock } from './clock.js';
import { sha256Digest } from './digest.js';
import type { RequestEvent } from './http/transport.js';
import { encodeJson } from './manifest.js';
import { MEDIA_TYPES, type Descriptor, type ImageManifest } from './types.js';

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

export async function withTempDir<T>(run: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'scs-oci-'));
  try {
    return await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
