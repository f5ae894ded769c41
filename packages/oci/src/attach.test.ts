import { describe, expect, it } from 'vitest';
import { EMPTY_JSON, EMPTY_JSON_DESCRIPTOR, planAttach } from './attach.js';
import { sha256Digest } from './digest.js';
import { parseManifest } from './manifest.js';
import { MEDIA_TYPES } from './types.js';

const subject = {
  mediaType: MEDIA_TYPES.imageManifest,
  digest: 'sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9',
  size: 517,
  annotations: { 'org.opencontainers.image.ref.name': 'v1' },
};

describe('planning an attach', () => {
  it('builds an OCI 1.1 artifact manifest with subject, artifactType, empty config and the files', () => {
    const sbom = new TextEncoder().encode('{"spdxVersion":"SPDX-2.3"}');
    const plan = planAttach({
      subject,
      artifactType: 'application/spdx+json',
      layers: [
        {
          mediaType: 'application/spdx+json',
          content: sbom,
          annotations: { 'org.opencontainers.image.title': 'sbom.spdx.json' },
        },
      ],
      annotations: { 'org.opencontainers.image.created': '2026-01-01T00:00:00Z' },
    });
    const manifest = parseManifest(plan.manifest, MEDIA_TYPES.imageManifest, 'plan');
    expect(manifest).toEqual({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.imageManifest,
      artifactType: 'application/spdx+json',
      config: EMPTY_JSON_DESCRIPTOR,
      layers: [
        {
          mediaType: 'application/spdx+json',
          digest: sha256Digest(sbom),
          size: sbom.byteLength,
          annotations: { 'org.opencontainers.image.title': 'sbom.spdx.json' },
        },
      ],
      // only mediaType, digest and size of the subject: no annotations leak into the manifest
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
      annotations: { 'org.opencontainers.image.created': '2026-01-01T00:00:00Z' },
    });
    expect(plan.descriptor).toEqual({
      mediaType: MEDIA_TYPES.imageManifest,
      digest: sha256Digest(plan.manifest),
      size: plan.manifest.byteLength,
      artifactType: 'application/spdx+json',
      annotations: { 'org.opencontainers.image.created': '2026-01-01T00:00:00Z' },
    });
    expect(plan.blobs.map((b) => b.descriptor.digest)).toEqual([
      EMPTY_JSON_DESCRIPTOR.digest,
      sha256Digest(sbom),
    ]);
    expect(sha256Digest(EMPTY_JSON)).toBe(EMPTY_JSON_DESCRIPTOR.digest);
  });

  it('uses the empty descriptor as the only layer when there are no files', () => {
    const plan = planAttach({ subject, artifactType: 'application/vnd.example.marker', layers: [] });
    const manifest = parseManifest(plan.manifest, MEDIA_TYPES.imageManifest, 'plan');
    expect('layers' in manifest && manifest.layers).toEqual([EMPTY_JSON_DESCRIPTOR]);
    expect(plan.blobs).toHaveLength(1);
  });

  it('is deterministic: the same request gives the same digest', () => {
    const request = {
      subject,
      artifactType: 'application/x',
      layers: [{ mediaType: 'text/plain', content: new Uint8Array([1]) }],
    };
    expect(planAttach(request).descriptor.digest).toBe(planAttach(request).descriptor.digest);
  });

  it.each([
    [{ artifactType: 'not a media type' }, /artifactType "not a media type" is not a media type/],
    [
      { subject: { ...subject, digest: 'sha256:nope' } },
      /the subject must be the descriptor of the image manifest/,
    ],
    [
      { layers: [{ mediaType: '', content: new Uint8Array() }] },
      /layers\[0\].mediaType "" is not a media type/,
    ],
  ])('refuses %j with CONFIG_INVALID', (override, message) => {
    expect(() => planAttach({ subject, artifactType: 'application/x', layers: [], ...override })).toThrow(
      message,
    );
  });
});
