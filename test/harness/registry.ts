import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { requireBinary, run } from './binaries.js';
import { testPki } from './tls.js';
import { startTokenIssuer, type TokenIssuer } from './token-issuer.js';

export type RegistryAuth = 'none' | 'basic' | 'token';

export interface TestRegistry {
  /** `127.0.0.1:<port>`: the registry part of references. */
  host: string;
  /** `http://…` for `none`, `https://…` otherwise. */
  url: string;
  auth: RegistryAuth;
  tls: boolean;
  /** PEM of the CA that signed the registry's certificate (TLS variants). */
  caPem: string | undefined;
  /** A directory holding only `ca.crt`, for `skopeo --dest-cert-dir` / `--src-cert-dir`. */
  certDir: string | undefined;
  username: string | undefined;
  password: string | undefined;
  /** The token issuer of the `token` variant. */
  tokenIssuer: TokenIssuer | undefined;
  /** Where the registry keeps its blobs and repositories. */
  storageDir: string;
  /**
   * `skopeo` TLS/credential flags for this registry as a source or destination: the CA directory
   * and an auth file (never the password on the command line), or `--tls-verify=false` for `none`.
   */
  skopeoArgs(role: 'src' | 'dest'): string[];
  /** A containers auth file (`{"auths": …}`) with the registry's credentials (auth variants). */
  authFile: string | undefined;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Starts the real Debian `docker-registry` (distribution 2.8) on a free loopback port with a
 * temporary storage directory:
 * - `none`: anonymous plain HTTP;
 * - `basic`: htpasswd (bcrypt) basic auth over TLS, certificate from the test CA;
 * - `token`: TLS and bearer tokens from a loopback issuer (`auth: token`).
 */
export async function startRegistry(
  options: {
    auth?: RegistryAuth;
    /** `token` only: anonymous requests get pull-only tokens (a public repository). */
    anonymousPull?: boolean;
  } = {},
): Promise<TestRegistry> {
  const auth = options.auth ?? 'none';
  if (options.anonymousPull === true && auth !== 'token') {
    throw new Error(
      `startRegistry: anonymousPull is for auth "token" (the token issuer grants it), not "${auth}"`,
    );
  }
  const binary = requireBinary('docker-registry');
  const dir = await mkdtemp(path.join(os.tmpdir(), `scs-registry-${auth}-`));
  const storageDir = path.join(dir, 'storage');
  const tls = auth !== 'none';
  const pki = tls ? await testPki() : undefined;
  const username = tls ? 'scs-user' : undefined;
  const password = tls ? randomBytes(12).toString('base64url') : undefined;

  let certDir: string | undefined;
  if (pki) {
    certDir = path.join(dir, 'certs.d');
    await mkdir(certDir);
    await writeFile(path.join(certDir, 'ca.crt'), pki.caCertPem);
  }

  let authConfig = '';
  let tokenIssuer: TokenIssuer | undefined;
  if (auth === 'basic' && username && password) {
    const line = await run('htpasswd', ['-Bbn', username, password]);
    const htpasswdFile = path.join(dir, 'htpasswd');
    await writeFile(htpasswdFile, line.trim() + '\n');
    authConfig = `auth:\n  htpasswd:\n    realm: scs-test\n    path: ${htpasswdFile}\n`;
  } else if (auth === 'token' && pki && username && password) {
    tokenIssuer = await startTokenIssuer(pki, {
      username,
      password,
      ...(options.anonymousPull === true ? { anonymousPull: true } : {}),
    });
    authConfig =
      `auth:\n  token:\n    realm: ${tokenIssuer.realm}\n    service: ${tokenIssuer.service}\n` +
      `    issuer: ${tokenIssuer.issuer}\n    rootcertbundle: ${tokenIssuer.rootCertBundleFile}\n`;
  }

  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const configFile = path.join(dir, 'config.yml');
    await writeFile(
      configFile,
      [
        'version: 0.1',
        'log:',
        '  level: error',
        '  accesslog:',
        '    disabled: true',
        'storage:',
        '  filesystem:',
        `    rootdirectory: ${storageDir}`,
        '  delete:',
        '    enabled: true',
        '  maintenance:',
        '    uploadpurging:',
        '      enabled: false',
        'http:',
        `  addr: 127.0.0.1:${port}`,
        `  secret: ${randomBytes(16).toString('hex')}`,
        ...(pki ? ['  tls:', `    certificate: ${pki.serverCertFile}`, `    key: ${pki.serverKeyFile}`] : []),
        authConfig,
      ].join('\n'),
    );
    const child = spawn(binary, ['serve', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    running.add(child);
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < 16_384) stderr += chunk;
    });
    const host = `127.0.0.1:${port}`;
    const url = `${tls ? 'https' : 'http'}://${host}`;
    try {
      await waitUntilServing(url, pki?.caCertPem, child, () => stderr);
    } catch (error) {
      lastError = error;
      child.kill('SIGKILL');
      running.delete(child);
      continue;
    }
    let authFile: string | undefined;
    if (username !== undefined && password !== undefined) {
      authFile = path.join(dir, 'auth.json');
      const auth = Buffer.from(`${username}:${password}`).toString('base64');
      await writeFile(authFile, JSON.stringify({ auths: { [host]: { auth } } }), { mode: 0o600 });
    }
    const stop = async (): Promise<void> => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
        child.kill('SIGKILL');
      }
      running.delete(child);
      await tokenIssuer?.stop();
      await rm(dir, { recursive: true, force: true });
    };
    return {
      host,
      url,
      auth,
      tls,
      caPem: pki?.caCertPem,
      certDir,
      username,
      password,
      tokenIssuer,
      storageDir,
      authFile,
      skopeoArgs(role) {
        const args = [certDir ? `--${role}-cert-dir=${certDir}` : `--${role}-tls-verify=false`];
        if (authFile !== undefined) args.push(`--${role}-authfile=${authFile}`);
        return args;
      },
      stop,
    };
  }
  await tokenIssuer?.stop();
  await rm(dir, { recursive: true, force: true });
  throw new Error(`docker-registry did not start: ${String(lastError)}`, { cause: lastError });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

/** Polls `GET /v2/` until the registry answers (200, or 401 when auth is on). */
async function waitUntilServing(
  url: string,
  caPem: string | undefined,
  child: ChildProcess,
  stderr: () => string,
): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`docker-registry exited with code ${child.exitCode}: ${stderr().trim()}`);
    }
    const status = await probe(`${url}/v2/`, caPem).catch(() => 0);
    if (status === 200 || status === 401) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`docker-registry did not answer on ${url} within 15s: ${stderr().trim()}`);
}

function probe(url: string, caPem: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = url.startsWith('https:')
      ? https.get(url, { ca: caPem, timeout: 1000 })
      : http.get(url, { timeout: 1000 });
    request.once('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.once('timeout', () => request.destroy(new Error('timeout')));
    request.once('error', reject);
  });
}
