/** Test support: notation's real signed OCI layouts of ../shared/vectors, read in place. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sharedPath } from '../../../../test/harness/paths.js';

/** A path under notation's e2e test data (`test/e2e/testdata`) in ../shared/vectors. */
export function e2eTestdata(...segments: string[]): string {
  return sharedPath('vectors', 'notation', 'test', 'e2e', 'testdata', ...segments);
}

export const E2E_LAYOUTS = e2eTestdata('registry', 'oci_layout');
export const E2E_CERT = e2eTestdata('config', 'localkeys', 'e2e.crt');
export const E2E_SUBJECT = 'CN=e2e,O=Notary,L=Seattle,ST=WA,C=US';
/** The tests' "now": notation's e2e certificate and signatures, and the golden reports, are judged at it. */
export const NOW = new Date('2026-11-27T00:00:00Z');
/** The image every older e2e layout signs (tag v1). */
export const E2E_TARGET = {
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: 'sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9',
  size: 517,
};

export function layoutBlob(layout: string, digest: string): Uint8Array {
  return readFileSync(path.join(E2E_LAYOUTS, layout, 'blobs', ...digest.split(':')));
}

/** The signature manifests listed in a layout's index.json, with their envelope. */
export function layoutSignatures(layout: string): {
  manifest: { mediaType: string; digest: string; size: number };
  envelope: Uint8Array;
  envelopeMediaType: string;
}[] {
  const index = JSON.parse(readFileSync(path.join(E2E_LAYOUTS, layout, 'index.json'), 'utf8')) as {
    manifests: { mediaType: string; digest: string; size: number; annotations?: Record<string, string> }[];
  };
  return index.manifests
    .filter(
      (d) => d.mediaType === 'application/vnd.oci.image.manifest.v1+json' && d.digest !== E2E_TARGET.digest,
    )
    .map((d) => {
      const manifest = JSON.parse(Buffer.from(layoutBlob(layout, d.digest)).toString('utf8')) as {
        layers: { mediaType: string; digest: string }[];
      };
      const layer = manifest.layers[0];
      if (layer === undefined) throw new Error(`${layout}: signature manifest without layer`);
      return {
        manifest: { mediaType: d.mediaType, digest: d.digest, size: d.size },
        envelope: layoutBlob(layout, layer.digest),
        envelopeMediaType: layer.mediaType,
      };
    });
}
