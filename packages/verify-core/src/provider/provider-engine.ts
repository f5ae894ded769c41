/**
 * The provider's work for one request: every key judged (once per distinct key, once per
 * distinct image across concurrent requests and replicas, cached), answered inside the budget.
 * The decision itself is `evaluate()` — the same one `scs verify` makes — over the image pinned
 * by digest, so a cached decision is bound to the digest it judged and a moved tag is judged
 * again.
 */
import type { ArtifactStore, Descriptor, Reference } from '@scs/oci';
import { evaluate } from '../engine/evaluate.js';
import type { MaterialCache } from '../engine/material-cache.js';
import type { SignatureVerifier, TargetOpener } from '../engine/ports.js';
import { selectScope } from '../policy/registry-scope.js';
import type { LoadedPolicy } from '../policy/types.js';
import type { RatifyResponse } from '../render/render-ratify.js';
import type { Judgement, Resolution } from './judgement.js';
import { judgementOf } from './judgement.js';
import type { KeyedLimiter } from './keyed-limiter.js';
import type { ProviderMetrics } from './metrics.js';
import type { ProviderLogger } from './provider-logger.js';
import type { ProviderKey, RequestLimits } from './provider-request.js';
import { parseProviderKey } from './provider-request.js';
import type { ResultCache } from './result-cache.js';

/** The policy the provider judges under, with its verifier (replaced whole on reload). */
export interface PolicyState {
  policy: LoadedPolicy;
  verifier: SignatureVerifier;
  /**
   * Names this policy and its trust material (the policy digest covers the file only, not the
   * certificate files it names): decisions are cached under it, so a changed policy or trust
   * store never reuses a decision made under the old one.
   */
  fingerprint: string;
}

export interface EngineSettings {
  /** Answer within this many ms of receiving the request; unfinished keys then get an error. */
  budgetMs: number;
  /** Longest one decision may take (it goes on after the budget, to be cached for the next request). */
  workTimeoutMs: number;
  /** How long a verdict is reused (it is bound to a digest; new referrers show after this). */
  decisionTtlMs: number;
  /** How long an error is reused (short: a registry hiccup should not deny for long). */
  errorTtlMs: number;
  /** How long a tag's digest is reused (a moved tag is seen after this). */
  tagTtlMs: number;
  /** Decisions computed at once, beyond which new images get an error at once. */
  maxPending: number;
}

export const DEFAULT_ENGINE_SETTINGS: EngineSettings = {
  budgetMs: 3_000,
  workTimeoutMs: 25_000,
  decisionTtlMs: 120_000,
  errorTtlMs: 5_000,
  tagTtlMs: 10_000,
  maxPending: 512,
};

export interface ProviderEngineDeps {
  /** The current policy; undefined until one is loaded. */
  policy: () => PolicyState | undefined;
  /** Opens a registry reference on its store. */
  openTarget: TargetOpener;
  /** The decisions' "now". */
  clock: () => Date;
  /** Milliseconds since the epoch, for durations. */
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  materials: MaterialCache;
  decisions: ResultCache<Judgement>;
  tags: ResultCache<Resolution>;
  /** Bounds the work per registry host. */
  limiter: KeyedLimiter;
  metrics: ProviderMetrics;
  logger: ProviderLogger;
  settings: EngineSettings;
  requestLimits: RequestLimits;
}

/** A /verify item: the verdict in Ratify's result shape, or why the image could not be judged. */
export interface VerifyItem {
  key: string;
  value?: RatifyResponse;
  error?: string;
}

/** A /mutate item: the image pinned by digest, as a string. */
export interface MutationItem {
  key: string;
  value?: string;
  error?: string;
}

export interface EngineAnswer<Item> {
  items: Item[];
  /** Set when no key could be judged (no policy loaded). */
  systemError?: string;
}

const LATE = Symbol('late');

/** `store`, answering `resolve(descriptor.digest)` with `descriptor` without a request. */
function knowing(store: ArtifactStore, descriptor: Descriptor): ArtifactStore {
  return new Proxy(store, {
    get(target, property) {
      if (property === 'resolve') {
        return (tagOrDigest: string, options?: { signal?: AbortSignal }) =>
          tagOrDigest === descriptor.digest
            ? Promise.resolve(descriptor)
            : target.resolve(tagOrDigest, options);
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class ProviderEngine {
  constructor(private readonly deps: ProviderEngineDeps) {}

  /** `POST /verify`: one item per key, in the request's order, each with a value or an error. */
  async verify(keys: readonly string[], traceId: string): Promise<EngineAnswer<VerifyItem>> {
    const state = this.deps.policy();
    if (state === undefined) {
      return { items: [], systemError: 'the provider has no valid policy loaded yet; see its logs' };
    }
    const answers = await this.withinBudget(keys, (key) => this.judge(key, state));
    const items = keys.map((key): VerifyItem => {
      const answer = answers.get(key);
      if (answer === undefined || answer === LATE) {
        this.deps.metrics.decisions.inc({ outcome: 'error' });
        return { key, error: this.lateMessage(key) };
      }
      this.deps.metrics.decisions.inc({
        outcome: answer.kind === 'error' ? 'error' : answer.allowed ? 'allowed' : 'denied',
      });
      return answer.kind === 'error' ? { key, error: answer.error } : { key, value: answer.value };
    });
    for (const item of items) {
      this.deps.logger.log('info', 'verify', {
        traceId,
        key: item.key,
        outcome: item.error !== undefined ? 'error' : item.value?.isSuccess === true ? 'allowed' : 'denied',
        ...(item.error !== undefined
          ? { reason: item.error }
          : item.value?.isSuccess === true
            ? {}
            : {
                reason: (item.value?.verifierReports ?? [])
                  .filter((r) => !r.isSuccess)
                  .map((r) => r.message)
                  .join('; '),
              }),
      });
    }
    return { items };
  }

  /** `POST /mutate`: each image pinned by the digest its tag names now (`name:tag@sha256:…`). */
  async mutate(keys: readonly string[], traceId: string): Promise<EngineAnswer<MutationItem>> {
    const answers = await this.withinBudget(keys, (key) => this.pin(key));
    const items = keys.map((key): MutationItem => {
      const answer = answers.get(key);
      if (answer === undefined || answer === LATE) {
        this.deps.metrics.mutations.inc({ outcome: 'error' });
        return { key, error: this.lateMessage(key) };
      }
      this.deps.metrics.mutations.inc({
        outcome: answer.kind === 'error' ? 'error' : answer.value === key ? 'unchanged' : 'pinned',
      });
      return answer.kind === 'error' ? { key, error: answer.error } : { key, value: answer.value };
    });
    const errors = items.filter((i) => i.error !== undefined).length;
    this.deps.logger.log('info', 'mutate', { traceId, keys: keys.length, errors });
    return { items };
  }

  private lateMessage(key: string): string {
    this.deps.metrics.deadlineExceeded.inc();
    return `${key} was not judged within the provider's ${this.deps.settings.budgetMs} ms budget (a registry is slow or unreachable), so it is denied; the verification goes on and a retry in a few seconds may be answered from the cache`;
  }

  /** Each distinct key's answer, or LATE for those not done when the budget runs out. */
  private async withinBudget<T>(
    keys: readonly string[],
    work: (key: string) => Promise<T>,
  ): Promise<Map<string, T | typeof LATE>> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<typeof LATE>((resolve) => {
      timer = setTimeout(() => {
        resolve(LATE);
      }, this.deps.settings.budgetMs);
    });
    try {
      const distinct = [...new Set(keys)];
      const answers = await Promise.all(
        distinct.map(async (key) => [key, await Promise.race([work(key), late])] as const),
      );
      return new Map(answers);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The judgement of one key under the policy. Never throws. */
  private async judge(key: string, state: PolicyState): Promise<Judgement> {
    try {
      const parsed = parseProviderKey(key, this.deps.requestLimits);
      if ('error' in parsed) return { kind: 'error', error: `${key} cannot be judged: ${parsed.error}` };
      const { reference } = parsed;
      const repository = `${reference.registry}/${reference.repository}`;
      const policy = state.policy.policy;
      if (selectScope(policy, repository) === undefined) {
        // Denied without contacting a registry the policy does not name.
        return {
          kind: 'error',
          error: `no scope of policy "${policy.metadata.name}" applies to ${repository}, so ${parsed.image} is denied; add the repository to a scope's registryScopes`,
        };
      }
      if (reference.digest !== undefined) {
        return await this.decide(`${repository}@${reference.digest}`, reference.registry, state);
      }
      const resolved = await this.resolve(parsed);
      if (!('digest' in resolved)) return resolved;
      return await this.decide(`${repository}@${resolved.digest}`, reference.registry, state, resolved);
    } catch (error) {
      return { kind: 'error', error: `${key} could not be judged: ${messageOf(error)}` };
    }
  }

  /** The manifest a tag names now (cached `tagTtlMs`), or the error to answer. */
  private async resolve(key: ProviderKey): Promise<Descriptor | Extract<Judgement, { kind: 'error' }>> {
    const { reference } = key;
    const tag = reference.tag ?? 'latest';
    const named = `${reference.registry}/${reference.repository}:${tag}`;
    const resolution = await this.deps.tags.get(
      named,
      () => this.resolveNow(named, reference, tag),
      (r) => (r.kind === 'digest' ? this.deps.settings.tagTtlMs : this.deps.settings.errorTtlMs),
    );
    return resolution.kind === 'digest'
      ? { digest: resolution.digest, mediaType: resolution.mediaType, size: resolution.size }
      : { kind: 'error', error: `${key.image} cannot be resolved: ${resolution.error}` };
  }

  private async resolveNow(named: string, reference: Reference, tag: string): Promise<Resolution> {
    try {
      const descriptor = await this.deps.limiter.run(reference.registry, async () =>
        this.bounded(
          (async () => {
            const target = await this.deps.openTarget(named);
            return target.store.resolve(tag);
          })(),
          `resolving ${named}`,
        ),
      );
      return {
        kind: 'digest',
        digest: descriptor.digest,
        mediaType: descriptor.mediaType,
        size: descriptor.size,
      };
    } catch (error) {
      return { kind: 'error', error: messageOf(error) };
    }
  }

  /** Rejects when `promise` takes longer than the work timeout. */
  private async bounded<T>(promise: Promise<T>, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`${what} took longer than ${this.deps.settings.workTimeoutMs} ms`));
      }, this.deps.settings.workTimeoutMs);
    });
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The judgement of an image pinned by digest under the policy (cached, single flight). */
  private async decide(
    pinned: string,
    registry: string,
    state: PolicyState,
    resolved?: Descriptor,
  ): Promise<Judgement> {
    const cacheKey = `${state.fingerprint}|${pinned}`;
    const { decisions, settings } = this.deps;
    if (
      decisions.peek(cacheKey) === undefined &&
      !decisions.computing(cacheKey) &&
      decisions.pending >= settings.maxPending
    ) {
      return {
        kind: 'error',
        error: `the provider is judging ${decisions.pending} images already, so ${pinned} is denied for now; retry shortly`,
      };
    }
    return decisions.get(
      cacheKey,
      () => this.evaluateNow(pinned, registry, state, resolved),
      (j) => (j.kind === 'error' ? settings.errorTtlMs : settings.decisionTtlMs),
    );
  }

  private async evaluateNow(
    pinned: string,
    registry: string,
    state: PolicyState,
    resolved?: Descriptor,
  ): Promise<Judgement> {
    const { metrics, logger } = this.deps;
    const started = this.deps.now();
    // The tag was just resolved: the registry's description of that digest is reused rather
    // than asked again (what is fetched by it is still checked against the digest).
    const openTarget: TargetOpener =
      resolved === undefined
        ? this.deps.openTarget
        : async (reference) => {
            const target = await this.deps.openTarget(reference);
            return reference === pinned ? { ...target, store: knowing(target.store, resolved) } : target;
          };
    const decision = await this.deps.limiter.run(registry, () =>
      evaluate(pinned, {
        policy: state.policy,
        verifier: state.verifier,
        openTarget,
        clock: this.deps.clock,
        cache: this.deps.materials,
        timeoutMs: this.deps.settings.workTimeoutMs,
        logger: {
          debug: (message) => {
            logger.log('debug', message, { image: pinned });
          },
          info: (message) => {
            logger.log('debug', message, { image: pinned });
          },
          warn: (message) => {
            logger.log('warn', message, { image: pinned });
          },
        },
      }),
    );
    const judgement = judgementOf(decision);
    const seconds = (this.deps.now() - started) / 1000;
    metrics.evaluationDuration.observe(seconds);
    metrics.evaluations.inc({
      outcome: judgement.kind === 'error' ? 'error' : judgement.allowed ? 'allowed' : 'denied',
    });
    return judgement;
  }

  /** The image of a key pinned by digest; unchanged when it already names one (idempotent). */
  private async pin(
    key: string,
  ): Promise<{ kind: 'value'; value: string } | { kind: 'error'; error: string }> {
    try {
      const parsed = parseProviderKey(key, this.deps.requestLimits);
      if ('error' in parsed) return { kind: 'error', error: `${key} cannot be pinned: ${parsed.error}` };
      if (parsed.reference.digest !== undefined) return { kind: 'value', value: parsed.image };
      const repository = `${parsed.reference.registry}/${parsed.reference.repository}`;
      const policy = this.deps.policy()?.policy.policy;
      if (policy !== undefined && selectScope(policy, repository) === undefined) {
        // The provider contacts only the registries its policy names.
        return {
          kind: 'error',
          error: `no scope of policy "${policy.metadata.name}" applies to ${repository}, so ${parsed.image} is not pinned`,
        };
      }
      const resolved = await this.resolve(parsed);
      if (!('digest' in resolved)) return resolved;
      return { kind: 'value', value: `${parsed.image}@${resolved.digest}` };
    } catch (error) {
      return { kind: 'error', error: `${key} could not be pinned: ${messageOf(error)}` };
    }
  }
}
