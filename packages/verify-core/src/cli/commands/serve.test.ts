import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ServeRuntime } from '../../provider/serve-runtime.js';
import { writeE2ePolicy } from '../../test-support/e2e-policy.js';
import { httpsRequest, providerPki } from '../../provider/test-support/provider-kit.js';
import type { CliCommandContext } from '../command.js';
import { memoryOutput, nodeFileSystem } from '../node-io.js';
import { nodeCliServices } from '../node-services.js';
import { runCli } from '../run-cli.js';
import { SCS_PROVIDER } from '../../bundle/bundle-options.js';
import { REDIS_SECRET_KEYS } from '../../bundle/scs-provider-objects.js';
import { sampleProviderObjects } from '../../bundle/test-support/bundle-fixtures.js';
import { loadRedisSettings } from '../../provider/redis-settings.js';
import { SERVE_USAGE, parseServeArgs, parseServeDuration, serveCommandWith, serveOptions } from './serve.js';

let pki: Awaited<ReturnType<typeof providerPki>>;
let work: string;
let policyFile: string;

beforeAll(async () => {
  pki = await providerPki();
  work = await mkdtemp(path.join(os.tmpdir(), 'scs-serve-cli-'));
  policyFile = await writeE2ePolicy(work, { name: 'cli', file: 'cli.yaml' });
});

function testRuntime(): ServeRuntime & { stop: () => void; reload: () => void } {
  let stop: () => void = () => undefined;
  let reload: () => void = () => undefined;
  return {
    env: {},
    homeDir: work,
    signals: {
      onStop: (handler) => (stop = handler),
      onReload: (handler) => (reload = handler),
    },
    stop: () => {
      stop();
    },
    reload: () => {
      reload();
    },
  };
}

function run(args: string[], runtime = testRuntime()) {
  const clock = (): Date => new Date();
  const ctx: CliCommandContext & { out: ReturnType<typeof memoryOutput> } = {
    out: memoryOutput(),
    fs: nodeFileSystem,
    clock,
    cwd: work,
    services: nodeCliServices({ clock, env: {}, homeDir: work }),
    verbose: false,
  };
  const status = runCli(['serve', ...args], ctx, {
    serve: { run: serveCommandWith(() => runtime), usage: SERVE_USAGE, summary: 'serve' },
  });
  return { status, out: ctx.out, runtime };
}

const tlsArgs = () => ['--tls-cert', pki.serverCertFile, '--tls-key', pki.serverKeyFile];
/** The policy, the TLS files, and a loopback port. */
const servingArgs = (port: string) => [
  '--policy',
  policyFile,
  ...tlsArgs(),
  '--host',
  '127.0.0.1',
  '--port',
  port,
];

describe('scs serve with a wrong configuration', () => {
  it.each([
    ['no --policy', () => [...tlsArgs()], 'error: scs serve needs --policy.'],
    [
      'a duration without unit',
      () => ['--policy', policyFile, ...tlsArgs(), '--budget', '3'],
      'error: --budget 3 is not a duration; write it as 500ms, 3s, 2m or 1h',
    ],
    [
      'a work timeout below the budget',
      () => ['--policy', policyFile, ...tlsArgs(), '--budget', '5s', '--work-timeout', '2s'],
      'error: --work-timeout (2000 ms) must be at least --budget (5000 ms)',
    ],
    [
      'a port out of range',
      () => ['--policy', policyFile, ...tlsArgs(), '--port', '70000'],
      'error: --port 70000 must be a whole number from 0 to 65535',
    ],
    [
      'a Redis URL of another scheme',
      () => ['--policy', policyFile, ...tlsArgs(), '--redis', 'http://cache:6379'],
      'error: --redis must be redis://host:port or rediss://host:port, got a http: URL',
    ],
    [
      'a Redis URL without the key that authenticates its entries',
      () => ['--policy', policyFile, ...tlsArgs(), '--redis', 'redis://cache:6379'],
      'error: a shared Redis cache needs a key that authenticates its entries (without one, whoever can write to Redis could forge an "allowed"): give the same key of at least 32 bytes to every replica with --redis-key-file <file> or SCS_REDIS_KEY',
    ],
    [
      'a Redis key file without a Redis URL',
      () => ['--policy', policyFile, ...tlsArgs(), '--redis-key-file', policyFile],
      'but no Redis URL; give --redis-url-file <file> or SCS_REDIS_URL (or --redis), or drop the key',
    ],
    [
      'an unknown log level',
      () => ['--policy', policyFile, ...tlsArgs(), '--log-level', 'loud'],
      'error: --log-level loud is not one of debug, info, warn, error',
    ],
    [
      'a key that is not the certificate’s',
      () => ['--policy', policyFile, '--tls-cert', pki.serverCertFile, '--tls-key', pki.caCertFile],
      'error: --tls-key',
    ],
    ['a positional argument', () => ['extra'], 'error: scs serve has unexpected arguments: extra.'],
  ])('exits 2 on %s, saying what to fix, and serves nothing', async (_what, args, message) => {
    const { status, out } = run(args());
    expect(await status).toBe(2);
    expect(out.err).toContain(message);
    expect(out.out).toBe('');
  });

  it('exits 2 on a Redis URL in the environment without a key, never printing the URL', async () => {
    const runtime = { ...testRuntime(), env: { SCS_REDIS_URL: 'redis://:pw-7c1e@cache:6379' } };
    const { status, out } = run(['--policy', policyFile, ...tlsArgs()], runtime);
    expect(await status).toBe(2);
    expect(out.err).toContain('error: a shared Redis cache needs a key that authenticates its entries');
    expect(out.err + out.out).not.toContain('pw-7c1e');
  });

  it('exits 2 on an invalid policy, with the policy problem and its fix', async () => {
    const bad = path.join(work, 'bad.yaml');
    await writeFile(
      bad,
      'apiVersion: scs.dev/v1alpha1\nkind: SupplyChainPolicy\nmetadata: { name: bad }\nspec: { scopes: [] }\n',
    );
    const { status, out } = run(['--policy', bad, ...tlsArgs()]);
    expect(await status).toBe(2);
    expect(out.err).toMatch(/^error: .*bad\.yaml:\d+:\d+: spec\.scopes: .*Fix: /m);
  });
});

describe('scs serve running', () => {
  it('serves until asked to stop, reloads on request, then exits 0', async () => {
    const { status, out, runtime } = run([
      ...servingArgs('0'),
      '--reload-interval',
      '0',
      '--budget',
      '1500ms',
    ]);
    let port: number | undefined;
    for (let attempt = 0; attempt < 100 && port === undefined; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const line = out.out.split('\n').find((l) => l.includes('"msg":"serving"'));
      if (line !== undefined) port = (JSON.parse(line) as { port: number }).port;
    }
    expect(port).toBeDefined();
    expect(JSON.parse(out.out.split('\n').find((l) => l.includes('"msg":"serving"')) ?? '{}')).toMatchObject({
      level: 'info',
      budgetMs: 1500,
      mutualTls: false,
    });
    const health = await httpsRequest(`https://127.0.0.1:${port ?? 0}/healthz`, { ca: pki.caCertPem });
    expect(health.status).toBe(200);
    runtime.reload();
    runtime.stop();
    expect(await status).toBe(0);
    expect(out.out).toContain('"msg":"stopped"');
  });
});

describe('durations', () => {
  it.each([
    ['500ms', 500],
    ['3s', 3_000],
    ['1.5s', 1_500],
    ['2m', 120_000],
    ['1h', 3_600_000],
  ])('%s is %i ms', (text, ms) => {
    expect(parseServeDuration(text, 'budget')).toBe(ms);
  });

  it('0 is allowed only where it means off', () => {
    expect(parseServeDuration('0', 'reload-interval', true)).toBe(0);
    expect(() => parseServeDuration('0', 'budget')).toThrow('--budget 0 is not a duration');
  });
});

describe('the bundle’s Deployment', () => {
  it.each([true, false])(
    'runs scs serve with arguments this command accepts, on the port and paths it serves (client auth %s)',
    (clientAuth) => {
      const { container } = sampleProviderObjects({ clientAuth });
      expect(container.args[0]).toBe('serve');
      const options = serveOptions(parseServeArgs(container.args.slice(1)));
      expect(options.files).toEqual({
        policy: SCS_PROVIDER.policyPath,
        tlsCert: `${SCS_PROVIDER.tlsDir}/tls.crt`,
        tlsKey: `${SCS_PROVIDER.tlsDir}/tls.key`,
        ...(clientAuth ? { clientCa: `${SCS_PROVIDER.clientCaDir}/ca.crt` } : {}),
      });
      expect(options.port).toBe(container.ports[0]?.containerPort);
      expect([container.readinessProbe.httpGet, container.livenessProbe.httpGet]).toEqual([
        expect.objectContaining({ path: '/readyz', scheme: 'HTTPS' }),
        expect.objectContaining({ path: '/healthz', scheme: 'HTTPS' }),
      ]);
      // Answered inside the Gatekeeper provider timeout the bundle sets.
      expect(options.engine.budgetMs).toBe(3_000);
    },
  );

  it.each([1, 2, 5, 10, 28])(
    'answers inside a %i s Gatekeeper provider timeout (the budget it passes, with margin)',
    (timeoutSeconds) => {
      const { args } = sampleProviderObjects({ timeoutSeconds }).container;
      // Parsed as scs serve parses it: the work timeout is still at least the budget.
      const options = serveOptions(parseServeArgs(args.slice(1)));
      expect(options.engine.budgetMs).toBeLessThanOrEqual(timeoutSeconds * 1000 * 0.6);
      expect(options.engine.budgetMs).toBeGreaterThanOrEqual(500);
      expect(options.engine.workTimeoutMs).toBeGreaterThanOrEqual(options.engine.budgetMs);
    },
  );
});

describe('the bundle’s Deployment with a shared Redis cache', () => {
  it('gives scs serve the Secret’s URL and key through the environment it reads them from', async () => {
    const { container } = sampleProviderObjects({ redis: { secretName: 'scs-redis', port: 6379 } });
    // What the kubelet would put in the environment from the Secret.
    const secret: Record<string, string> = {
      url: 'rediss://:pw@redis.gatekeeper-system.svc:6380/0',
      key: 'k'.repeat(48),
    };
    const env = Object.fromEntries(
      (container.env ?? []).map((e) => [e.name, secret[e.valueFrom.secretKeyRef.key]]),
    );
    expect(Object.keys(env).sort()).toEqual(Object.values(REDIS_SECRET_KEYS).sort());
    const unused = { readFile: () => Promise.reject(new Error('no file is read')) };
    const settings = await loadRedisSettings({ env }, unused);
    expect(settings?.url).toBe(secret.url);
    expect(Buffer.from(settings?.key ?? []).toString('utf8')).toBe(secret.key);
    // The arguments parse as they do without Redis (no --redis flag in the pod spec).
    expect(serveOptions(parseServeArgs(container.args.slice(1))).files.policy).toBe(SCS_PROVIDER.policyPath);
  });
});

describe('scs serve on a port already taken', () => {
  it('exits 2 naming the port, and leaves nothing running', async () => {
    const net = await import('node:net');
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as { port: number }).port;
    try {
      const { status, out } = run(servingArgs(String(taken)));
      expect(await status).toBe(2);
      expect(out.err).toBe(
        `error: cannot listen on 127.0.0.1:${taken} (EADDRINUSE); choose another --port or --host\n`,
      );
    } finally {
      blocker.close();
    }
  });
});
