/**
 * Bench support: the benchmarks' image in a registry, as a build pipeline leaves it: a sample
 * image (one layer) tagged, a Notary signature (JWS) by the bench certificate, and as referrers a
 * Syft SPDX SBOM and a Trivy JSON report with one MEDIUM finding.
 */
import type { CliServices, RegistryOptions } from '../src/cli/services.js';
import { demoTrivyReport } from '../src/demo/sample-documents.js';
import { buildSampleImage } from '../src/demo/sample-image.js';
import { TRIVY_REPORT_ARTIFACT_TYPE } from '../src/rules/vulnerabilities/vulnerability-report.js';

/** The finding of every benchmark report (below the policies' HIGH threshold). */
export const BENCH_FINDINGS = [
  {
    id: 'CVE-2099-0001',
    severity: 'MEDIUM',
    pkg: 'musl',
    installed: '1.2.5-r0',
    fixed: '1.2.5-r1',
    title: 'bench',
  },
] as const;

/** Push, sign and attach the benchmark image `text` under `reference` (`host/repository:tag`). */
export async function pushBenchImage(options: {
  services: CliServices;
  registryOptions: RegistryOptions;
  reference: string;
  tag: string;
  text: string;
  cert: { keyPem: string; certificatePem: string };
  spdx: Uint8Array;
}): Promise<void> {
  const { services, reference } = options;
  const image = buildSampleImage({ file: 'bench.txt', text: options.text });
  const target = await services.openTarget(reference, options.registryOptions);
  await target.store.pushBlob(image.config.bytes, image.config.mediaType);
  await target.store.pushBlob(image.layer.bytes, image.layer.mediaType);
  const subject = await target.store.pushManifest(image.manifest.bytes, image.manifest.mediaType, {
    tag: options.tag,
  });
  await services.sign(target, subject, {
    key: { keyPem: options.cert.keyPem, certificatePem: options.cert.certificatePem },
    format: 'jws',
    userMetadata: {},
  });
  const created = new Date().toISOString();
  const annotations = { 'org.opencontainers.image.created': created };
  await target.store.attach({
    subject,
    artifactType: 'application/spdx+json',
    layers: [{ mediaType: 'application/spdx+json', content: options.spdx }],
    annotations,
  });
  await target.store.attach({
    subject,
    artifactType: TRIVY_REPORT_ARTIFACT_TYPE,
    layers: [
      {
        mediaType: TRIVY_REPORT_ARTIFACT_TYPE,
        content: demoTrivyReport(reference, image.config.digest, created, BENCH_FINDINGS),
      },
    ],
    annotations,
  });
}
