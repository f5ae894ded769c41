import { describe, expect, it } from 'vitest';
import { VerifyCoreError } from '../../errors.js';
import { GOLDEN, golden } from '../../test-support/golden.js';
import { thrownBy } from '../../test-support/thrown.js';
import { parseCycloneDx, parseSbom, parseSpdx } from './parse-sbom.js';

function thrown(fn: () => unknown): VerifyCoreError {
  return thrownBy(VerifyCoreError, fn);
}

describe('reading SPDX JSON', () => {
  it('reads the real Syft 0.76.0 SBOM of an Alpine image', () => {
    const doc = parseSpdx(golden(...GOLDEN.ratifySpdx));
    expect(doc.format).toBe('spdx');
    expect(doc.specVersion).toBe('SPDX-2.3');
    expect(doc.creators).toContain('Tool: syft-0.76.0');
    expect(doc.packages).toHaveLength(16);
    const zlib = doc.packages.find((p) => p.name === 'zlib');
    expect(zlib).toEqual({
      name: 'zlib',
      version: '1.2.13-r0',
      purl: 'pkg:apk/alpine/zlib@1.2.13-r0?arch=x86_64&distro=alpine-3.17.1',
      type: 'apk',
      licenses: ['Zlib'],
      licenseKinds: ['expression'],
    });
    // NONE / NOASSERTION are not licenses.
    expect(doc.packages.find((p) => p.name === 'busybox' && p.version === '1.35.0')?.licenses).toEqual([]);
  });

  it('reads SPDX 2.2 too', () => {
    const doc = parseSpdx(golden(...GOLDEN.syftSpdx22));
    expect(doc.specVersion).toBe('SPDX-2.2');
    expect(doc.packages.map((p) => p.name)).toEqual(['busybox', 'libssl1.1', 'ssl_client']);
  });

  it('keeps concluded and declared licenses when they differ', () => {
    const doc = parseSpdx(golden(...GOLDEN.syftSpdxImage));
    expect(doc.packages.find((p) => p.name === 'package-1')?.licenses).toEqual(['MIT']);
  });

  it('rejects a CycloneDX document announced as SPDX', () => {
    const error = thrown(() => parseSbom('spdx', golden(...GOLDEN.syftCdxImage)));
    expect(error.code).toBe('SBOM_MALFORMED');
    expect(error.message).toContain('has no spdxVersion');
  });

  it('rejects bytes that are not JSON', () => {
    const error = thrown(() => parseSpdx(new TextEncoder().encode('not json')));
    expect(error.message).toBe('the attached SPDX SBOM is not JSON');
  });
});

describe('reading CycloneDX JSON', () => {
  it('reads the Syft CycloneDX 1.7 encoder snapshot', () => {
    const doc = parseCycloneDx(golden(...GOLDEN.syftCdxImage));
    expect(doc.specVersion).toBe('CycloneDX 1.7');
    expect(doc.packages.map((p) => p.name)).toEqual(['package-1', 'package-2', 'debian']);
    expect(doc.packages[0]?.licenses).toEqual(['MIT']);
  });

  it('keeps Maven groups', () => {
    const doc = parseCycloneDx(golden(...GOLDEN.trivyPomCdx));
    expect(doc.packages.find((p) => p.name === 'jackson-databind')).toMatchObject({
      group: 'com.fasterxml.jackson.core',
      version: '2.9.1',
      type: 'maven',
    });
  });

  it('keeps free-text license names apart from SPDX ids', () => {
    const doc = parseCycloneDx(golden(...GOLDEN.trivyCentosCdx));
    expect(doc.specVersion).toBe('CycloneDX 1.5');
    const bash = doc.packages.find((p) => p.name === 'bash');
    expect(bash?.licenses).toEqual(['GPLv3+']);
    expect(bash?.licenseKinds).toEqual(['name']);
  });

  it('rejects an SPDX document announced as CycloneDX', () => {
    expect(() => parseSbom('cyclonedx', golden(...GOLDEN.ratifySpdx))).toThrow(
      /it is not a CycloneDX JSON document/,
    );
  });
});
