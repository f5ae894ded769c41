import { rmSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { run } from './binaries.js';

/** A throwaway CA and a loopback server certificate signed by it, made with openssl. */
export interface TestPki {
  dir: string;
  caCertFile: string;
  caCertPem: string;
  serverCertFile: string;
  serverKeyFile: string;
  serverCertPem: string;
  serverKeyPem: string;
  /** Issues a further leaf (EC P-256) signed by the CA, e.g. a token-signing or client certificate. */
  issue(
    name: string,
    extensions: string[],
  ): Promise<{ certFile: string; keyFile: string; certPem: string; keyPem: string }>;
}

/** `openssl req` arguments for a fresh unencrypted EC P-256 key. */
const NEW_P256_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

let shared: Promise<TestPki> | undefined;

/** One PKI per test process: openssl runs once, every harness server reuses it. */
export function testPki(): Promise<TestPki> {
  shared ??= makePki();
  return shared;
}

async function makePki(): Promise<TestPki> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'scs-pki-'));
  // One PKI per process, shared by every server of it: removed when the process exits.
  process.once('exit', () => {
    rmSync(dir, { recursive: true, force: true });
  });
  const ca = (f: string): string => path.join(dir, f);
  await run('openssl', [
    'req',
    '-x509',
    ...NEW_P256_KEY,
    '-keyout',
    ca('ca.key'),
    '-out',
    ca('ca.crt'),
    '-days',
    '2',
    '-subj',
    '/CN=scs test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);

  const issue: TestPki['issue'] = async (name, extensions) => {
    const keyFile = ca(`${name}.key`);
    const certFile = ca(`${name}.crt`);
    const extFile = ca(`${name}.ext`);
    await writeFile(extFile, `${extensions.join('\n')}\n`);
    await run('openssl', [
      'req',
      '-new',
      ...NEW_P256_KEY,
      '-keyout',
      keyFile,
      '-out',
      ca(`${name}.csr`),
      '-subj',
      `/CN=${name}`,
    ]);
    await run('openssl', [
      'x509',
      '-req',
      '-in',
      ca(`${name}.csr`),
      '-CA',
      ca('ca.crt'),
      '-CAkey',
      ca('ca.key'),
      '-CAcreateserial',
      '-days',
      '2',
      '-out',
      certFile,
      '-extfile',
      extFile,
    ]);
    return {
      certFile,
      keyFile,
      certPem: await readFile(certFile, 'utf8'),
      keyPem: await readFile(keyFile, 'utf8'),
    };
  };

  const server = await issue('server', [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=serverAuth',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ]);
  return {
    dir,
    caCertFile: ca('ca.crt'),
    caCertPem: await readFile(ca('ca.crt'), 'utf8'),
    serverCertFile: server.certFile,
    serverKeyFile: server.keyFile,
    serverCertPem: server.certPem,
    serverKeyPem: server.keyPem,
    issue,
  };
}
