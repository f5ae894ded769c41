import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedPath } from '../../../../test/harness/paths.js';
import { NotaryError } from '../errors.js';
import {
  buildSignatureManifest,
  EMPTY_DIGEST,
  parseSignatureManifest,
  THUMBPRINT_ANNOTATION,
} from './signature-manifest.js';

const LAYOUTS = sharedPath('vectors/notation/test/e2e/testdata/registry/oci_layout');
const blob = (layout: string, hex: string): Uint8Array =>
  new Uint8Array(readFileSync(path.join(LAYOUTS, layout, 'blobs/sha256', hex)));
const subject = {
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: 'sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9',
  size: 517,
};

describe('parseSignatureManifest', () => {
  describe('when the manifest is a legacy notation signature (config.mediaType form)', () => {
    it('reads the envelope layer, subject and thumbprints of e2e-valid-signature', () => {
      const parsed = parseSignatureManifest(blob('e2e-valid-signature', findManifest('e2e-valid-signature')));
      expect(parsed.format).toBe('legacy');
      expect(parsed.envelope.mediaType).toBe('application/jose+json');
      expect(parsed.envelope.digest).toBe(
        'sha256:c9af07e038b2b1a463e648986ad7273157511ffeba0b689f33e5472bae471f50',
      );
      expect(parsed.subject).toEqual(subject);
      expect(parsed.thumbprints).toEqual([
        'e38aea13f2b051f7183cca64a51ee676f4d4456f41d9fecf15eb367efc7343b9',
      ]);
    });

    it('returns a non-envelope layer as is (e2e-invalid-signature) for the verifier to refuse', () => {
      const parsed = parseSignatureManifest(
        blob('e2e-invalid-signature', '321fcc674d6771dd0e5bd21e599f2df3a482de99a400fd3a3fe371221b97a9c9'),
      );
      expect(parsed.envelope.mediaType).toBe('application/vnd.oci.image.layer.v1.tar');
      expect(parsed.thumbprints).toEqual([]);
    });
  });

  describe('when the manifest is not a signature manifest', () => {
    it.each([
      [
        'the target image manifest',
        blob('e2e', 'b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9'),
        'neither artifactType nor config.mediaType',
      ],
      ['not JSON', new TextEncoder().encode('{'), 'not valid JSON'],
      [
        'two layers',
        manifestWith((m) => ({ ...m, layers: [...(m.layers as unknown[]), ...(m.layers as unknown[])] })),
        'requires exactly one layer but got 2',
      ],
      [
        'a bad thumbprint annotation',
        manifestWith((m) => ({ ...m, annotations: { [THUMBPRINT_ANNOTATION]: '["zz"]' } })),
        'must be a JSON array of SHA-256 hex strings',
      ],
      [
        'a bad subject',
        manifestWith((m) => ({ ...m, subject: { mediaType: 'x', digest: 'md5:00', size: 1 } })),
        'subject has no valid sha256/sha512 digest',
      ],
      ['a huge manifest', new Uint8Array(70_000).fill(0x20), 'more than the 65536 allowed'],
    ])('refuses %s', (_name, bytes, fragment) => {
      expect(() => parseSignatureManifest(bytes)).toThrow(NotaryError);
      expect(() => parseSignatureManifest(bytes)).toThrow(fragment);
    });
  });
});

function findManifest(layout: string): string {
  const index = JSON.parse(readFileSync(path.join(LAYOUTS, layout, 'index.json'), 'utf8')) as {
    manifests: { digest: string; mediaType: string; annotations?: Record<string, string> }[];
  };
  const sig = index.manifests.find(
    (m) =>
      m.mediaType === 'application/vnd.oci.image.manifest.v1+json' &&
      m.annotations?.['org.opencontainers.image.ref.name'] === undefined,
  );
  return (sig?.digest ?? '').replace('sha256:', '');
}

function manifestWith(change: (m: Record<string, unknown>) => Record<string, unknown>): Uint8Array {
  const built = buildSignatureManifest({
    subject,
    envelope: new TextEncoder().encode('{}'),
    envelopeMediaType: 'application/jose+json',
    certificateChain: [],
  });
  const m = JSON.parse(Buffer.from(built.manifest.bytes).toString()) as Record<string, unknown>;
  return new TextEncoder().encode(JSON.stringify(change(m)));
}

describe('buildSignatureManifest', () => {
  it('writes the notation 1.x image-manifest form and parses back', () => {
    const envelope = new TextEncoder().encode('{"payload":"x"}');
    const cert = Uint8Array.of(1, 2, 3);
    const built = buildSignatureManifest({
      subject,
      envelope,
      envelopeMediaType: 'application/cose',
      certificateChain: [cert],
      created: new Date('2026-11-27T10:00:00Z'),
    });
    const m = JSON.parse(Buffer.from(built.manifest.bytes).toString()) as Record<string, unknown>;
    expect(m).toEqual({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: 'application/vnd.cncf.notary.signature',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: EMPTY_DIGEST, size: 2, data: 'e30=' },
      layers: [
        {
          mediaType: 'application/cose',
          digest: `sha256:${createHash('sha256').update(envelope).digest('hex')}`,
          size: envelope.length,
        },
      ],
      subject,
      annotations: {
        [THUMBPRINT_ANNOTATION]: JSON.stringify([createHash('sha256').update(cert).digest('hex')]),
        'org.opencontainers.image.created': '2026-11-27T10:00:00Z',
      },
    });
    expect(built.manifest.descriptor.digest).toBe(
      `sha256:${createHash('sha256').update(built.manifest.bytes).digest('hex')}`,
    );
    expect(built.blobs.map((b) => b.descriptor.digest)).toEqual([
      EMPTY_DIGEST,
      (m.layers as { digest: string }[])[0]?.digest,
    ]);
    const parsed = parseSignatureManifest(built.manifest.bytes);
    expect(parsed.format).toBe('image');
    expect(parsed.envelope.mediaType).toBe('application/cose');
    expect(parsed.subject).toEqual(subject);
  });
});
