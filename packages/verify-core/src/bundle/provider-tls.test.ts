import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { VerifyCoreError } from '../errors.js';
import type { ProviderTls } from './provider-tls.js';
import { checkProviderTls, generateProviderTls } from './provider-tls.js';
import { NOW, testTls } from './test-support/bundle-fixtures.js';

const WHERE = { service: 'scs-provider', namespace: 'gatekeeper-system', now: NOW };
let tls: ProviderTls;
beforeAll(async () => {
  tls = await testTls();
});

function failure(material: ProviderTls, where = WHERE): VerifyCoreError {
  try {
    checkProviderTls(material, where);
  } catch (error) {
    if (error instanceof VerifyCoreError) return error;
    throw error;
  }
  throw new Error('expected checkProviderTls to fail');
}

describe('the generated provider TLS material', () => {
  it('is a CA and a serving certificate for every name of the service, valid now', () => {
    const ca = new X509Certificate(tls.caCertificatePem);
    const cert = new X509Certificate(tls.certificatePem);
    expect(ca.ca).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.subjectAltName).toBe(
      'DNS:scs-provider, DNS:scs-provider.gatekeeper-system, DNS:scs-provider.gatekeeper-system.svc, DNS:scs-provider.gatekeeper-system.svc.cluster.local',
    );
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(() => {
      checkProviderTls(tls, WHERE);
    }).not.toThrow();
  });

  it('is fresh every time (a new CA and key per bundle)', async () => {
    const other = await generateProviderTls(WHERE);
    expect(other.caCertificatePem).not.toBe(tls.caCertificatePem);
    expect(other.privateKeyPem).not.toBe(tls.privateKeyPem);
  });
});

describe('checking TLS material given as files', () => {
  it('refuses a key that is not the certificate’s, without printing the key', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const otherKey = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const error = failure({ ...tls, privateKeyPem: otherKey });
    expect(error.message).toBe('--tls-key is not the private key of --tls-cert; pass the matching pair');
    expect(error.message).not.toContain(otherKey.split('\n')[1] ?? '#');
  });

  it('refuses a certificate another CA signed', async () => {
    const other = await generateProviderTls(WHERE);
    expect(failure({ ...tls, caCertificatePem: other.caCertificatePem }).message).toMatch(
      /--tls-cert .* is not signed by --ca/,
    );
  });

  it('refuses a certificate for another service', () => {
    expect(failure(tls, { ...WHERE, namespace: 'other' }).message).toMatch(
      /--tls-cert does not name scs-provider.other.svc in its subject alternative names/,
    );
  });

  it('refuses an expired certificate', () => {
    expect(failure(tls, { ...WHERE, now: new Date('2030-01-01T00:00:00Z') }).message).toMatch(
      /--tls-cert is not valid now/,
    );
  });

  it('refuses files that are not PEM', () => {
    expect(failure({ ...tls, caCertificatePem: 'nope' }).message).toMatch(/--ca is not a PEM certificate/);
    expect(failure({ ...tls, certificatePem: 'nope' }).message).toMatch(
      /--tls-cert is not a PEM certificate/,
    );
    expect(failure({ ...tls, privateKeyPem: 'nope' }).message).toMatch(/--tls-key is not a PEM private key/);
  });
});
