import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { VerifyCoreError } from '../errors.js';
import type { ProviderFiles } from './provider-files.js';
import { loadTlsMaterial } from './provider-files.js';
import { nodeFiles, providerPki } from './test-support/provider-kit.js';

let pki: Awaited<ReturnType<typeof providerPki>>;
let dir: string;
let files: ProviderFiles;
let now: Date;

beforeAll(async () => {
  pki = await providerPki();
  // After the certificates exist: openssl starts their validity at the second they are made.
  now = new Date();
  dir = await mkdtemp(path.join(os.tmpdir(), 'scs-provider-files-'));
  files = {
    policy: 'unused',
    tlsCert: pki.serverCertFile,
    tlsKey: pki.serverKeyFile,
    clientCa: pki.caCertFile,
  };
});

async function file(name: string, content: string): Promise<string> {
  const target = path.join(dir, name);
  await writeFile(target, content);
  return target;
}

async function failure(overrides: Partial<ProviderFiles>, at?: Date): Promise<VerifyCoreError> {
  const error = await loadTlsMaterial({ ...files, ...overrides }, nodeFiles, at ?? now).catch(
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VerifyCoreError);
  const typed = error as VerifyCoreError;
  expect(typed.code).toBe('USAGE');
  // Never a byte of key material in a message.
  for (const pem of [pki.serverKeyPem, pki.client.keyPem]) {
    expect(typed.message).not.toContain(pem.split('\n')[1]);
  }
  expect(typed.message).not.toMatch(/PRIVATE KEY/);
  return typed;
}

describe('the TLS files', () => {
  it('load when the certificate is valid now, the key is its own and the client CA holds certificates', async () => {
    const material = await loadTlsMaterial(files, nodeFiles, now);
    expect(material.certPem).toBe(pki.serverCertPem);
    expect(material.keyPem).toBe(pki.serverKeyPem);
    expect(material.clientCaPem).toBe(pki.caCertPem);
  });

  it('refuse a key that is not the certificate’s', async () => {
    expect((await failure({ tlsKey: await file('other.key', pki.client.keyPem) })).message).toMatch(
      /^--tls-key .*other\.key does not belong to the certificate .*server\.crt \(CN=server\); give the key the certificate was issued for$/,
    );
  });

  it('refuse a certificate outside its validity', async () => {
    expect((await failure({}, new Date(now.getTime() + 30 * 86_400_000))).message).toMatch(
      /^--tls-cert .*server\.crt is not valid now \(valid from .* to .*\); renew it$/,
    );
  });

  it.each([
    [
      'a missing certificate file',
      { tlsCert: '/nonexistent/tls.crt' },
      '--tls-cert /nonexistent/tls.crt does not exist; give the PEM file',
    ],
    [
      'a certificate file without PEM',
      { tlsCert: 'text' },
      /^--tls-cert .*plain\.txt holds no PEM certificate/,
    ],
    ['a key file that is not a key', { tlsKey: 'text' }, /^--tls-key .*plain\.txt is not a PEM private key$/],
    [
      'a client CA without certificates',
      { clientCa: 'text' },
      /^--client-ca .*plain\.txt holds no PEM certificate/,
    ],
  ])('refuse %s, naming the flag', async (_what, overrides, message) => {
    const plain = await file('plain.txt', 'hello\n');
    const resolved = Object.fromEntries(
      Object.entries(overrides).map(([k, v]) => [k, v === 'text' ? plain : v]),
    ) as Partial<ProviderFiles>;
    expect((await failure(resolved)).message).toMatch(message);
  });
});
