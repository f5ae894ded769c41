/**
 * The bundle compiler's cost: compiling a policy (both engines), generating the provider TLS
 * (two P-256 keys, two certificates) and writing + `kubectl kustomize` of the result. Prints the
 * figures and writes bench-results/verify-core-bundle.json.
 *
 *   pnpm exec tsx packages/verify-core/bench/bundle.bench.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { msPerOp, writeBenchResult } from '../../../scripts/bench-kit.js';
import { nodeFileSystem } from '../src/cli/node-io.js';
import { compileBundle, generateProviderTls, loadPolicy, writeBundle } from '../src/index.js';
import { E2E_CERT } from '../src/test-support/notation-layouts.js';

const DURATION_MS = Number(process.env.BENCH_MS ?? 1500);
const NOW = new Date('2026-11-27T00:00:00Z');

const perOp = (name: string, fn: () => unknown): Promise<number> =>
  msPerOp(name, fn, { durationMs: DURATION_MS, warmupMs: 150 });

const dir = mkdtempSync(path.join(os.tmpdir(), 'scs-bundle-bench-'));
mkdirSync(path.join(dir, 'keys'));
writeFileSync(path.join(dir, 'keys', 'e2e.crt'), readFileSync(E2E_CERT));
writeFileSync(
  path.join(dir, 'scs-policy.yaml'),
  `apiVersion: scs.dev/v1alpha1
kind: SupplyChainPolicy
metadata: { name: production }
spec:
  scopes:
    - name: apps
      registryScopes: ["registry.example.com/team/app"]
      signature:
        level: strict
        trustStores: [{ name: e2e, type: ca, certificates: ["keys/e2e.crt"] }]
        trustedIdentities: ["x509.subject: CN=e2e,O=Notary,L=Seattle,ST=WA,C=US"]
      sbom: { required: true, formats: [spdx] }
      vulnerabilities: { required: true, formats: [sarif], maxSeverity: HIGH }
`,
);
const loaded = await loadPolicy(path.join(dir, 'scs-policy.yaml'), {
  reader: nodeFileSystem,
  now: () => NOW,
});
const tls = await generateProviderTls({ service: 'scs-provider', namespace: 'gatekeeper-system', now: NOW });
const image = `registry.example.com/scs/scs@sha256:${'5'.repeat(64)}`;

const result = {
  compileScsMs: await perOp('compileBundle (engine scs)', () =>
    compileBundle(loaded, { engine: 'scs', scs: { image, tls } }),
  ),
  compileRatifyMs: await perOp('compileBundle (engine ratify)', () =>
    compileBundle(loaded, { engine: 'ratify', azureClientId: 'c' }),
  ),
  generateTlsMs: await perOp('generateProviderTls (CA + serving cert)', () =>
    generateProviderTls({ service: 'scs-provider', namespace: 'gatekeeper-system', now: NOW }),
  ),
  writeBundleMs: 0,
  kustomizeBuildMs: 0,
};
let i = 0;
const fileCount = compileBundle(loaded, { engine: 'scs', scs: { image, tls } }).files.size;
result.writeBundleMs = await perOp(`writeBundle (${fileCount} files, atomic)`, () =>
  writeBundle(
    nodeFileSystem,
    path.join(dir, `out-${i++}`),
    compileBundle(loaded, { engine: 'scs', scs: { image, tls } }),
  ),
);
const t0 = performance.now();
execFileSync('kubectl', ['kustomize', path.join(dir, 'out-0')], { stdio: 'ignore' });
result.kustomizeBuildMs = performance.now() - t0;
console.log(
  `${'kubectl kustomize (one run, for scale)'.padEnd(44)} ${result.kustomizeBuildMs.toFixed(1).padStart(9)} ms`,
);

await writeBenchResult('verify-core-bundle.json', {
  node: process.version,
  measuredAt: new Date().toISOString(),
  ...result,
});
