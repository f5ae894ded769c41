import { mkdtemp, readFile, writeFile, copyFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PolicyError } from '../errors.js';
import { singleScopePolicy } from '../test-support/e2e-policy.js';
import { E2E_CERT, NOW, e2eTestdata } from '../test-support/notation-layouts.js';
import { rejectionOf } from '../test-support/thrown.js';
import { loadPolicy } from './load-policy.js';

const reader = { readFile: (file: string) => readFile(file) };
const clock = (): Date => NOW;

function policyNaming(certificates: string[]): string {
  return singleScopePolicy({
    name: 'p',
    trustStore: `{ name: e2e, type: ca, certificates: ${JSON.stringify(certificates)} }`,
  });
}

async function tempDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'scs-policy-'));
}

function rejection(promise: Promise<unknown>): Promise<PolicyError> {
  return rejectionOf(PolicyError, promise);
}

describe('loading a policy file', () => {
  it('reads the certificate files relative to the policy file', async () => {
    const dir = await tempDir();
    await copyFile(E2E_CERT, path.join(dir, 'e2e.crt'));
    await writeFile(path.join(dir, 'scs-policy.yaml'), policyNaming(['e2e.crt']));
    const loaded = await loadPolicy(path.join(dir, 'scs-policy.yaml'), { reader, now: clock });
    const ders = loaded.certificates.get('ca:e2e');
    expect(ders).toHaveLength(1);
    expect(new X509Certificate(ders![0]!).subject).toBe('C=US\nST=WA\nL=Seattle\nO=Notary\nCN=e2e');
    const store = loaded.policy.spec.scopes[0]!.signature.trustStores[0]!;
    expect(store.source === 'files' && store.certificates).toEqual([path.join(dir, 'e2e.crt')]);
    expect(loaded.file).toBe(path.join(dir, 'scs-policy.yaml'));
  });

  it('reads DER certificate files too', async () => {
    const dir = await tempDir();
    const der = new X509Certificate(await readFile(E2E_CERT)).raw;
    await writeFile(path.join(dir, 'e2e.der'), der);
    await writeFile(path.join(dir, 'p.yaml'), policyNaming(['e2e.der']));
    const loaded = await loadPolicy(path.join(dir, 'p.yaml'), { reader, now: clock });
    expect(Buffer.from(loaded.certificates.get('ca:e2e')![0]!)).toEqual(der);
  });

  describe('when a trust store file is missing', () => {
    it('names the field, its line and the path it looked for', async () => {
      const dir = await tempDir();
      await writeFile(path.join(dir, 'p.yaml'), policyNaming(['certs/missing.pem']));
      const error = await rejection(loadPolicy(path.join(dir, 'p.yaml'), { reader, now: clock }));
      expect(error.code).toBe('POLICY_INVALID');
      expect(error.problems).toHaveLength(1);
      expect(error.problems[0]).toMatchObject({
        path: 'spec.scopes[0].signature.trustStores[0].certificates[0]',
        position: { line: 10 },
      });
      expect(error.message).toContain(
        `${path.join(dir, 'certs/missing.pem')} of trust store ca:e2e does not exist`,
      );
    });
  });

  describe('when a trust store file is not a certificate', () => {
    it('says so and never echoes a private key', async () => {
      const dir = await tempDir();
      await copyFile(e2eTestdata('config', 'localkeys', 'e2e.key'), path.join(dir, 'e2e.key'));
      await writeFile(path.join(dir, 'p.yaml'), policyNaming(['e2e.key']));
      const error = await rejection(loadPolicy(path.join(dir, 'p.yaml'), { reader, now: clock }));
      expect(error.message).toContain('only CERTIFICATE blocks belong in a trust store');
      const key = await readFile(path.join(dir, 'e2e.key'), 'utf8');
      const body = key.split('\n')[1]!;
      expect(error.message).not.toContain(body);
    });
  });

  describe('when the policy file itself cannot be read', () => {
    it('is a POLICY_FILE error naming the path', async () => {
      const error = await rejection(loadPolicy('/nonexistent/scs-policy.yaml', { reader, now: clock }));
      expect(error.code).toBe('POLICY_FILE');
      expect(error.message).toContain('/nonexistent/scs-policy.yaml does not exist');
    });
  });
});
