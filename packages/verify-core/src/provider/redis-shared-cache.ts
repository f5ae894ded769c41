/**
 * The shared cache tier over Redis (ioredis): `GET`, `SET … PX`, leases with `SET … NX PX`.
 * Fails fast rather than queueing when Redis is away (every command bounded by
 * `commandTimeoutMs`), so a Redis outage costs each lookup a few milliseconds and the provider
 * goes on with its memory tier; the client reconnects in the background.
 *
 * The entries are authenticated above this tier (`authenticated-shared-cache.ts`: an HMAC with
 * the provider's key), so whoever can write to this Redis cannot forge answers; still give it a
 * Redis that only the provider replicas reach (a password, `rediss://` for TLS, a
 * NetworkPolicy). The URL is never logged (it may carry the password).
 */
import type { Redis as RedisClient } from 'ioredis';
import { VerifyCoreError } from '../errors.js';
import type { ProviderLogger } from './provider-logger.js';
import type { SharedCache } from './shared-cache.js';

export interface RedisCacheOptions {
  /** Bound of each command (default 250 ms). */
  commandTimeoutMs?: number;
  /** How long to wait for the first connection before going on without it (default 2 s). */
  connectWaitMs?: number;
  logger: ProviderLogger;
}

/** `host:port` of a Redis URL, for logs and messages (no user, no password). */
export function redisEndpoint(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return '(an unparsable URL)';
  }
}

/**
 * Check a Redis URL without connecting: `redis://` or `rediss://`, with a host. `source` names
 * where it came from (`--redis`, `--redis-url-file <file>`, `SCS_REDIS_URL`); the URL itself is
 * never quoted (it may carry the password).
 */
export function checkRedisUrl(url: string, source = '--redis'): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new VerifyCoreError(
      'USAGE',
      `${source} is not a URL; write redis://[:password@]host:6379[/db] or rediss:// for TLS`,
    );
  }
  if ((parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') || parsed.hostname === '') {
    throw new VerifyCoreError(
      'USAGE',
      `${source} must be redis://host:port or rediss://host:port, got a ${parsed.protocol} URL`,
    );
  }
}

export async function connectRedisCache(url: string, options: RedisCacheOptions): Promise<SharedCache> {
  checkRedisUrl(url);
  const { Redis } = await import('ioredis');
  const endpoint = redisEndpoint(url);
  const client: RedisClient = new Redis(url, {
    commandTimeout: options.commandTimeoutMs ?? 250,
    connectTimeout: 2_000,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    lazyConnect: true,
    retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2_000),
  });
  let lastState = '';
  const state = (next: string, reason?: string): void => {
    if (next === lastState) return;
    lastState = next;
    options.logger.log(next === 'ready' ? 'info' : 'warn', `shared cache ${next}`, {
      redis: endpoint,
      ...(reason === undefined ? {} : { reason }),
    });
  };
  client.on('ready', () => {
    state('ready');
  });
  client.on('error', (error: Error) => {
    state('unavailable', error.message);
  });
  const connectWaitMs = options.connectWaitMs ?? 2_000;
  await Promise.race([
    client.connect().catch((error: unknown) => {
      state('unavailable', error instanceof Error ? error.message : String(error));
    }),
    new Promise((resolve) => setTimeout(resolve, connectWaitMs).unref()),
  ]);

  return {
    async get(key) {
      const value = await client.get(key);
      return value ?? undefined;
    },
    async set(key, value, ttlMs) {
      await client.set(key, value, 'PX', Math.max(1, Math.round(ttlMs)));
    },
    async lease(key, ttlMs) {
      const taken = await client.set(key, '1', 'PX', Math.max(1, Math.round(ttlMs)), 'NX');
      return taken === 'OK';
    },
    async release(key) {
      await client.del(key);
    },
    async close() {
      try {
        await client.quit();
      } catch {
        client.disconnect();
      }
    },
  };
}
