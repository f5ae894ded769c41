/**
 * Provider benchmark: `scs serve` (in process, real HTTPS with TLS 1.3 and mutual TLS) in front
 * of the harness registry (distribution 2.8: no referrers API, tag-schema fallback). Images are
 * signed (JWS, RSA-2048 test certificate) with a real Syft SPDX SBOM and a Trivy JSON report
 * attached; the policy requires all three. Requests carry 10 image tags each, as Gatekeeper
 * sends one request per admitted object with all its images.
 *
 * - cold: a new provider (empty caches) judging images it never saw: latency per request, and
 *   registry requests per image;
 * - warm: every image already judged, concurrent clients for a fixed time: requests per second,
 *   p50/p99 latency;
 * - shared: a new replica with empty memory answering from Redis (the real `redis-server`), every
 *   entry's HMAC checked: latency, and registry requests per image (none expected).
 *
 * Prints a table and writes `bench-results/provider.json`. Measured, never asserted.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { quantile, writeBenchResult } from '../../../scripts/bench-kit.js';
import { sharedPath, startRegistry } from '../../../test/harness/index.js';
import type { ProviderResponse } from '../src/bundle/external-data.js';
import { nodeCliServices } from '../src/cli/node-services.js';
import { pushBenchImage } from './bench-image.js';
import {
  providerPki,
  providerRequest,
  startRedis,
  startTestProvider,
} from '../src/provider/test-support/provider-kit.js';

const IMAGES = 40;
const KEYS_PER_REQUEST = 10;
const COLD_ROUNDS = 6;
const CONCURRENCY = 4;
const WARM_SECONDS = 8;
const SINGLE_SAMPLES = 20;
const SHARED_ROUNDS = 6;
const SPDX = sharedPath(
  'golden',
  'ratify-project',
  'ratify',
  'plugins',
  'verifier',
  'sbom',
  'testdata',
  'syftbom.spdx.json',
);
const clock = (): Date => new Date();

const round = (n: number, digits = 2): number => Number(n.toFixed(digits));

/** Latency quantiles of sorted samples (ms, one decimal) and the mean registry requests per image. */
function latencies(sorted: readonly number[], registryPerImage: readonly number[]) {
  return {
    requests: sorted.length,
    p50Ms: round(quantile(sorted, 0.5), 1),
    p95Ms: round(quantile(sorted, 0.95), 1),
    p99Ms: round(quantile(sorted, 0.99), 1),
    registryRequestsPerImage: round(registryPerImage.reduce((a, b) => a + b, 0) / registryPerImage.length, 2),
  };
}

async function main(): Promise<void> {
  const registry = await startRegistry();
  const work = await mkdtemp(path.join(os.tmpdir(), 'scs-bench-provider-'));
  try {
    const pki = await providerPki();
    const services = nodeCliServices({ clock, env: {}, homeDir: work });
    const cert = await services.generateTestCertificate('bench', { days: 7 });
    await writeFile(path.join(work, 'bench.crt'), cert.certificatePem);
    const spdx = new Uint8Array(await readFile(SPDX));

    console.log(`preparing ${IMAGES} signed images with an SBOM and a report…`);
    const references: string[] = [];
    for (let i = 0; i < IMAGES; i++) {
      const reference = `${registry.host}/bench/app${i % 8}:v${i}`;
      await pushBenchImage({
        services,
        registryOptions: { plainHttp: true },
        reference,
        tag: `v${i}`,
        text: `benchmark image ${i}\n`,
        cert,
        spdx,
      });
      references.push(reference);
    }
    const policyFile = path.join(work, 'scs-policy.yaml');
    await writeFile(
      policyFile,
      `apiVersion: scs.dev/v1alpha1
kind: SupplyChainPolicy
metadata: { name: bench }
spec:
  scopes:
    - name: bench
      registryScopes: ["*"]
      signature:
        level: strict
        trustStores: [{ name: bench, type: ca, certificates: [bench.crt] }]
        trustedIdentities: ["x509.subject: ${cert.subject}"]
      sbom: { required: true, formats: [spdx], deniedPackages: [{ name: log4j-core, versions: "<2.17.1" }] }
      vulnerabilities: { required: true, maxSeverity: HIGH }
`,
    );
    const batches: string[][] = [];
    for (let i = 0; i < references.length; i += KEYS_PER_REQUEST)
      batches.push(references.slice(i, i + KEYS_PER_REQUEST));

    const post = async (agent: https.Agent, url: string, keys: string[]): Promise<number> => {
      const started = performance.now();
      const body = providerRequest(keys);
      const response = await new Promise<ProviderResponse>((resolve, reject) => {
        const request = https.request(
          `${url}/verify`,
          { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
          (answer) => {
            const chunks: Buffer[] = [];
            answer.on('data', (c: Buffer) => chunks.push(c));
            answer.once('end', () => {
              resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as ProviderResponse);
            });
          },
        );
        request.once('error', reject);
        request.end(body);
      });
      const ms = performance.now() - started;
      const failed = response.response.items.filter((i) => i.value?.isSuccess !== true);
      if (failed.length > 0) throw new Error(`benchmark images not admitted: ${JSON.stringify(failed[0])}`);
      return ms;
    };
    const agentFor = (): https.Agent =>
      new https.Agent({
        keepAlive: true,
        maxSockets: CONCURRENCY,
        ca: pki.caCertPem,
        cert: pki.client.certPem,
        key: pki.client.keyPem,
      });

    /**
     * One round: a new provider (empty memory) from `options`, every batch posted CONCURRENCY at
     * a time; the latencies go to `times`, and the provider's counters are read before it closes.
     */
    const freshRound = async (
      options: { redisUrl?: string },
      times: number[],
    ): Promise<{ registryPerImage: number; rejected: number }> => {
      const provider = await startTestProvider({ policyFile, pki, clientCa: true, ...options });
      const agent = agentFor();
      const queue = [...batches];
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          for (let batch = queue.shift(); batch !== undefined; batch = queue.shift())
            times.push(await post(agent, provider.url, batch));
        }),
      );
      const counted = {
        registryPerImage: provider.metrics.registryRequests.value() / IMAGES,
        rejected: provider.metrics.sharedCacheRejected.value(),
      };
      agent.destroy();
      await provider.close();
      return counted;
    };

    // Cold: a fresh provider per round, batches sent CONCURRENCY at a time.
    const cold: number[] = [];
    const registryPerImage: number[] = [];
    for (let r = 0; r < COLD_ROUNDS; r++) {
      registryPerImage.push((await freshRound({}, cold)).registryPerImage);
    }

    // Cold, one image alone: a fresh provider, one request with one key it never saw.
    const single: number[] = [];
    for (const reference of references.slice(0, SINGLE_SAMPLES)) {
      const fresh = await startTestProvider({ policyFile, pki, clientCa: true });
      const freshAgent = agentFor();
      single.push(await post(freshAgent, fresh.url, [reference]));
      freshAgent.destroy();
      await fresh.close();
    }

    // Warm: one provider, everything judged once, then CONCURRENCY clients for WARM_SECONDS.
    const provider = await startTestProvider({ policyFile, pki, clientCa: true });
    const agent = agentFor();
    for (const batch of batches) await post(agent, provider.url, batch);
    const registryBeforeWarm = provider.metrics.registryRequests.value();
    const warm: number[] = [];
    const until = performance.now() + WARM_SECONDS * 1000;
    let n = 0;
    const warmStarted = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (performance.now() < until) {
          const batch = batches[n++ % batches.length] ?? [];
          warm.push(await post(agent, provider.url, batch));
        }
      }),
    );
    const warmSeconds = (performance.now() - warmStarted) / 1000;
    const warmRegistry = provider.metrics.registryRequests.value() - registryBeforeWarm;
    agent.destroy();
    await provider.close();

    // Shared: one replica judges everything into Redis; each round a new replica (empty memory,
    // same Redis and key) answers every batch from the authenticated shared entries.
    const redis = await startRedis();
    const shared: number[] = [];
    const sharedRegistryPerImage: number[] = [];
    let sharedRejected = 0;
    try {
      const first = await startTestProvider({ policyFile, pki, clientCa: true, redisUrl: redis.url });
      const firstAgent = agentFor();
      for (const batch of batches) await post(firstAgent, first.url, batch);
      firstAgent.destroy();
      await first.close();
      for (let r = 0; r < SHARED_ROUNDS; r++) {
        const counted = await freshRound({ redisUrl: redis.url }, shared);
        sharedRegistryPerImage.push(counted.registryPerImage);
        sharedRejected += counted.rejected;
      }
    } finally {
      await redis.stop();
    }

    cold.sort((a, b) => a - b);
    single.sort((a, b) => a - b);
    warm.sort((a, b) => a - b);
    shared.sort((a, b) => a - b);
    const results = {
      date: new Date().toISOString(),
      node: process.version,
      cpus: os.cpus().length,
      setup: {
        images: IMAGES,
        keysPerRequest: KEYS_PER_REQUEST,
        concurrency: CONCURRENCY,
        transport:
          'HTTPS TLS 1.3, mutual TLS, keep-alive; registry: distribution 2.8 on loopback (tag-schema referrers)',
        policy: 'signature (strict) + SPDX SBOM required + Trivy report required (max HIGH)',
      },
      cold: latencies(cold, registryPerImage),
      coldSingleImage: {
        requests: single.length,
        p50Ms: round(quantile(single, 0.5), 1),
        p95Ms: round(quantile(single, 0.95), 1),
      },
      warm: {
        requests: warm.length,
        requestsPerSecond: round(warm.length / warmSeconds, 0),
        imagesPerSecond: round((warm.length * KEYS_PER_REQUEST) / warmSeconds, 0),
        p50Ms: round(quantile(warm, 0.5)),
        p95Ms: round(quantile(warm, 0.95)),
        p99Ms: round(quantile(warm, 0.99)),
        registryRequests: warmRegistry,
      },
      sharedFromRedis: {
        ...latencies(shared, sharedRegistryPerImage),
        rejectedEntries: sharedRejected,
        note: 'a new replica, empty memory, every answer read from Redis (redis-server on loopback) and its HMAC checked',
      },
      ratifyPublished: {
        note: 'Ratify docs (Azure, AKS + ACR): P95 of a warm verification 8–46 ms; a first (uncached) verification 0.9–4 s',
        warmP95Ms: [8, 46],
        coldMs: [900, 4000],
      },
    };
    console.table({
      'cold (new provider, 10 images/request)': {
        'p50 ms': results.cold.p50Ms,
        'p95 ms': results.cold.p95Ms,
        'p99 ms': results.cold.p99Ms,
        'req/s': '',
        'registry req/image': results.cold.registryRequestsPerImage,
      },
      'cold, one image alone (new provider)': {
        'p50 ms': results.coldSingleImage.p50Ms,
        'p95 ms': results.coldSingleImage.p95Ms,
        'p99 ms': '',
        'req/s': '',
        'registry req/image': '',
      },
      'new replica, from Redis (10 images/request)': {
        'p50 ms': results.sharedFromRedis.p50Ms,
        'p95 ms': results.sharedFromRedis.p95Ms,
        'p99 ms': results.sharedFromRedis.p99Ms,
        'req/s': '',
        'registry req/image': results.sharedFromRedis.registryRequestsPerImage,
      },
      'warm (cached, 10 images/request)': {
        'p50 ms': results.warm.p50Ms,
        'p95 ms': results.warm.p95Ms,
        'p99 ms': results.warm.p99Ms,
        'req/s': results.warm.requestsPerSecond,
        'registry req/image': results.warm.registryRequests,
      },
    });
    await writeBenchResult('provider.json', results);
  } finally {
    await registry.stop();
  }
}

await main();
