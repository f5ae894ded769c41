/**
 * Parity: for the same images under the same policy, `scs serve` (at admission) and `scs verify`
 * (in CI) give the same allow/deny. Images in the real harness registry: notation's signed,
 * unsigned and expired-signature vectors, a signed image with a Trivy report holding a CRITICAL
 * finding, and a signed image whose SBOM (Ratify's real Syft SPDX) holds a denied package.
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openStore } from '@scs/oci';
import type { ImageManifest } from '@scs/oci';
import { startRegistry } from '@scs/test/harness';
import type { TestRegistry } from '@scs/test/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderResponse } from '../bundle/external-data.js';
import { nodeCliServices } from '../cli/node-services.js';
import { memoryOutput, nodeFileSystem } from '../cli/node-io.js';
import { runCli } from '../cli/run-cli.js';
import { demoTrivyReport } from '../demo/sample-documents.js';
import { TRIVY_REPORT_ARTIFACT_TYPE } from '../rules/vulnerabilities/vulnerability-report.js';
import { GOLDEN, golden } from '../test-support/golden.js';
import type { RunningProvider } from './start-provider.js';
import { pushE2eLayout } from '../test-support/registry-layouts.js';
import { writeE2ePolicy } from '../test-support/e2e-policy.js';
import {
  httpsRequest,
  providerPki,
  providerRequest,
  startTestProvider,
} from './test-support/provider-kit.js';

let registry: TestRegistry;
let work: string;
let pki: Awaited<ReturnType<typeof providerPki>>;
let policyFile: string;
let provider: RunningProvider & { url: string };
const images: Record<string, string> = {};
const clock = (): Date => new Date();

async function attach(reference: string, artifactType: string, content: Uint8Array): Promise<void> {
  const { store } = await openStore(reference, { plainHttp: true });
  const subject = await store.resolve('v1');
  await store.attach({
    subject,
    artifactType,
    layers: [{ mediaType: artifactType, content }],
    annotations: { 'org.opencontainers.image.created': new Date().toISOString() },
  });
}

beforeAll(async () => {
  registry = await startRegistry();
  work = await mkdtemp(path.join(os.tmpdir(), 'scs-provider-parity-'));
  pki = await providerPki();
  images.signed = await pushE2eLayout(registry.host, work, 'e2e-valid-signature', 'parity/signed');
  images.unsigned = await pushE2eLayout(registry.host, work, 'e2e', 'parity/unsigned');
  images.expired = await pushE2eLayout(registry.host, work, 'e2e-expired-signature', 'parity/expired');

  images.critical = await pushE2eLayout(registry.host, work, 'e2e-valid-signature', 'parity/critical');
  const { store } = await openStore(images.critical, { plainHttp: true });
  const manifest = (await store.fetchManifest(await store.resolve('v1'))).manifest as ImageManifest;
  await attach(
    images.critical,
    TRIVY_REPORT_ARTIFACT_TYPE,
    demoTrivyReport(images.critical, manifest.config.digest, new Date().toISOString(), [
      {
        id: 'CVE-2099-9999',
        severity: 'CRITICAL',
        pkg: 'openssl',
        installed: '3.0.0',
        fixed: '3.0.1',
        title: 'parity',
      },
    ]),
  );

  images.deniedPackage = await pushE2eLayout(
    registry.host,
    work,
    'e2e-valid-signature',
    'parity/denied-package',
  );
  await attach(images.deniedPackage, 'application/spdx+json', golden(...GOLDEN.ratifySpdx));

  policyFile = await writeE2ePolicy(work, {
    name: 'parity',
    file: 'parity.yaml',
    rules: `      sbom: { required: false, deniedPackages: [{ name: busybox, versions: "<1.36", reason: CVE-2022-48174 }] }
      vulnerabilities: { required: false, maxSeverity: HIGH }
`,
  });
  provider = await startTestProvider({ policyFile, pki });
});

afterAll(async () => {
  await provider.close();
  await registry.stop();
});

async function scsVerify(reference: string): Promise<{ allowed: boolean; reasons: string[] }> {
  const out = memoryOutput();
  const status = await runCli(
    ['verify', reference, '--policy', policyFile, '--plain-http', '--output', 'json'],
    {
      out,
      fs: nodeFileSystem,
      clock,
      cwd: work,
      services: nodeCliServices({ clock, env: {}, homeDir: work }),
      verbose: false,
    },
  );
  const decision = JSON.parse(out.out) as { allowed: boolean; reasons: string[] };
  expect(status).toBe(decision.allowed ? 0 : 1);
  return decision;
}

describe('scs serve and scs verify on the same images', () => {
  it('agree on every allow and deny, with the same reasons', async () => {
    const names = Object.keys(images);
    const answer = await httpsRequest(
      `${provider.url}/verify`,
      { ca: pki.caCertPem },
      { body: providerRequest(names.map((n) => images[n])) },
    );
    const items = (answer.json() as ProviderResponse).response.items;
    const atAdmission = Object.fromEntries(names.map((n, i) => [n, items[i]?.value?.isSuccess ?? 'error']));
    const inCi: Record<string, boolean> = {};
    const reasons: Record<string, string[]> = {};
    for (const name of names) {
      const decision = await scsVerify(images[name] ?? '');
      inCi[name] = decision.allowed;
      reasons[name] = decision.reasons;
    }
    expect(inCi).toEqual({
      signed: true,
      unsigned: false,
      expired: false,
      critical: false,
      deniedPackage: false,
    });
    expect(atAdmission).toEqual(inCi);
    // Each failed verifier report of the provider carries the CI decision's reason.
    names.forEach((name, i) => {
      const failed = (items[i]?.value?.verifierReports ?? [])
        .filter((r) => !r.isSuccess)
        .map((r) => r.message);
      for (const reason of reasons[name] ?? [])
        expect(failed.join(' | ')).toContain(reason.split(': ').pop());
    });
    expect(reasons.critical?.join(' ')).toContain('CVE-2099-9999');
    expect(reasons.deniedPackage?.join(' ')).toContain('busybox');
  });
});
