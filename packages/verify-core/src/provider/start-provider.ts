/**
 * The composition root of the provider: one registry client (credentials, timeouts, request
 * counting), the caches (memory, and Redis when asked), the per-registry limiter, the engine,
 * the file reloader and the HTTPS server, wired once. `scs serve` calls it; tests and the
 * benchmark call it in process.
 */
import type { CredentialProvider, RequestEvent } from '@scs/oci';
import { createRegistryClient, openStore } from '@scs/oci';
import { repositoryOf } from '../cli/node-services.js';
import { MaterialCache } from '../engine/material-cache.js';
import type { OpenedTarget, SignatureVerifier } from '../engine/ports.js';
import { VerifyCoreError } from '../errors.js';
import type { LoadedPolicyWithCertificates } from '../policy/load-policy.js';
import type { Judgement, Resolution } from './judgement.js';
import { judgementCodec, resolutionCodec } from './judgement.js';
import { KeyedLimiter } from './keyed-limiter.js';
import { ProviderMetrics } from './metrics.js';
import type { EngineSettings } from './provider-engine.js';
import { DEFAULT_ENGINE_SETTINGS, ProviderEngine } from './provider-engine.js';
import type { ProviderFileReader, ProviderFiles } from './provider-files.js';
import { ProviderReloader } from './provider-files.js';
import type { ProviderLogger } from './provider-logger.js';
import type { RequestLimits } from './provider-request.js';
import { DEFAULT_REQUEST_LIMITS } from './provider-request.js';
import type { ProviderServer } from './provider-server.js';
import { startProviderServer } from './provider-server.js';
import { authenticatedSharedCache } from './authenticated-shared-cache.js';
import { connectRedisCache, redisEndpoint } from './redis-shared-cache.js';
import type { CacheEvent } from './result-cache.js';
import { ResultCache } from './result-cache.js';
import type { SharedCache } from './shared-cache.js';

export interface ProviderOptions {
  files: ProviderFiles;
  /** Address to listen on (default all interfaces). */
  host: string;
  port: number;
  /** Share the caches between replicas through Redis, entries authenticated with `key`. */
  redis?: { url: string; key: Uint8Array };
  engine: EngineSettings;
  limits: RequestLimits;
  /** Decisions and tag resolutions running at once against one registry. */
  registryConcurrency: number;
  /** How often the files are looked at again (0: only on `reload()`). */
  reloadIntervalMs: number;
  /** How long in-flight requests may take to finish at shutdown. */
  shutdownGraceMs: number;
  registry: {
    /** Speak plain HTTP to these registries (or all): tests and local registries only. */
    plainHttp: boolean | readonly string[];
    /** Extra CA certificates (PEM) for registries with a private CA. */
    caPem?: string;
    /** Bound on one registry request: both its idle time and the whole exchange. */
    requestTimeoutMs: number;
  };
}

export const DEFAULT_PROVIDER_OPTIONS: Omit<ProviderOptions, 'files'> = {
  host: '0.0.0.0',
  port: 8443,
  engine: DEFAULT_ENGINE_SETTINGS,
  limits: DEFAULT_REQUEST_LIMITS,
  registryConcurrency: 16,
  reloadIntervalMs: 10_000,
  shutdownGraceMs: 10_000,
  registry: { plainHttp: false, requestTimeoutMs: 10_000 },
};

export interface ProviderRuntime {
  reader: ProviderFileReader;
  clock: () => Date;
  logger: ProviderLogger;
  /** The verifier of a loaded policy (`CliServices.policyVerifier`). */
  verifierFor: (loaded: LoadedPolicyWithCertificates) => Promise<SignatureVerifier>;
  /** Registry credentials (docker config, Azure workload identity for ACR). */
  credentials?: CredentialProvider;
  /** Connects the shared cache for `redis.url` (default: Redis through ioredis). */
  connectSharedCache?: (url: string) => Promise<SharedCache>;
}

export interface RunningProvider {
  port: number;
  metrics: ProviderMetrics;
  /** Look at the policy and TLS files again now (also done every `reloadIntervalMs`). */
  reload: ProviderReloader['reload'];
  /** Graceful shutdown: not ready, finish what runs (at most the grace period), close. */
  close(): Promise<void>;
}

function counted(metrics: ProviderMetrics): (event: RequestEvent) => void {
  return (event) => {
    metrics.registryRequests.inc();
    if (
      event.error !== undefined ||
      event.status === undefined ||
      event.status === 429 ||
      event.status >= 500
    ) {
      metrics.registryErrors.inc();
    }
  };
}

export async function startProvider(
  options: ProviderOptions,
  runtime: ProviderRuntime,
): Promise<RunningProvider> {
  const { logger } = runtime;
  const metrics = new ProviderMetrics();
  const now = (): number => runtime.clock().getTime();
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

  const reloader = new ProviderReloader({
    files: options.files,
    reader: runtime.reader,
    clock: runtime.clock,
    verifierFor: runtime.verifierFor,
    logger,
    metrics,
  });
  await reloader.load();

  let shared: SharedCache | undefined;
  if (options.redis !== undefined) {
    const connect = runtime.connectSharedCache ?? ((url) => connectRedisCache(url, { logger }));
    let rejectionsLogged = 0;
    const redis = await connect(options.redis.url);
    try {
      shared = authenticatedSharedCache(redis, options.redis.key, () => {
        metrics.sharedCacheRejected.inc();
        // A few lines tell the operator; the counter tells how many.
        if (rejectionsLogged++ < 5) {
          logger.log('warn', 'ignored a shared cache entry whose MAC does not verify', {
            hint: 'written without this provider’s Redis key: a forgery, or a replica with another key',
          });
        }
      });
    } catch (error) {
      await redis.close();
      throw error;
    }
    logger.log('info', 'sharing the caches through Redis', {
      redis: redisEndpoint(options.redis.url),
      authenticated: true,
    });
  }
  const onEvent = (event: CacheEvent, error?: unknown): void => {
    metrics.cache.inc({ event });
    if (event === 'shared-error') {
      logger.log('debug', 'shared cache failed; going on without it', {
        reason: error instanceof Error ? error.message : String(error),
      });
    }
  };
  const cacheOptions = {
    maxEntries: 10_000,
    now,
    sleep,
    leaseMs: options.engine.workTimeoutMs + 5_000,
    leaseWaitMs: options.engine.workTimeoutMs,
    pollMs: 25,
    onEvent,
    ...(shared === undefined ? {} : { shared }),
  };
  const decisions = new ResultCache<Judgement>({
    ...cacheOptions,
    namespace: 'scs:provider:v1:decision',
    codec: judgementCodec,
  });
  const tags = new ResultCache<Resolution>({
    ...cacheOptions,
    namespace: 'scs:provider:v1:tag',
    codec: resolutionCodec,
  });

  const client = createRegistryClient({
    plainHttp: options.registry.plainHttp,
    // Both bounds: the idle one (no byte for this long) and the whole exchange, so a registry that
    // trickles bytes cannot hold a request past the provider's own limit.
    timeoutMs: options.registry.requestTimeoutMs,
    requestTimeoutMs: options.registry.requestTimeoutMs,
    retry: { maxAttempts: 3, maxRetryAfterMs: 2_000 },
    onRequest: counted(metrics),
    ...(options.registry.caPem === undefined ? {} : { ca: options.registry.caPem }),
    ...(runtime.credentials === undefined ? {} : { credentials: runtime.credentials }),
  });
  const openTarget = async (reference: string): Promise<OpenedTarget> => {
    if (reference.startsWith('oci:')) {
      throw new VerifyCoreError('REFERENCE_INVALID', 'the admission provider opens registry references only');
    }
    const opened = await openStore(reference, { client });
    return {
      store: opened.store,
      repository: repositoryOf(reference),
      ...(opened.reference.tag === undefined ? {} : { tag: opened.reference.tag }),
      ...(opened.reference.digest === undefined ? {} : { digest: opened.reference.digest }),
    };
  };

  const engine = new ProviderEngine({
    policy: () => reloader.policy,
    openTarget,
    clock: runtime.clock,
    now,
    sleep,
    materials: new MaterialCache({ referrersTtlMs: Math.min(options.engine.decisionTtlMs, 30_000) }),
    decisions,
    tags,
    limiter: new KeyedLimiter(options.registryConcurrency),
    metrics,
    logger,
    settings: options.engine,
    requestLimits: options.limits,
  });

  let server: ProviderServer;
  try {
    server = await startProviderServer({
      tls: reloader.tls,
      host: options.host,
      port: options.port,
      engine,
      metrics,
      logger,
      limits: options.limits,
      ready: () => reloader.policy !== undefined,
      now,
    });
  } catch (error) {
    await shared?.close();
    const code = (error as { code?: unknown }).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new VerifyCoreError(
        'USAGE',
        `cannot listen on ${options.host}:${options.port} (${code}); choose another --port or --host`,
        { cause: error },
      );
    }
    throw error;
  }
  const running: ProviderServer = server;
  metrics.inflight.track(() => decisions.pending + tags.pending);
  metrics.ready.track(() => (reloader.policy !== undefined && !running.closing ? 1 : 0));
  reloader.onTls = (material) => {
    running.setTls(material);
  };
  if (options.reloadIntervalMs > 0) reloader.start(options.reloadIntervalMs);
  if (reloader.tls.clientCaPem === undefined) {
    logger.log(
      'warn',
      'no --client-ca: any caller that reaches the port is answered; give Gatekeeper’s CA for mutual TLS',
      {},
    );
  }
  logger.log('info', 'serving', {
    port: running.port,
    mutualTls: reloader.tls.clientCaPem !== undefined,
    budgetMs: options.engine.budgetMs,
    sharedCache: shared !== undefined,
  });

  let closed: Promise<void> | undefined;
  return {
    port: running.port,
    metrics,
    reload: () => reloader.reload(),
    close() {
      closed ??= (async () => {
        logger.log('info', 'shutting down', { graceMs: options.shutdownGraceMs });
        reloader.stop();
        await running.close(options.shutdownGraceMs);
        await shared?.close();
        logger.log('info', 'stopped', {});
      })();
      return closed;
    },
  };
}
