import { describe, expect, it } from 'vitest';
import type { Check } from '../../decision/types.js';
import type { SbomPolicy } from '../../policy/types.js';
import { GOLDEN, golden } from '../../test-support/golden.js';
import { parseCycloneDx, parseSpdx } from './parse-sbom.js';
import type { AttachedSbom } from './sbom-checks.js';
import { sbomChecks } from './sbom-checks.js';

const policy = (overrides: Partial<SbomPolicy>): SbomPolicy => ({
  required: true,
  formats: ['spdx', 'cyclonedx'],
  signed: false,
  deniedPackages: [],
  deniedLicenses: [],
  ...overrides,
});

const spdx: AttachedSbom = {
  digest: 'sha256:1111111111111111111111111111111111111111111111111111111111111111',
  artifactType: 'application/spdx+json',
  document: parseSpdx(golden(...GOLDEN.ratifySpdx)),
};
const pomCdx: AttachedSbom = {
  digest: 'sha256:2222222222222222222222222222222222222222222222222222222222222222',
  artifactType: 'application/vnd.cyclonedx+json',
  document: parseCycloneDx(golden(...GOLDEN.trivyPomCdx)),
};

function check(checks: Check[], id: Check['id']): Check {
  const found = checks.find((c) => c.id === id);
  if (found === undefined) throw new Error(`no ${id} check`);
  return found;
}

describe('when an SBOM is required', () => {
  it('passes with an SPDX SBOM and names it', () => {
    const sbom = check(sbomChecks(policy({}), [spdx]), 'sbom');
    expect(sbom.status).toBe('pass');
    expect(sbom.reason).toBe('SPDX-2.3 SBOM sha256:111111111111 attached (16 packages)');
    expect(sbom.evidence).toMatchObject({
      accepted: [{ format: 'spdx', tool: 'syft-0.76.0', packages: 16 }],
    });
  });

  it('fails when none is attached', () => {
    const sbom = check(sbomChecks(policy({ formats: ['spdx'] }), []), 'sbom');
    expect(sbom.status).toBe('fail');
    expect(sbom.reason).toBe('no spdx SBOM: none is attached; the policy requires one');
  });

  it('fails when only a format the policy does not accept is attached', () => {
    const sbom = check(sbomChecks(policy({ formats: ['spdx'] }), [pomCdx]), 'sbom');
    expect(sbom.status).toBe('fail');
    expect(sbom.reason).toContain('the policy accepts spdx SBOMs, not cyclonedx');
  });

  it('fails when the attached SBOM could not be parsed', () => {
    const sbom = check(
      sbomChecks(policy({}), [
        { digest: spdx.digest, artifactType: spdx.artifactType, error: 'the attached SPDX SBOM is not JSON' },
      ]),
      'sbom',
    );
    expect(sbom.status).toBe('fail');
    expect(sbom.reason).toContain('the attached SPDX SBOM is not JSON');
  });
});

describe('when no SBOM is required', () => {
  it('skips when none is attached', () => {
    const checks = sbomChecks(
      policy({ required: false, deniedPackages: [{ name: 'zlib', versions: '*' }] }),
      [],
    );
    expect(checks.map((c) => [c.id, c.status])).toEqual([
      ['sbom', 'skip'],
      ['sbom-packages', 'skip'],
    ]);
  });
});

describe('when the SBOM must be signed', () => {
  it('passes with a trusted signature and fails without', () => {
    const signed = { ...spdx, signature: { verified: true } };
    expect(check(sbomChecks(policy({ signed: true }), [signed]), 'sbom-signature').status).toBe('pass');
    const unsigned = sbomChecks(policy({ signed: true }), [
      { ...spdx, signature: { verified: false, failure: 'no signature is attached' } },
    ]);
    expect(check(unsigned, 'sbom-signature').status).toBe('fail');
    expect(check(unsigned, 'sbom').status).toBe('fail');
    expect(check(unsigned, 'sbom').reason).toContain('with a trusted signature');
  });
});

describe('denied packages', () => {
  it('deny a package in the range (Syft SPDX, Alpine busybox)', () => {
    const result = check(
      sbomChecks(
        policy({ deniedPackages: [{ name: 'busybox', versions: '<1.36', reason: 'CVE-2022-48174' }] }),
        [spdx],
      ),
      'sbom-packages',
    );
    expect(result.status).toBe('fail');
    expect(result.evidence).toMatchObject({
      packages: 16,
      denied: [
        { name: 'busybox', version: '1.35.0' },
        {
          name: 'busybox',
          version: '1.35.0-r29',
          purl: 'pkg:apk/alpine/busybox@1.35.0-r29?arch=x86_64&distro=alpine-3.17.1',
        },
      ],
    });
    expect(result.reason).toBe(
      'denied packages busybox 1.35.0 (CVE-2022-48174) and busybox 1.35.0-r29 (CVE-2022-48174)',
    );
  });

  it('narrow by purl type', () => {
    const result = check(
      sbomChecks(policy({ deniedPackages: [{ name: 'busybox', versions: '<1.36', type: 'apk' }] }), [spdx]),
      'sbom-packages',
    );
    expect(result.evidence).toMatchObject({ denied: [{ version: '1.35.0-r29' }] });
  });

  it('allow versions outside the range', () => {
    const result = check(
      sbomChecks(policy({ deniedPackages: [{ name: 'zlib', versions: '<1.2.12' }] }), [spdx]),
      'sbom-packages',
    );
    expect(result.status).toBe('pass');
    expect(result.reason).toBe('none of 16 packages is denied');
  });

  it('match Maven group:name (Trivy CycloneDX of a pom)', () => {
    const rule = { name: 'com.fasterxml.jackson.core:jackson-databind', versions: '<2.9.10.8' };
    expect(check(sbomChecks(policy({ deniedPackages: [rule] }), [pomCdx]), 'sbom-packages').status).toBe(
      'fail',
    );
    expect(
      check(
        sbomChecks(policy({ deniedPackages: [{ ...rule, versions: '<2.9.1' }] }), [pomCdx]),
        'sbom-packages',
      ).status,
    ).toBe('pass');
  });

  it('treat a package without version as in the range (fail closed)', () => {
    const noVersion: AttachedSbom = {
      ...spdx,
      document: {
        format: 'spdx',
        specVersion: 'SPDX-2.3',
        creators: [],
        packages: [{ name: 'log4j-core', licenses: [], licenseKinds: [] }],
      },
    };
    const result = check(
      sbomChecks(policy({ deniedPackages: [{ name: 'log4j-core', versions: '<2.17.1' }] }), [noVersion]),
      'sbom-packages',
    );
    expect(result.status).toBe('fail');
    expect(result.evidence).toMatchObject({ denied: [{ name: 'log4j-core', versionUnknown: true }] });
    expect(result.reason).toBe('denied package log4j-core (version unknown)');
  });
});

describe('denied licenses', () => {
  it('deny GPL-2.0 packages of the Syft SPDX', () => {
    const result = check(sbomChecks(policy({ deniedLicenses: ['GPL-2.0*'] }), [spdx]), 'sbom-licenses');
    expect(result.status).toBe('fail');
    const denied = (result.evidence as { denied: { name: string }[] }).denied.map((d) => d.name);
    expect(denied).toContain('busybox');
    expect(denied).toContain('musl-utils');
    expect(denied).not.toContain('zlib');
  });

  it('allow when no license is denied', () => {
    const result = check(sbomChecks(policy({ deniedLicenses: ['AGPL-3.0-only'] }), [spdx]), 'sbom-licenses');
    expect(result.status).toBe('pass');
    expect(result.reason).toBe('no denied license in 16 packages');
  });

  it('match free-text license names of CycloneDX', () => {
    const centos: AttachedSbom = { ...pomCdx, document: parseCycloneDx(golden(...GOLDEN.trivyCentosCdx)) };
    const result = check(sbomChecks(policy({ deniedLicenses: ['GPLv3+'] }), [centos]), 'sbom-licenses');
    expect(result.status).toBe('fail');
    expect(result.reason).toBe('denied license: bash 4.2.46-31.el7 is GPLv3+');
  });
});
