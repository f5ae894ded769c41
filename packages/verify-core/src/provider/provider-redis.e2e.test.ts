/**
 * Several replicas, one cache: two `scs serve` processes (the real CLI, as the Deployment runs
 * it) sharing the real `redis-server`, started on a free loopback port by the test, the URL and
 * the cache key given by files or by the environment. Also: the provider goes on without Redis
 * when Redis goes away, refuses entries whose MAC does not verify (a forged "allowed"), and
 * ignores authenticated entries that do not hold together.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { repoRoot, startRegistry } from '@scs/test/harness';
import type { TestRegistry } from '@scs/test/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderResponse } from '../bundle/external-data.js';
import { loadPolicy } from '../policy/load-policy.js';
import { E2E_TARGET } from '../test-support/notation-layouts.js';
import { sealEntry } from './authenticated-shared-cache.js';
import { policyFingerprint } from './provider-files.js';
import type { RunningProvider } from './start-provider.js';
import type { TestRedis } from './test-support/provider-kit.js';
import { pushE2eLayout } from '../test-support/registry-layouts.js';
import { writeE2ePolicy } from '../test-support/e2e-policy.js';
import {
  httpsRequest,
  nodeFiles,
  providerPki,
  providerRequest,
  TEST_REDIS_KEY,
  startRedis,
  startTestProvider,
} from './test-support/provider-kit.js';

let registry: TestRegistry;
let redis: TestRedis;
let work: string;
let pki: Awaited<ReturnType<typeof providerPki>>;
let policyFile: string;
let keyFile: string;

beforeAll(async () => {
  [registry, redis] = await Promise.all([startRegistry(), startRedis()]);
  work = await mkdtemp(path.join(os.tmpdir(), 'scs-provider-redis-'));
  pki = await providerPki();
  policyFile = await writeE2ePolicy(work, { name: 'replicas', file: 'replicas.yaml' });
  keyFile = path.join(work, 'redis-cache.key');
  await writeFile(keyFile, `${Buffer.from(TEST_REDIS_KEY).toString('utf8')}\n`, { mode: 0o600 });
});

afterAll(async () => {
  await redis.stop();
  await registry.stop();
});

interface Replica {
  url: string;
  child: ChildProcess;
  output: () => string;
  stop(): Promise<number | null>;
}

/** How a replica is given the Redis URL and the cache key. */
type RedisWiring = 'files' | 'environment' | 'url flag';

/** `scs serve` as a process: the package's bin, JSON logs on stdout, port 0 read from the "serving" line. */
async function startReplica(wiring: RedisWiring = 'files', redisUrl = redis.url): Promise<Replica> {
  const urlFile = path.join(await mkdtemp(path.join(work, 'redis-url-')), 'url');
  await writeFile(urlFile, `${redisUrl}\n`, { mode: 0o600 });
  const redisArgs =
    wiring === 'files'
      ? ['--redis-url-file', urlFile, '--redis-key-file', keyFile]
      : wiring === 'url flag'
        ? ['--redis', redisUrl, '--redis-key-file', keyFile]
        : [];
  const redisEnv =
    wiring === 'environment'
      ? { SCS_REDIS_URL: redisUrl, SCS_REDIS_KEY: Buffer.from(TEST_REDIS_KEY).toString('utf8') }
      : {};
  const child = spawn(
    process.execPath,
    [
      path.join(repoRoot, 'packages/verify-core/bin/scs.js'),
      'serve',
      '--policy',
      policyFile,
      '--tls-cert',
      pki.serverCertFile,
      '--tls-key',
      pki.serverKeyFile,
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      ...redisArgs,
      '--plain-http',
      '--reload-interval',
      '0',
    ],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DOCKER_CONFIG: work, ...redisEnv },
    },
  );
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`scs serve did not start within 30 s:\n${output}`));
    }, 30_000);
    const poll = setInterval(() => {
      const line = output.split('\n').find((l) => l.includes('"msg":"serving"'));
      if (line !== undefined) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve((JSON.parse(line) as { port: number }).port);
      } else if (child.exitCode !== null) {
        clearInterval(poll);
        clearTimeout(timer);
        reject(new Error(`scs serve exited with ${child.exitCode}:\n${output}`));
      }
    }, 50);
  });
  return {
    url: `https://127.0.0.1:${port}`,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((resolve) =>
        child.once('exit', (code) => {
          resolve(code);
        }),
      );
      child.kill('SIGTERM');
      return exited;
    },
  };
}

async function verify(url: string, keys: string[]): Promise<ProviderResponse> {
  const answer = await httpsRequest(`${url}/verify`, { ca: pki.caCertPem }, { body: providerRequest(keys) });
  expect(answer.status).toBe(200);
  return answer.json() as ProviderResponse;
}

async function metrics(url: string): Promise<Map<string, number>> {
  const text = (await httpsRequest(`${url}/metrics`, { ca: pki.caCertPem })).text;
  return new Map(
    text
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'))
      .map((l) => {
        const at = l.lastIndexOf(' ');
        return [l.slice(0, at), Number(l.slice(at + 1))] as const;
      }),
  );
}

describe('two scs serve processes sharing one Redis', () => {
  let a: Replica;
  let b: Replica;

  beforeAll(async () => {
    [a, b] = await Promise.all([startReplica('files'), startReplica('environment')]);
  });

  afterAll(async () => {
    await Promise.all([a.stop(), b.stop()]);
  });

  it('answer the second replica from the first one’s work, without a registry request', async () => {
    const signed = await pushE2eLayout(registry.host, work, 'e2e-valid-signature', 'replicas/signed');
    expect((await verify(a.url, [signed])).response.items[0]?.value?.isSuccess).toBe(true);
    const fromB = await verify(b.url, [signed]);
    expect(fromB.response.items[0]?.value?.isSuccess).toBe(true);
    const mb = await metrics(b.url);
    expect(mb.get('scs_provider_registry_requests_total') ?? 0).toBe(0);
    expect(mb.get('scs_provider_cache_events_total{event="shared-hit"}')).toBe(2); // the tag, the decision
    expect(mb.get('scs_provider_evaluations_total{outcome="allowed"}') ?? 0).toBe(0);
    expect(mb.get('scs_provider_decisions_total{outcome="allowed"}')).toBe(1);
  });

  it('judge a new image once between them when asked at the same moment', async () => {
    const unsigned = await pushE2eLayout(registry.host, work, 'e2e', 'replicas/unsigned');
    const answers = await Promise.all([
      verify(a.url, [unsigned]),
      verify(b.url, [unsigned]),
      verify(a.url, [unsigned]),
      verify(b.url, [unsigned]),
    ]);
    expect(answers.map((r) => r.response.items[0]?.value?.isSuccess)).toEqual([false, false, false, false]);
    const [ma, mb] = await Promise.all([metrics(a.url), metrics(b.url)]);
    const evaluations = (m: Map<string, number>): number =>
      m.get('scs_provider_evaluations_total{outcome="denied"}') ?? 0;
    expect(evaluations(ma) + evaluations(mb)).toBe(1);
  });

  it('stop gracefully on SIGTERM, exit 0, with JSON log lines that never show the Redis password', async () => {
    const password = 'redis-secret-5f1c2a';
    const guarded = await startRedis({ password });
    const fromFile = await startReplica('files', guarded.url);
    const fromFlag = await startReplica('url flag', guarded.url);
    expect(await fromFile.stop()).toBe(0);
    expect(await fromFlag.stop()).toBe(0);
    await guarded.stop();
    const linesOf = (replica: Replica) =>
      replica
        .output()
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as { msg: string; level: string; time: string; authenticated?: boolean });
    const lines = linesOf(fromFile);
    expect(lines.map((l) => l.msg)).toEqual(
      expect.arrayContaining([
        'loaded the policy',
        'shared cache ready',
        'sharing the caches through Redis',
        'serving',
        'shutting down',
        'stopped',
      ]),
    );
    expect(lines.find((l) => l.msg === 'sharing the caches through Redis')?.authenticated).toBe(true);
    expect(lines.every((l) => !Number.isNaN(Date.parse(l.time)))).toBe(true);
    // A password passed in --redis is in the process arguments: the replica says so, without it.
    const warning = /the Redis password given in --redis is visible in the process arguments/;
    expect(lines.some((l) => warning.test(l.msg))).toBe(false);
    expect(linesOf(fromFlag).some((l) => l.level === 'warn' && warning.test(l.msg))).toBe(true);
    for (const replica of [fromFile, fromFlag]) {
      expect(replica.output()).not.toContain(password);
      expect(replica.output()).not.toContain(Buffer.from(TEST_REDIS_KEY).toString('utf8'));
    }
  });
});

describe('when Redis is away', () => {
  it('answers from its own work and memory, counting the shared-cache failures', async () => {
    const lonely = await startRedis();
    const provider = await startTestProvider({ policyFile, pki, redisUrl: lonely.url });
    try {
      await lonely.stop();
      const signed = await pushE2eLayout(registry.host, work, 'e2e-valid-signature', 'lonely/signed');
      const started = performance.now();
      expect((await verify(provider.url, [signed])).response.items[0]?.value?.isSuccess).toBe(true);
      expect(performance.now() - started).toBeLessThan(3_000);
      expect(provider.metrics.cache.value({ event: 'shared-error' })).toBeGreaterThan(0);
      expect((await verify(provider.url, [signed])).response.items[0]?.value?.isSuccess).toBe(true);
      expect(provider.metrics.cache.value({ event: 'memory-hit' })).toBeGreaterThan(0);
    } finally {
      await provider.close();
    }
  });
});

describe('an entry written into Redis by someone without the provider’s key', () => {
  it('is refused, counted in /metrics, and the image judged: a forged "allowed" admits nothing', async () => {
    // A well-formed "allowed" for the unsigned image, as anyone who can write to Redis could write it.
    const forged = verdictEntry({ allowed: true, isSuccess: true });
    const after = await withPlantedDecision(
      'forged/unsigned',
      () => forged,
      async (provider, unsigned) => {
        const item = (await verify(provider.url, [unsigned])).response.items[0];
        expect(item?.value?.isSuccess).toBe(false);
        expect(item?.value?.verifierReports[0]?.message).toContain('no trusted signature');
        expect(provider.metrics.evaluations.value({ outcome: 'denied' })).toBe(1);
        const exposition = (await httpsRequest(`${provider.url}/metrics`, { ca: pki.caCertPem })).text;
        expect(exposition).toMatch(/^scs_provider_shared_cache_rejected_total 1$/m);
      },
    );
    // The provider's own answer replaced the forgery, sealed with its key.
    expect(after).toMatch(/^scs1\./);
  });

  it('is refused when sealed with another key (a replica configured with a different key)', async () => {
    const signed = await pushE2eLayout(registry.host, work, 'e2e-valid-signature', 'other-key/signed');
    const first = await startTestProvider({ policyFile, pki, redisUrl: redis.url });
    const second = await startTestProvider({
      policyFile,
      pki,
      redisUrl: redis.url,
      redisKey: new Uint8Array(Buffer.from('another-key-'.repeat(4))),
    });
    try {
      expect((await verify(first.url, [signed])).response.items[0]?.value?.isSuccess).toBe(true);
      // The first replica writes its decision after answering: wait until Redis holds it.
      const key = await decisionKey('other-key/signed');
      const client = new Redis(redis.url);
      try {
        for (let attempt = 0; attempt < 100 && (await client.get(key)) === null; attempt++) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        expect(await client.get(key)).toMatch(/^scs1\./);
      } finally {
        client.disconnect();
      }
      expect((await verify(second.url, [signed])).response.items[0]?.value?.isSuccess).toBe(true);
      expect(second.metrics.sharedCacheRejected.value()).toBeGreaterThanOrEqual(1);
      expect(second.metrics.evaluations.value({ outcome: 'allowed' })).toBe(1);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});

describe('an authenticated cache entry that does not hold together', () => {
  it('is ignored and the image judged again', async () => {
    // "allowed", but its value says isSuccess: false; sealed with the provider's key.
    const incoherent = verdictEntry({ allowed: true, isSuccess: false });
    await withPlantedDecision(
      'incoherent/unsigned',
      (key) => sealEntry(TEST_REDIS_KEY, key, incoherent),
      async (provider, unsigned) => {
        const item = (await verify(provider.url, [unsigned])).response.items[0];
        expect(item?.value?.isSuccess).toBe(false);
        expect(item?.value?.verifierReports).toHaveLength(1);
        expect(provider.metrics.evaluations.value({ outcome: 'denied' })).toBe(1);
        expect(provider.metrics.sharedCacheRejected.value()).toBe(0);
      },
    );
  });
});

/** A decision cache entry (as the result cache stores it) holding a verdict without reports. */
function verdictEntry(verdict: { allowed: boolean; isSuccess: boolean }): string {
  const value = JSON.stringify({
    kind: 'verdict',
    allowed: verdict.allowed,
    value: { version: '0.1.0', isSuccess: verdict.isSuccess, verifierReports: [] },
  });
  return JSON.stringify({ e: Date.now() + 60_000, v: value });
}

/**
 * Push notation's unsigned e2e image to `repository`, write `stored(key)` into Redis under the
 * key of its decision, run `check` against a new provider sharing that Redis, and return what
 * Redis holds under that key afterwards.
 */
async function withPlantedDecision(
  repository: string,
  stored: (key: string) => string,
  check: (provider: RunningProvider & { url: string }, image: string) => Promise<void>,
): Promise<string | null> {
  const image = await pushE2eLayout(registry.host, work, 'e2e', repository);
  const key = await decisionKey(repository);
  const client = new Redis(redis.url);
  try {
    await client.set(key, stored(key), 'PX', 60_000);
    const provider = await startTestProvider({ policyFile, pki, redisUrl: redis.url });
    try {
      await check(provider, image);
    } finally {
      await provider.close();
    }
    return await client.get(key);
  } finally {
    client.disconnect();
  }
}

/** The Redis key under which the provider keeps its decision on the e2e image in `repository`. */
async function decisionKey(repository: string): Promise<string> {
  const loaded = await loadPolicy(policyFile, { reader: nodeFiles, now: () => new Date() });
  return `scs:provider:v1:decision:${policyFingerprint(loaded)}|${registry.host}/${repository}@${E2E_TARGET.digest}`;
}
