/**
 * Test support for the provider (not part of the package API): an HTTPS client, the provider
 * started in process over the real harness registry, a real `redis-server`, a delaying TCP
 * proxy and a recording logger. Notation's signed layouts are pushed with
 * `../../test-support/registry-layouts.js`, the e2e policy written with
 * `../../test-support/e2e-policy.js`.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { KEY_USAGE, OID, buildCertificate, toPem } from '@scs/notary';
import { requireBinary, testPki } from '@scs/test/harness';
import type { TestPki } from '@scs/test/harness';
import { nodeCliServices } from '../../cli/node-services.js';
import type { LogFields, LogLevel, ProviderLogger } from '../provider-logger.js';
import type { ProviderOptions, RunningProvider } from '../start-provider.js';
import { DEFAULT_PROVIDER_OPTIONS, startProvider } from '../start-provider.js';

export const NOW = new Date('2026-11-27T00:00:00Z');

export interface LogRecord {
  level: LogLevel;
  message: string;
  fields: LogFields;
}

export function recordingLogger(): ProviderLogger & { records: LogRecord[] } {
  const records: LogRecord[] = [];
  return {
    records,
    log(level, message, fields = {}) {
      records.push({ level, message, fields });
    },
  };
}

export interface HttpsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): unknown;
}

export interface ClientTls {
  ca: string;
  cert?: string;
  key?: string;
}

/** One HTTPS request on a fresh connection (no agent reuse between calls). */
export function httpsRequest(
  url: string,
  tls: ClientTls,
  options: { method?: string; body?: string | Uint8Array; headers?: Record<string, string> } = {},
): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      url,
      {
        method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
        ca: tls.ca,
        ...(tls.cert === undefined ? {} : { cert: tls.cert, key: tls.key }),
        agent: false,
        headers: {
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...options.headers,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.once('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text,
            json: () => JSON.parse(text) as unknown,
          });
        });
        response.once('error', reject);
      },
    );
    request.once('error', reject);
    request.end(options.body);
  });
}

export function providerRequest(keys: unknown[]): string {
  return JSON.stringify({
    apiVersion: 'externaldata.gatekeeper.sh/v1beta1',
    kind: 'ProviderRequest',
    request: { keys },
  });
}

/** The harness PKI plus a client certificate its CA signed (Gatekeeper's, in a cluster). */
export async function providerPki(): Promise<
  TestPki & { client: { certPem: string; keyPem: string }; stranger: { certPem: string; keyPem: string } }
> {
  const pki = await testPki();
  const client = await pki.issue('gatekeeper-client', [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=clientAuth',
  ]);
  // A client certificate from a CA the provider does not trust (self-issued, in memory).
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const now = Date.now();
  const strangerCert = buildCertificate({
    subject: [['CN', 'gatekeeper-impostor']],
    publicKey: keys.publicKey,
    signingKey: keys.privateKey,
    notBefore: new Date(now - 3_600_000),
    notAfter: new Date(now + 2 * 86_400_000),
    basicConstraints: { ca: false, critical: true },
    keyUsage: { bits: [KEY_USAGE.digitalSignature], critical: true },
    extKeyUsage: { oids: [OID.ekuClientAuth] },
  });
  const stranger = {
    certPem: toPem(strangerCert),
    keyPem: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
  return { ...pki, client: { certPem: client.certPem, keyPem: client.keyPem }, stranger };
}

/** The Redis cache key of the tests (what `--redis-key-file` holds in a cluster: 48 random bytes, base64). */
export const TEST_REDIS_KEY = new Uint8Array(
  Buffer.from('c2NzLXRlc3QtcmVkaXMta2V5LW5vdC1hLXNlY3JldC0wMTIzNDU2Nzg5YWJjZGVm', 'utf8'),
);

export const nodeFiles = { readFile: async (file: string) => new Uint8Array(await readFile(file)) };

/** The provider in process on a free loopback port, over the harness PKI, against plain-HTTP registries. */
export async function startTestProvider(
  options: {
    policyFile: string;
    pki: TestPki;
    clientCa?: boolean;
    /** Shares the caches through this Redis, entries authenticated with `redisKey` (default `TEST_REDIS_KEY`). */
    redisUrl?: string;
    redisKey?: Uint8Array;
    engine?: Partial<ProviderOptions['engine']>;
    limits?: Partial<ProviderOptions['limits']>;
    files?: Partial<ProviderOptions['files']>;
    reloadIntervalMs?: number;
    shutdownGraceMs?: number;
    clock?: () => Date;
  },
  logger: ProviderLogger = recordingLogger(),
): Promise<RunningProvider & { url: string }> {
  const clock = options.clock ?? ((): Date => new Date());
  const services = nodeCliServices({ clock, env: {}, homeDir: os.tmpdir() });
  const running = await startProvider(
    {
      ...DEFAULT_PROVIDER_OPTIONS,
      host: '127.0.0.1',
      port: 0,
      files: {
        policy: options.policyFile,
        tlsCert: options.pki.serverCertFile,
        tlsKey: options.pki.serverKeyFile,
        ...(options.clientCa === true ? { clientCa: options.pki.caCertFile } : {}),
        ...options.files,
      },
      ...(options.redisUrl === undefined
        ? {}
        : { redis: { url: options.redisUrl, key: options.redisKey ?? TEST_REDIS_KEY } }),
      engine: { ...DEFAULT_PROVIDER_OPTIONS.engine, ...options.engine },
      limits: { ...DEFAULT_PROVIDER_OPTIONS.limits, ...options.limits },
      reloadIntervalMs: options.reloadIntervalMs ?? 0,
      shutdownGraceMs: options.shutdownGraceMs ?? 2_000,
      registry: { ...DEFAULT_PROVIDER_OPTIONS.registry, plainHttp: true },
    },
    {
      reader: nodeFiles,
      clock,
      logger,
      verifierFor: (loaded) => services.policyVerifier(loaded),
    },
  );
  return { ...running, url: `https://127.0.0.1:${running.port}` };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

export interface TestRedis {
  url: string;
  stop(): Promise<void>;
}

/** The real `redis-server` on a free loopback port, with a temporary directory, no persistence. */
export async function startRedis(options: { password?: string } = {}): Promise<TestRedis> {
  const binary = requireBinary('redis-server');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'scs-redis-'));
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const child: ChildProcess = spawn(
      binary,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'no',
        ...(options.password === undefined ? [] : ['--requirepass', options.password]),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      if (output.length < 16_384) output += chunk;
    });
    const started = await new Promise<boolean>((resolve) => {
      const deadline = setTimeout(() => {
        resolve(false);
      }, 10_000);
      const poll = setInterval(() => {
        if (output.includes('Ready to accept connections')) {
          clearInterval(poll);
          clearTimeout(deadline);
          resolve(true);
        }
        if (child.exitCode !== null) {
          clearInterval(poll);
          clearTimeout(deadline);
          resolve(false);
        }
      }, 20);
    });
    if (!started) {
      child.kill('SIGKILL');
      continue;
    }
    return {
      url: `redis://${options.password === undefined ? '' : `:${options.password}@`}127.0.0.1:${port}`,
      async stop() {
        if (child.exitCode === null) {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3_000))]);
          child.kill('SIGKILL');
        }
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  await rm(dir, { recursive: true, force: true });
  throw new Error('redis-server did not start on a loopback port');
}

export interface DelayingProxy {
  /** `127.0.0.1:<port>`: use it as the registry host. */
  host: string;
  /** Delay of every chunk from the registry to the client (can be changed while running). */
  delayMs: number;
  stop(): Promise<void>;
}

/** A loopback TCP proxy to `target` (`host:port`) that holds back every answer chunk `delayMs`. */
export async function startDelayingProxy(target: string, delayMs: number): Promise<DelayingProxy> {
  const [targetHost, targetPort] = target.split(':');
  const sockets = new Set<net.Socket>();
  const proxy: DelayingProxy = { host: '', delayMs, stop: () => Promise.resolve() };
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(targetPort), targetHost ?? '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => {
      setTimeout(() => {
        if (!client.destroyed) client.write(chunk);
      }, proxy.delayMs);
    });
    const close = (): void => {
      setTimeout(() => {
        client.destroy();
        upstream.destroy();
      }, proxy.delayMs);
    };
    client.on('close', close);
    upstream.on('close', close);
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.stop = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => {
        resolve();
      });
    });
  return proxy;
}
