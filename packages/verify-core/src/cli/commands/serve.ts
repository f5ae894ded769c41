import { chainCredentials, azureCredentials, dockerConfigCredentials, dockerConfigPath } from '@scs/oci';
import { VerifyCoreError } from '../../errors.js';
import type { LogLevel } from '../../provider/provider-logger.js';
import { jsonLogger } from '../../provider/provider-logger.js';
import type { ServeRuntime } from '../../provider/serve-runtime.js';
import { processServeRuntime } from '../../provider/serve-runtime.js';
import type { ProviderOptions } from '../../provider/start-provider.js';
import { DEFAULT_PROVIDER_OPTIONS, startProvider } from '../../provider/start-provider.js';
import type { RedisSettings } from '../../provider/redis-settings.js';
import { REDIS_KEY_ENV, REDIS_URL_ENV, loadRedisSettings } from '../../provider/redis-settings.js';
import type { CliCommand, CliCommandContext } from '../command.js';
import type { OptionSpec, ParsedCommand } from '../parse-args.js';
import { flag, parseCommandArgs, stringOption } from '../parse-args.js';

export const SERVE_USAGE =
  'scs serve --policy <scs-policy.yaml> --tls-cert <pem> --tls-key <pem> [--client-ca <pem>] [--port 8443]\n' +
  '          [--redis-url-file <file> | --redis <url>] [--redis-key-file <file>]\n' +
  '          [--budget 3s] [--decision-ttl 2m] [--error-ttl 5s] [--tag-ttl 10s]\n' +
  '          [--work-timeout 25s] [--registry-concurrency 16] [--max-keys 1000] [--reload-interval 10s]\n' +
  '          [--host 0.0.0.0] [--log-level info] [--plain-http] [--ca-file <pem>]\n' +
  '  the Gatekeeper external-data provider: POST /verify (decisions), POST /mutate (tag -> digest),\n' +
  '  GET /healthz, /readyz, /metrics; HTTPS (TLS 1.3), mutual TLS with --client-ca; durations as 500ms, 3s, 2m, 1h\n' +
  `  a shared Redis cache (URL from --redis-url-file or ${REDIS_URL_ENV}: a password in --redis shows in the\n` +
  `  process list) needs the key that authenticates its entries: --redis-key-file or ${REDIS_KEY_ENV}, 32 bytes or more`;

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** `500ms`, `3s`, `2m`, `1h` in milliseconds; `0` alone is allowed where it means "off". */
export function parseServeDuration(text: string, option: string, allowZero = false): number {
  if (allowZero && text === '0') return 0;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text);
  const value = match === null ? Number.NaN : Number(match[1]);
  if (match === null || !Number.isFinite(value) || value <= 0) {
    throw new VerifyCoreError(
      'USAGE',
      `--${option} ${text} is not a duration; write it as 500ms, 3s, 2m or 1h${allowZero ? ' (0: off)' : ''}`,
    );
  }
  const unit = match[2] === 'ms' ? 1 : match[2] === 's' ? 1_000 : match[2] === 'm' ? 60_000 : 3_600_000;
  return Math.round(value * unit);
}

function integer(parsed: ParsedCommand, option: string, fallback: number, min: number, max: number): number {
  const text = stringOption(parsed, option);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new VerifyCoreError('USAGE', `--${option} ${text} must be a whole number from ${min} to ${max}`);
  }
  return value;
}

function duration(parsed: ParsedCommand, option: string, fallback: number, allowZero = false): number {
  const text = stringOption(parsed, option);
  return text === undefined ? fallback : parseServeDuration(text, option, allowZero);
}

function required(parsed: ParsedCommand, option: string): string {
  const value = stringOption(parsed, option);
  if (value === undefined) {
    throw new VerifyCoreError('USAGE', `scs serve needs --${option}. Usage: ${SERVE_USAGE}`);
  }
  return value;
}

/**
 * The options of `scs serve`, checked: every mistake is one USAGE error naming the flag. The
 * registry CA and the Redis settings are read beforehand (`--ca-file`, `loadRedisSettings`).
 */
export function serveOptions(
  parsed: ParsedCommand,
  read: { caPem?: string; redis?: RedisSettings } = {},
): ProviderOptions {
  const defaults = DEFAULT_PROVIDER_OPTIONS;
  const { caPem, redis } = read;
  const clientCa = stringOption(parsed, 'client-ca');
  const engine = {
    budgetMs: duration(parsed, 'budget', defaults.engine.budgetMs),
    workTimeoutMs: duration(parsed, 'work-timeout', defaults.engine.workTimeoutMs),
    decisionTtlMs: duration(parsed, 'decision-ttl', defaults.engine.decisionTtlMs, true),
    errorTtlMs: duration(parsed, 'error-ttl', defaults.engine.errorTtlMs, true),
    tagTtlMs: duration(parsed, 'tag-ttl', defaults.engine.tagTtlMs, true),
    maxPending: defaults.engine.maxPending,
  };
  if (engine.workTimeoutMs < engine.budgetMs) {
    throw new VerifyCoreError(
      'USAGE',
      `--work-timeout (${engine.workTimeoutMs} ms) must be at least --budget (${engine.budgetMs} ms)`,
    );
  }
  const host = stringOption(parsed, 'host') ?? defaults.host;
  return {
    files: {
      policy: required(parsed, 'policy'),
      tlsCert: required(parsed, 'tls-cert'),
      tlsKey: required(parsed, 'tls-key'),
      ...(clientCa === undefined ? {} : { clientCa }),
    },
    host,
    port: integer(parsed, 'port', defaults.port, 0, 65_535),
    ...(redis === undefined ? {} : { redis: { url: redis.url, key: redis.key } }),
    engine,
    limits: {
      ...defaults.limits,
      maxKeys: integer(parsed, 'max-keys', defaults.limits.maxKeys, 1, 100_000),
    },
    registryConcurrency: integer(parsed, 'registry-concurrency', defaults.registryConcurrency, 1, 1_024),
    reloadIntervalMs: duration(parsed, 'reload-interval', defaults.reloadIntervalMs, true),
    shutdownGraceMs: duration(parsed, 'shutdown-grace', defaults.shutdownGraceMs),
    registry: {
      plainHttp: flag(parsed, 'plain-http'),
      requestTimeoutMs: Math.min(defaults.registry.requestTimeoutMs, engine.workTimeoutMs),
      ...(caPem === undefined ? {} : { caPem }),
    },
  };
}

export const SERVE_OPTIONS: Record<string, OptionSpec> = {
  policy: { type: 'string', short: 'p' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'client-ca': { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  redis: { type: 'string' },
  'redis-url-file': { type: 'string' },
  'redis-key-file': { type: 'string' },
  budget: { type: 'string' },
  'work-timeout': { type: 'string' },
  'decision-ttl': { type: 'string' },
  'error-ttl': { type: 'string' },
  'tag-ttl': { type: 'string' },
  'registry-concurrency': { type: 'string' },
  'max-keys': { type: 'string' },
  'reload-interval': { type: 'string' },
  'shutdown-grace': { type: 'string' },
  'log-level': { type: 'string' },
  'plain-http': { type: 'boolean' },
  'ca-file': { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
};

/** The arguments of `scs serve` (after the command name), parsed strictly. */
export function parseServeArgs(args: readonly string[]): ParsedCommand {
  return parseCommandArgs('serve', args, SERVE_OPTIONS, { min: 0, max: 0, usage: SERVE_USAGE });
}

/**
 * `scs serve`: runs the provider until SIGTERM/SIGINT (graceful: not ready, in-flight requests
 * finish, then exit 0); SIGHUP reloads the policy and TLS files at once. JSON log lines on
 * stdout. Exit 2 when the configuration is wrong (nothing is served then).
 */
export function serveCommandWith(runtime: () => ServeRuntime): CliCommand {
  return async (args: readonly string[], ctx: CliCommandContext): Promise<number> => {
    const parsed = parseServeArgs(args);
    const level = stringOption(parsed, 'log-level') ?? (flag(parsed, 'verbose') ? 'debug' : 'info');
    if (!(LOG_LEVELS as readonly string[]).includes(level)) {
      throw new VerifyCoreError('USAGE', `--log-level ${level} is not one of ${LOG_LEVELS.join(', ')}`);
    }
    const caFile = stringOption(parsed, 'ca-file');
    let caPem: string | undefined;
    if (caFile !== undefined) {
      try {
        caPem = Buffer.from(await ctx.fs.readFile(caFile)).toString('utf8');
      } catch (error) {
        throw new VerifyCoreError(
          'USAGE',
          `--ca-file ${caFile} cannot be read; give the PEM of the registry's CA`,
          {
            cause: error,
          },
        );
      }
    }
    const { env, homeDir, signals } = runtime();
    const redisUrl = stringOption(parsed, 'redis');
    const redisUrlFile = stringOption(parsed, 'redis-url-file');
    const redisKeyFile = stringOption(parsed, 'redis-key-file');
    const redis = await loadRedisSettings(
      {
        env,
        ...(redisUrl === undefined ? {} : { url: redisUrl }),
        ...(redisUrlFile === undefined ? {} : { urlFile: redisUrlFile }),
        ...(redisKeyFile === undefined ? {} : { keyFile: redisKeyFile }),
      },
      ctx.fs,
    );
    const options = serveOptions(parsed, {
      ...(caPem === undefined ? {} : { caPem }),
      ...(redis === undefined ? {} : { redis }),
    });
    const logger = jsonLogger({
      write: (line) => {
        ctx.out.stdout(line);
      },
      clock: ctx.clock,
      level: level as LogLevel,
    });
    if (redis?.urlSource === '--redis' && new URL(redis.url).password !== '') {
      logger.log(
        'warn',
        `the Redis password given in --redis is visible in the process arguments; give the URL through --redis-url-file or ${REDIS_URL_ENV}`,
        {},
      );
    }
    const provider = await startProvider(options, {
      reader: ctx.fs,
      clock: ctx.clock,
      logger,
      verifierFor: (loaded) => ctx.services.policyVerifier(loaded),
      credentials: chainCredentials([
        dockerConfigCredentials({ config: dockerConfigPath(env, homeDir) }),
        azureCredentials(),
      ]),
    });
    signals.onReload(() => {
      void provider.reload();
    });
    await new Promise<void>((resolve) => {
      signals.onStop(resolve);
    });
    await provider.close();
    return 0;
  };
}

export const serveCommand: CliCommand = serveCommandWith(processServeRuntime);
