import { describe, expect, it } from 'vitest';
import { sha256Digest } from './digest.js';
import { manifestMediaTypeOf, parseManifest, referrerDescriptor } from './manifest.js';
import { MEDIA_TYPES } from './types.js';

const enc = (v: unknown): Uint8Array =>
  new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));
const d = (name: string, mediaType = 'application/octet-stream') => ({
  mediaType,
  digest: sha256Digest(enc(name)),
  size: name.length,
});

describe('manifests', () => {
  describe('when valid', () => {
    it('parses an OCI image manifest and an index', () => {
      const manifest = {
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.imageManifest,
        config: d('c'),
        layers: [d('l')],
      };
      expect(parseManifest(enc(manifest), MEDIA_TYPES.imageManifest, 'm')).toEqual(manifest);
      const index = { schemaVersion: 2, manifests: [d('m', MEDIA_TYPES.imageManifest)] };
      expect(parseManifest(enc(index), MEDIA_TYPES.imageIndex, 'i')).toEqual(index);
    });
  });

  describe('when malformed', () => {
    it.each([
      ['not json', MEDIA_TYPES.imageManifest, /not valid UTF-8 JSON/],
      [[], MEDIA_TYPES.imageManifest, /top level must be a JSON object/],
      [{ schemaVersion: 1 }, MEDIA_TYPES.imageManifest, /"schemaVersion" must be 2/],
      [{ schemaVersion: 2, config: d('c') }, MEDIA_TYPES.imageManifest, /must have a "layers" array/],
      [
        { schemaVersion: 2, config: { ...d('c'), digest: 'sha256:zz' }, layers: [] },
        MEDIA_TYPES.imageManifest,
        /"config.digest"/,
      ],
      [
        { schemaVersion: 2, config: { ...d('c'), size: -1 }, layers: [] },
        MEDIA_TYPES.imageManifest,
        /"config.size" must be a non-negative integer/,
      ],
      [
        { schemaVersion: 2, config: d('c'), layers: [{ ...d('l'), annotations: { a: 1 } }] },
        MEDIA_TYPES.imageManifest,
        /"layers\[0\].annotations" must be an object of strings/,
      ],
      [
        { schemaVersion: 2, mediaType: MEDIA_TYPES.imageIndex, manifests: [] },
        MEDIA_TYPES.imageManifest,
        /served as/,
      ],
      [{ schemaVersion: 2 }, MEDIA_TYPES.imageIndex, /must have a "manifests" array/],
    ])('refuses %j naming the field', (value, mediaType, message) => {
      expect(() => parseManifest(enc(value), mediaType, 'the manifest')).toThrow(message);
    });

    it('refuses media types it does not handle with UNSUPPORTED', () => {
      expect(() =>
        parseManifest(enc({}), 'application/vnd.docker.distribution.manifest.v1+prettyjws', 'm'),
      ).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }) as Error);
    });
  });

  it('determines the media type from the field, then hints, then shape', () => {
    expect(
      manifestMediaTypeOf(enc({ mediaType: MEDIA_TYPES.dockerManifest }), [MEDIA_TYPES.imageManifest]),
    ).toBe(MEDIA_TYPES.dockerManifest);
    expect(
      manifestMediaTypeOf(enc({ config: {}, layers: [] }), ['text/plain', MEDIA_TYPES.imageManifest]),
    ).toBe(MEDIA_TYPES.imageManifest);
    expect(manifestMediaTypeOf(enc({ manifests: [] }))).toBe(MEDIA_TYPES.imageIndex);
  });

  it('describes a legacy notation signature as a referrer by its config media type', () => {
    const manifest = {
      schemaVersion: 2 as const,
      config: d('{}', MEDIA_TYPES.notarySignature),
      layers: [d('sig', 'application/jose+json')],
      annotations: { 'io.cncf.notary.x509chain.thumbprint#S256': '["ab"]' },
    };
    expect(referrerDescriptor(d('m', MEDIA_TYPES.imageManifest), manifest)).toEqual({
      ...d('m', MEDIA_TYPES.imageManifest),
      artifactType: MEDIA_TYPES.notarySignature,
      annotations: manifest.annotations,
    });
  });
});
