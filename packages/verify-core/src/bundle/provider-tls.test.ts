import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { connect, createServer } from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import { VerifyCoreError } from '../errors.js';
import type { ProviderTls } from './provider-tls.js';
import { checkProviderTls, generateProviderTls } from './provider-tls.js';
import { NOW } from '../test-support/notation-layouts.js';
import { thrownBy } from '../test-support/thrown.js';
import { testTls } from './test-support/bundle-fixtures.js';

const WHERE = { service: 'scs-provider', namespace: 'gatekeeper-system', now: NOW };
let tls: ProviderTls;
beforeAll(async () => {
  tls = await testTls();
});

function failure(material: ProviderTls, where = WHERE): VerifyCoreError {
  return thrownBy(VerifyCoreError, () => {
    checkProviderTls(material, where);
  });
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

/** A TLS handshake with a server serving `tls`, from a client trusting `caPem` for `servername`. */
async function handshake(tls: ProviderTls, caPem: string, servername: string): Promise<string> {
  const server = createServer({ key: tls.privateKeyPem, cert: tls.certificatePem }, (socket) => {
    socket.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, ca: caPem, servername }, () => {
        socket.once('data', (data: Buffer) => {
          resolve(data.toString());
        });
      });
      socket.once('error', reject);
    });
  } finally {
    server.close();
  }
}

describe('when a TLS client trusting the CA connects to a server holding the serving certificate', () => {
  const where = { service: 'scs-provider', namespace: 'gatekeeper-system' };

  it('completes the handshake for the service name, as Gatekeeper calls the provider', async () => {
    const live = await generateProviderTls({ ...where, now: new Date() });
    expect(await handshake(live, live.caCertificatePem, 'scs-provider.gatekeeper-system.svc')).toBe('ok');
  });

  it('refuses another name and another CA', async () => {
    const live = await generateProviderTls({ ...where, now: new Date() });
    const other = await generateProviderTls({ ...where, now: new Date() });
    await expect(handshake(live, live.caCertificatePem, 'scs-provider.other.svc')).rejects.toThrow(
      /Hostname\/IP does not match certificate's altnames/,
    );
    await expect(
      handshake(live, other.caCertificatePem, 'scs-provider.gatekeeper-system.svc'),
    ).rejects.toThrow(/unable to verify the first certificate|self[- ]signed/);
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
