/**
 * Where `scs serve` takes its shared cache from: the Redis URL (`--redis`, `--redis-url-file` or
 * `SCS_REDIS_URL`) and the key that authenticates the cache entries (`--redis-key-file` or
 * `SCS_REDIS_KEY`), read and checked before anything is served. A URL without a key is refused:
 * without it, whoever can write to Redis could forge an "allowed". Neither the URL (it may carry
 * the password) nor the key ever appears in a message.
 */
import { VerifyCoreError } from '../errors.js';
import { MIN_CACHE_KEY_BYTES } from './authenticated-shared-cache.js';
import type { ProviderFileReader } from './provider-files.js';
import { checkRedisUrl } from './redis-shared-cache.js';

export const REDIS_URL_ENV = 'SCS_REDIS_URL';
export const REDIS_KEY_ENV = 'SCS_REDIS_KEY';

export interface RedisSettings {
  url: string;
  /** Authenticates the entries (HMAC-SHA256); the same on every replica. */
  key: Uint8Array;
  /** Where the URL came from (`--redis`, `--redis-url-file <file>` or `SCS_REDIS_URL`). */
  urlSource: string;
}

export interface RedisSources {
  /** `--redis <url>` (shows in the process arguments). */
  url?: string;
  /** `--redis-url-file <file>`. */
  urlFile?: string;
  /** `--redis-key-file <file>`. */
  keyFile?: string;
  env: Readonly<Record<string, string | undefined>>;
}

const KEY_FIX = `give the same key of at least ${MIN_CACHE_KEY_BYTES} bytes to every replica with --redis-key-file <file> or ${REDIS_KEY_ENV} (e.g. openssl rand -base64 48 > redis-cache.key, kept in a Secret)`;

function usage(message: string): VerifyCoreError {
  return new VerifyCoreError('USAGE', message);
}

/** At most one of the given sources; undefined when none. */
function single<T extends { source: string }>(
  what: string,
  given: readonly (T | undefined)[],
): T | undefined {
  const present = given.filter((g): g is T => g !== undefined);
  if (present.length > 1) {
    throw usage(
      `the ${what} is given more than once (${present.map((p) => p.source).join(', ')}); give it once`,
    );
  }
  return present[0];
}

async function readSecretFile(reader: ProviderFileReader, file: string, flag: string): Promise<Uint8Array> {
  try {
    return await reader.readFile(file);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const why = code === 'ENOENT' ? 'does not exist' : 'cannot be read';
    throw new VerifyCoreError('USAGE', `${flag} ${file} ${why}; check the path and its permissions`, {
      cause: error,
    });
  }
}

/** The bytes without trailing white space (the newline an editor or `echo` adds). */
function trimEnd(bytes: Uint8Array): Uint8Array {
  let end = bytes.length;
  while (end > 0 && [0x20, 0x09, 0x0a, 0x0d].includes(bytes[end - 1] ?? 0)) end--;
  return bytes.subarray(0, end);
}

const nonEmpty = (value: string | undefined): string | undefined =>
  value === undefined || value === '' ? undefined : value;

/**
 * The Redis settings of `sources`, or undefined when no Redis URL is given. Every mistake is one
 * USAGE error naming the source and the fix: a URL given twice, an unreadable or empty file, a
 * URL that is not `redis://` / `rediss://`, no key, a key shorter than 32 bytes, a key without a
 * URL.
 */
export async function loadRedisSettings(
  sources: RedisSources,
  reader: ProviderFileReader,
): Promise<RedisSettings | undefined> {
  const urlSource = single<{ source: string; read: () => Promise<string | undefined> }>('Redis URL', [
    sources.url === undefined ? undefined : { source: '--redis', read: () => Promise.resolve(sources.url) },
    sources.urlFile === undefined
      ? undefined
      : {
          source: `--redis-url-file ${sources.urlFile}`,
          read: async () =>
            Buffer.from(
              trimEnd(await readSecretFile(reader, sources.urlFile ?? '', '--redis-url-file')),
            ).toString('utf8'),
        },
    nonEmpty(sources.env[REDIS_URL_ENV]) === undefined
      ? undefined
      : { source: REDIS_URL_ENV, read: () => Promise.resolve(sources.env[REDIS_URL_ENV]) },
  ]);
  const keySource = single<{ source: string; read: () => Promise<Uint8Array> }>('Redis cache key', [
    sources.keyFile === undefined
      ? undefined
      : {
          source: `--redis-key-file ${sources.keyFile}`,
          read: async () => trimEnd(await readSecretFile(reader, sources.keyFile ?? '', '--redis-key-file')),
        },
    nonEmpty(sources.env[REDIS_KEY_ENV]) === undefined
      ? undefined
      : {
          source: REDIS_KEY_ENV,
          read: () => Promise.resolve(trimEnd(Buffer.from(sources.env[REDIS_KEY_ENV] ?? '', 'utf8'))),
        },
  ]);
  if (urlSource === undefined) {
    if (keySource !== undefined) {
      throw usage(
        `a Redis cache key is given (${keySource.source}) but no Redis URL; give --redis-url-file <file> or ${REDIS_URL_ENV} (or --redis), or drop the key`,
      );
    }
    return undefined;
  }
  const url = (await urlSource.read()) ?? '';
  if (url === '') throw usage(`${urlSource.source} holds no Redis URL; write redis://host:6379 into it`);
  checkRedisUrl(url, urlSource.source);
  if (keySource === undefined) {
    throw usage(
      `a shared Redis cache needs a key that authenticates its entries (without one, whoever can write to Redis could forge an "allowed"): ${KEY_FIX}`,
    );
  }
  const key = await keySource.read();
  if (key.length < MIN_CACHE_KEY_BYTES) {
    throw usage(
      `${keySource.source} holds ${key.length} bytes, too short for the Redis cache key: ${KEY_FIX}`,
    );
  }
  return { url, key: Uint8Array.from(key), urlSource: urlSource.source };
}
