/**
 * Decision benchmark: one image with a Notary signature (JWS, RSA-2048), a real Syft SPDX SBOM
 * (golden, 16 packages) and a Trivy JSON report, in the harness registry (distribution 2.8: no
 * referrers API, tag-schema fallback). Measures, for `evaluate` by tag:
 *
 * - cold: a new process-like state (new registry client, empty cache): HTTP requests, wall time;
 * - repeated: same client and cache (content by digest, referrers kept 30 s as the admission
 *   provider does): HTTP requests, wall time;
 * - repeated without referrers caching (the CLI default): HTTP requests, wall time;
 * - the CPU time of the decision itself, network excluded: signature verification, SBOM and
 *   report parsing, rules, decision and JSON rendering over already-fetched bytes.
 *
 * Anonymous plain HTTP and token auth over TLS. Prints a table and writes
 * `bench-results/verify-core.json`. Measured, never asserted.
 */
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRevocationChecker } from '@scs/notary';
import { openStore } from '@scs/oci';
import {
  summariseRequests,
  writeBenchResult,
  type RequestSample,
  type RequestSummary,
} from '../../../scripts/bench-kit.js';
import { sharedPath, startRegistry } from '../../../test/harness/index.js';
import type { RegistryAuth, TestRegistry } from '../../../test/harness/index.js';
import { nodeCliServices } from '../src/cli/node-services.js';
import type { RegistryOptions } from '../src/cli/services.js';
import { buildDecision } from '../src/decision/build-decision.js';
import { evaluate } from '../src/engine/evaluate.js';
import { MaterialCache } from '../src/engine/material-cache.js';
import { policySignatureVerifier, policyTrustStore } from '../src/engine/notary-verifier.js';
import { loadPolicy } from '../src/policy/load-policy.js';
import { renderDecisionJson } from '../src/render/render-json.js';
import { parseSpdx } from '../src/rules/sbom/parse-sbom.js';
import { sbomChecks } from '../src/rules/sbom/sbom-checks.js';
import { parseTrivyReport } from '../src/rules/vulnerabilities/parse-trivy.js';
import { singleScopePolicy } from '../src/test-support/e2e-policy.js';
import { GOLDEN } from '../src/test-support/golden.js';
import { vulnerabilityChecks } from '../src/rules/vulnerabilities/vulnerability-checks.js';
import { demoTrivyReport } from '../src/demo/sample-documents.js';
import { buildSampleImage } from '../src/demo/sample-image.js';
import { TRIVY_REPORT_ARTIFACT_TYPE } from '../src/rules/vulnerabilities/vulnerability-report.js';
import { BENCH_FINDINGS, pushBenchImage } from './bench-image.js';

const ITERATIONS = 20;
const CPU_ITERATIONS = 200;
const SPDX = sharedPath('golden', ...GOLDEN.ratifySpdx);
const clock = (): Date => new Date();

/** The report's one finding: MEDIUM, under the policy's maximum. */

/** The policy of the benchmark: the signature, an SBOM with denied packages and licenses, a report. */
function benchPolicy(subject: string): string {
  return singleScopePolicy({
    name: 'bench',
    scope: 'bench',
    trustStore: '{ name: bench, type: ca, certificates: [bench.crt] }',
    identities: [`x509.subject: ${subject}`],
    rules: `      sbom: { required: true, formats: [spdx], deniedPackages: [{ name: log4j-core, versions: "<2.17.1" }], deniedLicenses: [AGPL-3.0*] }
      vulnerabilities: { required: true, maxSeverity: HIGH }
`,
  });
}

/** Push the benchmark image with its signature, SBOM and report; returns the tag reference and the policy file. */
async function prepare(
  registry: TestRegistry,
  work: string,
  registryOptions: RegistryOptions,
): Promise<{ reference: string; policyFile: string }> {
  const services = nodeCliServices({
    clock,
    env: { DOCKER_CONFIG: path.join(work, 'docker') },
    homeDir: work,
  });
  const cert = await services.generateTestCertificate('bench', { days: 7 });
  await writeFile(path.join(work, 'bench.crt'), cert.certificatePem);
  const reference = `${registry.host}/bench/app:v1`;
  await pushBenchImage({
    services,
    registryOptions,
    reference,
    tag: 'v1',
    text: 'benchmark image\n',
    cert,
    spdx: new Uint8Array(await readFile(SPDX)),
  });
  const policyFile = path.join(work, 'scs-policy.yaml');
  await writeFile(policyFile, benchPolicy(cert.subject));
  return { reference, policyFile };
}

async function benchmark(auth: RegistryAuth): Promise<Record<string, RequestSummary>> {
  const registry = await startRegistry({ auth });
  const work = await mkdtemp(path.join(os.tmpdir(), `scs-bench-${auth}-`));
  try {
    await mkdir(path.join(work, 'docker'));
    if (registry.username !== undefined && registry.password !== undefined) {
      const auth64 = Buffer.from(`${registry.username}:${registry.password}`).toString('base64');
      await writeFile(
        path.join(work, 'docker', 'config.json'),
        JSON.stringify({ auths: { [registry.host]: { auth: auth64 } } }),
      );
    }
    let caFile: string | undefined;
    if (registry.caPem !== undefined) {
      caFile = path.join(work, 'ca.pem');
      await writeFile(caFile, registry.caPem);
    }
    let requests = 0;
    const registryOptions: RegistryOptions = {
      plainHttp: !registry.tls,
      ...(caFile === undefined ? {} : { caFile }),
      onRequest: () => {
        requests++;
      },
    };
    const { reference, policyFile } = await prepare(registry, work, registryOptions);
    const loaded = await loadPolicy(policyFile, {
      reader: { readFile: async (f) => new Uint8Array(await readFile(f)) },
      now: clock,
    });

    const decideWith = async (
      services: ReturnType<typeof nodeCliServices>,
      cache: MaterialCache,
    ): Promise<RequestSample> => {
      const verifier = await services.policyVerifier(loaded);
      requests = 0;
      const started = performance.now();
      const decision = await evaluate(reference, {
        policy: loaded,
        verifier,
        openTarget: (ref) => services.openTarget(ref, registryOptions),
        clock,
        cache,
      });
      const ms = performance.now() - started;
      if (!decision.allowed)
        throw new Error(`the benchmark image was denied: ${decision.reasons.join('; ')}`);
      return { requests, ms };
    };
    const newServices = (): ReturnType<typeof nodeCliServices> =>
      nodeCliServices({ clock, env: { DOCKER_CONFIG: path.join(work, 'docker') }, homeDir: work });

    const cold: RequestSample[] = [];
    for (let i = 0; i < ITERATIONS; i++) cold.push(await decideWith(newServices(), new MaterialCache()));

    const shared = newServices();
    const providerCache = new MaterialCache({ referrersTtlMs: 30_000 });
    await decideWith(shared, providerCache);
    const repeated: RequestSample[] = [];
    for (let i = 0; i < ITERATIONS; i++) repeated.push(await decideWith(shared, providerCache));

    const cliCache = new MaterialCache();
    await decideWith(shared, cliCache);
    const repeatedNoReferrers: RequestSample[] = [];
    for (let i = 0; i < ITERATIONS; i++) repeatedNoReferrers.push(await decideWith(shared, cliCache));

    return {
      cold: summariseRequests(cold),
      repeated: summariseRequests(repeated),
      repeatedNoReferrersCache: summariseRequests(repeatedNoReferrers),
    };
  } finally {
    await registry.stop();
  }
}

/** CPU of the decision over already-fetched material (no network, no disk). */
async function cpuOfDecision(): Promise<{
  perDecisionMs: number;
  verifySignatureMs: number;
  parseDocumentsMs: number;
}> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'scs-bench-cpu-'));
  const services = nodeCliServices({ clock, env: {}, homeDir: work });
  const cert = await services.generateTestCertificate('bench', { days: 7 });
  await writeFile(path.join(work, 'bench.crt'), cert.certificatePem);
  const layout = path.join(work, 'layout');
  const image = buildSampleImage({ file: 'bench.txt', text: 'benchmark image\n' });
  const { store } = await openStore(`oci:${layout}:v1`);
  await store.pushBlob(image.config.bytes, image.config.mediaType);
  await store.pushBlob(image.layer.bytes, image.layer.mediaType);
  const subject = await store.pushManifest(image.manifest.bytes, image.manifest.mediaType, { tag: 'v1' });
  const target = await services.openTarget(`oci:${layout}:v1`, { plainHttp: false });
  const signed = await services.sign(target, subject, {
    key: { keyPem: cert.keyPem, certificatePem: cert.certificatePem },
    format: 'jws',
    userMetadata: {},
  });
  const signatureManifest = await store.fetchManifest(signed.signature);
  const layer = 'layers' in signatureManifest.manifest ? signatureManifest.manifest.layers[0] : undefined;
  if (layer === undefined) throw new Error('no envelope layer');
  const envelope = await store.fetchBlob(layer);
  const spdxBytes = new Uint8Array(await readFile(SPDX));
  const reportBytes = demoTrivyReport('bench', image.config.digest, new Date().toISOString(), BENCH_FINDINGS);
  await writeFile(path.join(work, 'p.yaml'), benchPolicy(cert.subject));
  const loaded = await loadPolicy(path.join(work, 'p.yaml'), {
    reader: { readFile: async (f) => new Uint8Array(await readFile(f)) },
    now: clock,
  });
  const scope = loaded.policy.spec.scopes[0];
  if (scope === undefined) throw new Error('no scope');
  const verifier = policySignatureVerifier({
    trustStore: policyTrustStore(loaded.certificates),
    clock,
    services: {
      revocationChecker: createRevocationChecker({ fetch: () => Promise.reject(new Error('offline')) }),
    },
  });
  const signatures = [{ manifest: signed.signature, envelope, envelopeMediaType: layer.mediaType }];

  const once = async (): Promise<{ verify: number; parse: number }> => {
    const t0 = process.cpuUsage();
    const result = await verifier.verify({
      artifactReference: `local/layout@${subject.digest}`,
      artifact: subject,
      scope,
      signatures,
    });
    const t1 = process.cpuUsage(t0);
    if (!result.verified) throw new Error(result.message);
    const p0 = process.cpuUsage();
    const sbom = parseSpdx(spdxBytes);
    const report = parseTrivyReport(reportBytes);
    const p1 = process.cpuUsage(p0);
    const now = clock();
    const decision = buildDecision({
      reference: { requested: 'bench', repository: 'local/layout', digest: subject.digest },
      policy: { name: 'bench', digest: loaded.digest },
      evaluatedAt: now,
      checks: [
        {
          id: 'reference',
          status: 'pass',
          reason: 'bench',
          evidence: { requested: 'bench', repository: 'local/layout', digest: subject.digest },
        },
        { id: 'scope', status: 'pass', reason: 'bench', evidence: { policy: 'bench', scope: 'bench' } },
        {
          id: 'signature',
          status: 'pass',
          reason: 'bench',
          evidence: { level: 'strict', signatures: result.signatures },
        },
        ...sbomChecks(scope.sbom, [
          { digest: subject.digest, artifactType: 'application/spdx+json', document: sbom },
        ]),
        ...vulnerabilityChecks(
          scope.vulnerabilities,
          [{ digest: subject.digest, artifactType: TRIVY_REPORT_ARTIFACT_TYPE, document: report }],
          { manifestDigest: subject.digest, configDigest: image.config.digest },
          now,
        ),
      ],
    });
    renderDecisionJson(decision);
    if (!decision.allowed) throw new Error(decision.reasons.join('; '));
    return { verify: (t1.user + t1.system) / 1000, parse: (p1.user + p1.system) / 1000 };
  };
  for (let i = 0; i < 20; i++) await once();
  const start = process.cpuUsage();
  let verify = 0;
  let parse = 0;
  for (let i = 0; i < CPU_ITERATIONS; i++) {
    const r = await once();
    verify += r.verify;
    parse += r.parse;
  }
  const total = process.cpuUsage(start);
  return {
    perDecisionMs: Number(((total.user + total.system) / 1000 / CPU_ITERATIONS).toFixed(3)),
    verifySignatureMs: Number((verify / CPU_ITERATIONS).toFixed(3)),
    parseDocumentsMs: Number((parse / CPU_ITERATIONS).toFixed(3)),
  };
}

const results: Record<string, unknown> = {};
for (const auth of ['none', 'token'] as const) {
  const measured = await benchmark(auth);
  results[auth === 'none' ? 'anonymousHttp' : 'tokenAuthTls'] = measured;
  console.log(
    `\nregistry: ${auth === 'none' ? 'anonymous, plain HTTP' : 'bearer token auth over TLS'} (${ITERATIONS} runs each)`,
  );
  console.log('decision                         requests  median ms  p95 ms');
  for (const [name, m] of Object.entries(measured)) {
    console.log(
      `${name.padEnd(32)} ${String(m.requests).padStart(8)}${m.requestsRange[0] !== m.requestsRange[1] ? `(${m.requestsRange.join('-')})` : ''}  ${String(m.medianMs).padStart(9)}  ${String(m.p95Ms).padStart(6)}`,
    );
  }
}
const cpu = await cpuOfDecision();
results.cpuOfDecision = cpu;
console.log(`\nCPU of one decision over fetched material (${CPU_ITERATIONS} runs): ${cpu.perDecisionMs} ms`);
console.log(
  `  of which signature verification ${cpu.verifySignatureMs} ms, SBOM (74 KB SPDX) + report parsing ${cpu.parseDocumentsMs} ms`,
);

console.log('');
await writeBenchResult('verify-core.json', {
  benchmark: 'verify-core decision',
  node: process.version,
  date: new Date().toISOString(),
  iterations: ITERATIONS,
  ...results,
});
