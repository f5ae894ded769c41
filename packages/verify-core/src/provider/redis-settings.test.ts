import { describe, expect, it } from 'vitest';
import { VerifyCoreError } from '../errors.js';
import { rejectionOf } from '../test-support/thrown.js';
import type { RedisSources } from './redis-settings.js';
import { loadRedisSettings } from './redis-settings.js';

const KEY = 'Zm9yLXRoZS10ZXN0cy1vbmx5LWEtcmVkaXMta2V5LW9mLTQ4LWJ5dGVz';
const URL_WITH_PASSWORD = 'redis://:hunter2-redis-password@redis.gatekeeper-system.svc:6379/0';

/** Files as a plain object; a missing one fails like the file system does. */
function files(contents: Record<string, string>) {
  return {
    readFile(file: string): Promise<Uint8Array> {
      const text = contents[file];
      if (text === undefined) {
        return Promise.reject(Object.assign(new Error(`ENOENT: ${file}`), { code: 'ENOENT' }));
      }
      return Promise.resolve(new Uint8Array(Buffer.from(text, 'utf8')));
    },
  };
}

const reader = files({
  '/etc/scs/redis/url': `${URL_WITH_PASSWORD}\n`,
  '/etc/scs/redis/key': `${KEY}\n`,
  '/etc/scs/redis/short-key': 'too-short\n',
  '/etc/scs/redis/empty': '\n',
});

async function refused(sources: Partial<RedisSources>): Promise<VerifyCoreError> {
  const error = await rejectionOf(VerifyCoreError, loadRedisSettings({ env: {}, ...sources }, reader));
  expect(error.code).toBe('USAGE');
  for (const secret of ['hunter2-redis-password', KEY]) expect(error.message).not.toContain(secret);
  return error;
}

describe('the Redis settings of scs serve', () => {
  it('are absent when no Redis URL is given', async () => {
    expect(await loadRedisSettings({ env: {} }, reader)).toBeUndefined();
  });

  it.each<[string, Partial<RedisSources>, string]>([
    [
      'a URL file and a key file',
      { urlFile: '/etc/scs/redis/url', keyFile: '/etc/scs/redis/key' },
      '--redis-url-file /etc/scs/redis/url',
    ],
    ['the environment', { env: { SCS_REDIS_URL: URL_WITH_PASSWORD, SCS_REDIS_KEY: KEY } }, 'SCS_REDIS_URL'],
    ['--redis and a key file', { url: URL_WITH_PASSWORD, keyFile: '/etc/scs/redis/key' }, '--redis'],
  ])('are read from %s (trailing newlines dropped)', async (_what, sources, urlSource) => {
    const settings = await loadRedisSettings({ env: {}, ...sources }, reader);
    expect(settings?.url).toBe(URL_WITH_PASSWORD);
    expect(Buffer.from(settings?.key ?? []).toString('utf8')).toBe(KEY);
    expect(settings?.urlSource).toBe(urlSource);
  });

  it.each<[string, Partial<RedisSources>, RegExp]>([
    [
      'a URL without a key',
      { url: URL_WITH_PASSWORD },
      /^a shared Redis cache needs a key that authenticates its entries \(without one, whoever can write to Redis could forge an "allowed"\): give the same key of at least 32 bytes to every replica with --redis-key-file <file> or SCS_REDIS_KEY/,
    ],
    [
      'a URL in the environment without a key',
      { env: { SCS_REDIS_URL: URL_WITH_PASSWORD } },
      /^a shared Redis cache needs a key/,
    ],
    [
      'a key shorter than 32 bytes',
      { url: URL_WITH_PASSWORD, keyFile: '/etc/scs/redis/short-key' },
      /^--redis-key-file \/etc\/scs\/redis\/short-key holds 9 bytes, too short for the Redis cache key: give the same key/,
    ],
    [
      'a short key in the environment',
      { url: URL_WITH_PASSWORD, env: { SCS_REDIS_KEY: 'abc' } },
      /^SCS_REDIS_KEY holds 3 bytes, too short/,
    ],
    [
      'a key file that does not exist',
      { url: URL_WITH_PASSWORD, keyFile: '/nowhere/key' },
      /^--redis-key-file \/nowhere\/key does not exist; check the path and its permissions$/,
    ],
    [
      'a URL given twice',
      { url: URL_WITH_PASSWORD, env: { SCS_REDIS_URL: URL_WITH_PASSWORD, SCS_REDIS_KEY: KEY } },
      /^the Redis URL is given more than once \(--redis, SCS_REDIS_URL\); give it once$/,
    ],
    [
      'a key given twice',
      { url: URL_WITH_PASSWORD, keyFile: '/etc/scs/redis/key', env: { SCS_REDIS_KEY: KEY } },
      /^the Redis cache key is given more than once \(--redis-key-file \/etc\/scs\/redis\/key, SCS_REDIS_KEY\); give it once$/,
    ],
    [
      'a key without a URL',
      { keyFile: '/etc/scs/redis/key' },
      /^a Redis cache key is given \(--redis-key-file \/etc\/scs\/redis\/key\) but no Redis URL; give --redis-url-file <file> or SCS_REDIS_URL/,
    ],
    [
      'an empty URL file',
      { urlFile: '/etc/scs/redis/empty', keyFile: '/etc/scs/redis/key' },
      /^--redis-url-file \/etc\/scs\/redis\/empty holds no Redis URL/,
    ],
    [
      'a URL of another scheme in the environment',
      { env: { SCS_REDIS_URL: 'https://:hunter2-redis-password@cache:6379', SCS_REDIS_KEY: KEY } },
      /^SCS_REDIS_URL must be redis:\/\/host:port or rediss:\/\/host:port, got a https: URL$/,
    ],
    [
      'a URL file that holds no URL',
      { urlFile: '/etc/scs/redis/key', keyFile: '/etc/scs/redis/key' },
      /^--redis-url-file \/etc\/scs\/redis\/key is not a URL; write redis:\/\/\[:password@\]host:6379/,
    ],
  ])(
    'refuse %s with one usage error that never shows the password or the key',
    async (_what, sources, message) => {
      expect((await refused(sources)).message).toMatch(message);
    },
  );
});
