/** Test support: reads the real tool outputs of ../shared/golden in place. Not part of the package API. */
import { readFileSync } from 'node:fs';
import { sharedPath } from '../../../../test/harness/paths.js';

/** Bytes of a file of ../shared/golden, read in place. */
export function golden(...segments: string[]): Uint8Array {
  return readFileSync(sharedPath('golden', ...segments));
}

/** A file of Syft's output formats' test data (`anchore/syft/syft/format/…`). */
function syftFormat(...rest: string[]): string[] {
  return ['anchore', 'syft', 'syft', 'format', ...rest];
}

export const GOLDEN = {
  ratifySpdx: ['ratify-project', 'ratify', 'plugins', 'verifier', 'sbom', 'testdata', 'syftbom.spdx.json'],
  syftSpdxImage: syftFormat('spdxjson', 'testdata', 'snapshot', 'TestSPDXJSONImageEncoder.golden'),
  syftSpdx22: syftFormat('spdxjson', 'testdata', 'spdx', 'alpine-3.10.syft.spdx.json'),
  syftCdxImage: syftFormat('cyclonedxjson', 'testdata', 'snapshot', 'TestCycloneDxImageEncoder.golden'),
  trivyCondaSpdx: ['aquasecurity', 'trivy', 'integration', 'testdata', 'conda-spdx.json.golden'],
  trivyFluentdCdx: [
    'aquasecurity',
    'trivy',
    'integration',
    'testdata',
    'fluentd-multiple-lockfiles-short.cdx.json.golden',
  ],
  trivyPomCdx: ['aquasecurity', 'trivy', 'integration', 'testdata', 'pom-cyclonedx.json.golden'],
  trivyNpmCdx: ['aquasecurity', 'trivy', 'integration', 'testdata', 'npm-cyclonedx.json.golden'],
  trivyCentosCdx: [
    'aquasecurity',
    'trivy',
    'integration',
    'testdata',
    'fixtures',
    'sbom',
    'centos-7-cyclonedx.json',
  ],
  trivy: (name: string) => ['aquasecurity', 'trivy', 'integration', 'testdata', name],
  trivyAction: (...rest: string[]) => ['aquasecurity', 'trivy-action', 'test', 'data', ...rest],
} as const;
