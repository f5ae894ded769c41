/**
 * Test support for the provider (not part of the package API): an HTTPS client, the provider
 * started in process over the real harness registry, a real `redis-server`, a delaying TCP
 * proxy, notation's signed layouts pushed to the registry, and a recording logger.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { copyFile, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { copyGraph, openStore } from '@scs/oci';
import { requireBinary, run, testPki } from '@scs/test/harness';
import type { TestPki, TestRegistry } from '@scs/test/harness';
import { nodeCliServices } from '../../cli/node-services.js';
import { E2E_CERT, E2E_LAYOUTS, E2E_SUBJECT } from '../../test-support/notation-layouts.js';
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
  // A client certificate from a CA the provider does not trust.
  const dir = await mkdtemp(path.join(os.tmpdir(), 'scs-stranger-'));
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    path.join(dir, 'key.pem'),
    '-out',
    path.join(dir, 'cert.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=gatekeeper-impostor',
    '-addext',
    'extendedKeyUsage=clientAuth',
  ]);
  const stranger = {
    certPem: await readFile(path.join(dir, 'cert.pem'), 'utf8'),
    keyPem: await readFile(path.join(dir, 'key.pem'), 'utf8'),
  };
  await rm(dir, { recursive: true, force: true });
  return { ...pki, client: { certPem: client.certPem, keyPem: client.keyPem }, stranger };
}

/** A policy trusting notation's e2e certificate for every repository (`extra` appended to the scope). */
export async function writeE2ePolicy(dir: string, name: string, extra = ''): Promise<string> {
  await copyFile(E2E_CERT, path.join(dir, 'e2e.crt'));
  const file = path.join(dir, `${name}.yaml`);
  await writeFile(
    file,
    `apiVersion: scs.dev/v1alpha1
kind: SupplyChainPolicy
metadata: { name: ${name} }
spec:
  scopes:
    - name: e2e
      registryScopes: ["*"]
      signature:
        level: strict
        trustStores: [{ name: e2e, type: ca, certificates: [e2e.crt] }]
        trustedIdentities: ["x509.subject: ${E2E_SUBJECT}"]
${extra}`,
  );
  return file;
}

/** Copy one of notation's e2e layouts (with its referrers) into `repository`; returns `host/repository:v1`. */
export async function pushLayout(
  registry: TestRegistry,
  work: string,
  layout: string,
  repository: string,
): Promise<string> {
  const copy = await mkdtemp(path.join(work, `layout-${layout}-`));
  await cp(path.join(E2E_LAYOUTS, layout), copy, { recursive: true });
  const src = await openStore(`oci:${copy}:v1`);
  const reference = `${registry.host}/${repository}:v1`;
  const dst = await openStore(reference, { plainHttp: true });
  const root = await src.store.resolve('v1');
  await copyGraph(src.store, dst.store, root, { referrers: true });
  await dst.store.tag(root, 'v1');
  return reference;
}

export const nodeFiles = { readFile: async (file: string) => new Uint8Array(await readFile(file)) };

/** The provider in process on a free loopback port, over the harness PKI, against plain-HTTP registries. */
export async function startTestProvider(
  options: {
    policyFile: string;
    pki: TestPki;
    clientCa?: boolean;
    redisUrl?: string;
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
      ...(options.redisUrl === undefined ? {} : { redisUrl: options.redisUrl }),
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
