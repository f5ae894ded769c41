/**
 * The engine over plain objects: notation's real signed layout as the store of every
 * "registry", wrapped to count and slow its calls, so that the bounds (per registry, in flight)
 * and the refusals that need no registry can be observed exactly.
 */
import { cp, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ArtifactStore } from '@scs/oci';
import { LayoutStore, parseReference } from '@scs/oci';
import { beforeAll, describe, expect, it } from 'vitest';
import { nodeCliServices } from '../cli/node-services.js';
import { MaterialCache } from '../engine/material-cache.js';
import type { OpenedTarget } from '../engine/ports.js';
import { loadPolicy } from '../policy/load-policy.js';
import { E2E_LAYOUTS, E2E_TARGET } from '../test-support/notation-layouts.js';
import type { Judgement, Resolution } from './judgement.js';
import { judgementCodec, resolutionCodec } from './judgement.js';
import { KeyedLimiter } from './keyed-limiter.js';
import { ProviderMetrics } from './metrics.js';
import type { EngineSettings, PolicyState } from './provider-engine.js';
import { DEFAULT_ENGINE_SETTINGS, ProviderEngine } from './provider-engine.js';
import { policyFingerprint } from './provider-files.js';
import { silentProviderLogger } from './provider-logger.js';
import { DEFAULT_REQUEST_LIMITS } from './provider-request.js';
import { ResultCache } from './result-cache.js';
import { writeE2ePolicy } from '../test-support/e2e-policy.js';
import { nodeFiles } from './test-support/provider-kit.js';

let layout: string;
let work: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'scs-provider-engine-'));
  layout = path.join(work, 'layout');
  await cp(path.join(E2E_LAYOUTS, 'e2e-valid-signature'), layout, { recursive: true });
});

async function policyState(extra?: { registryScopes: string }): Promise<PolicyState> {
  let file = await writeE2ePolicy(work, { name: 'engine', file: 'engine.yaml' });
  if (extra !== undefined) {
    const { readFile, writeFile } = await import('node:fs/promises');
    file = path.join(work, 'engine-scoped.yaml');
    await writeFile(
      file,
      (await readFile(path.join(work, 'engine.yaml'), 'utf8')).replace('["*"]', extra.registryScopes),
    );
  }
  const clock = (): Date => new Date();
  const loaded = await loadPolicy(file, { reader: nodeFiles, now: clock });
  const verifier = await nodeCliServices({ clock, env: {}, homeDir: work }).policyVerifier(loaded);
  return { policy: loaded, verifier, fingerprint: policyFingerprint(loaded) };
}

/** Every registry serves the signed layout; each store call takes `delayMs` and is counted per host. */
function slowRegistries(delayMs: number) {
  const active = new Map<string, number>();
  const peak = new Map<string, number>();
  let peakTotal = 0;
  let opened = 0;
  const total = (): number => [...active.values()].reduce((a, b) => a + b, 0);
  const openTarget = (reference: string): Promise<OpenedTarget> => {
    opened++;
    const parsed = parseReference(reference);
    const inner = new LayoutStore(layout);
    const host = parsed.registry;
    const store = new Proxy(inner, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          active.set(host, (active.get(host) ?? 0) + 1);
          peak.set(host, Math.max(peak.get(host) ?? 0, active.get(host) ?? 0));
          peakTotal = Math.max(peakTotal, total());
          try {
            await new Promise((resolve) => setTimeout(resolve, delayMs));
            return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          } finally {
            active.set(host, (active.get(host) ?? 1) - 1);
          }
        };
      },
    }) as ArtifactStore;
    return Promise.resolve({
      store,
      repository: `${parsed.registry}/${parsed.repository}`,
      ...(parsed.tag === undefined ? {} : { tag: parsed.tag }),
      ...(parsed.digest === undefined ? {} : { digest: parsed.digest }),
    });
  };
  return { openTarget, peak, peakTotal: () => peakTotal, opened: () => opened };
}

function engine(
  state: PolicyState,
  openTarget: (reference: string) => Promise<OpenedTarget>,
  options: { settings?: Partial<EngineSettings>; registryConcurrency?: number } = {},
) {
  const metrics = new ProviderMetrics();
  const cacheOptions = {
    maxEntries: 100,
    now: Date.now,
    sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    leaseMs: 1_000,
    leaseWaitMs: 1_000,
    pollMs: 10,
  };
  const provider = new ProviderEngine({
    policy: () => state,
    openTarget,
    clock: () => new Date(),
    now: Date.now,
    sleep: cacheOptions.sleep,
    materials: new MaterialCache(),
    decisions: new ResultCache<Judgement>({ ...cacheOptions, namespace: 'd', codec: judgementCodec }),
    tags: new ResultCache<Resolution>({ ...cacheOptions, namespace: 't', codec: resolutionCodec }),
    limiter: new KeyedLimiter(options.registryConcurrency ?? 16),
    metrics,
    logger: silentProviderLogger,
    settings: { ...DEFAULT_ENGINE_SETTINGS, ...options.settings },
    requestLimits: DEFAULT_REQUEST_LIMITS,
  });
  return { provider, metrics };
}

const at = (host: string, repository: string): string => `${host}/${repository}@${E2E_TARGET.digest}`;

describe('the work per registry', () => {
  it('is bounded by the registry concurrency, while another registry’s work goes on', async () => {
    const registries = slowRegistries(20);
    const { provider } = engine(await policyState(), registries.openTarget, { registryConcurrency: 1 });
    const keys = [
      at('registry.example.com', 'a'),
      at('registry.example.com', 'b'),
      at('registry.example.com', 'c'),
      at('other.example.com', 'd'),
    ];
    const answer = await provider.verify(keys, 'trace');
    expect(answer.items.map((i) => i.value?.isSuccess)).toEqual([true, true, true, true]);
    expect(registries.peak.get('registry.example.com')).toBe(1);
    expect(registries.peak.get('other.example.com')).toBe(1);
    expect(registries.peakTotal()).toBe(2);
  });
});

describe('images in flight', () => {
  it('beyond maxPending, a new image gets an error at once instead of queueing', async () => {
    const registries = slowRegistries(200);
    const { provider } = engine(await policyState(), registries.openTarget, {
      settings: { maxPending: 1, budgetMs: 5_000 },
    });
    const first = provider.verify([at('registry.example.com', 'first')], 'one');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = await provider.verify([at('registry.example.com', 'second')], 'two');
    expect(second.items[0]?.error).toBe(
      `the provider is judging 1 images already, so registry.example.com/second@${E2E_TARGET.digest} is denied for now; retry shortly`,
    );
    expect((await first).items[0]?.value?.isSuccess).toBe(true);
  });
});

describe('an image no scope of the policy covers', () => {
  it('is denied without contacting its registry', async () => {
    const registries = slowRegistries(0);
    const state = await policyState({ registryScopes: '["registry.example.com/app"]' });
    const { provider, metrics } = engine(state, registries.openTarget);
    const answer = await provider.verify(
      ['169.254.169.254/latest/meta-data:v1', at('registry.example.com', 'app')],
      't',
    );
    expect(answer.items[0]?.error).toBe(
      'no scope of policy "engine" applies to 169.254.169.254/latest/meta-data, so 169.254.169.254/latest/meta-data:v1 is denied; add the repository to a scope\'s registryScopes',
    );
    expect(answer.items[1]?.value?.isSuccess).toBe(true);
    expect(registries.opened()).toBe(1);
    expect(metrics.decisions.value({ outcome: 'error' })).toBe(1);
    const mutation = await provider.mutate(['169.254.169.254/latest/meta-data:v1'], 't');
    expect(mutation.items[0]?.error).toContain('is not pinned');
    expect(registries.opened()).toBe(1);
  });
});

describe('the budget', () => {
  it('answers a key still being judged with an error, and the next request from the finished work', async () => {
    const registries = slowRegistries(60);
    const { provider, metrics } = engine(await policyState(), registries.openTarget, {
      settings: { budgetMs: 50 },
    });
    const key = at('registry.example.com', 'slow');
    const late = await provider.verify([key], 't');
    expect(late.items[0]?.error).toMatch(/was not judged within the provider's 50 ms budget/);
    let item = late.items[0];
    for (let attempt = 0; attempt < 100 && item?.value === undefined; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      item = (await provider.verify([key], 't')).items[0];
    }
    expect(item?.value?.isSuccess).toBe(true);
    expect(metrics.evaluations.value({ outcome: 'allowed' })).toBe(1);
  });
});
