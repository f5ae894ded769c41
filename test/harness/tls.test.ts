import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './paths.js';
import { testPki } from './tls.js';

describe('the test PKI', () => {
  it('is one CA per process with a loopback server certificate it signed', async () => {
    const pki = await testPki();
    expect(await testPki()).toBe(pki);
    const ca = new X509Certificate(pki.caCertPem);
    const server = new X509Certificate(pki.serverCertPem);
    expect(ca.ca).toBe(true);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(server.checkHost('localhost')).toBe('localhost');
  });

  it('is removed when the process that made it exits', async () => {
    const script = `import { testPki } from './test/harness/tls.ts'; console.log((await testPki()).dir);`;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      { cwd: repoRoot },
    );
    const dir = stdout.trim();
    expect(path.basename(dir)).toMatch(/^scs-pki-/);
    expect(existsSync(dir)).toBe(false);
  });
});
