import { X509Certificate, createPrivateKey, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { VerifyCoreError } from '../errors.js';

/**
 * The TLS material of the scs provider: a serving certificate (and its key) for
 * `<service>.<namespace>.svc`, and the CA certificate Gatekeeper trusts it by (the Provider's
 * `caBundle`). The CA's private key is never kept: it signs the serving certificate and is dropped.
 */
export interface ProviderTls {
  caCertificatePem: string;
  certificatePem: string;
  /** PKCS#8 PEM. Written only into the Secret manifest. */
  privateKeyPem: string;
}

/** The DNS names the serving certificate must hold, most specific last. */
export function providerDnsNames(service: string, namespace: string): string[] {
  return [
    service,
    `${service}.${namespace}`,
    `${service}.${namespace}.svc`,
    `${service}.${namespace}.svc.cluster.local`,
  ];
}

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

function serial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f; // positive
  return Buffer.from(bytes).toString('hex');
}

function pemOf(der: ArrayBuffer, label: string): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${(b64.match(/.{1,64}/g) ?? []).join('\n')}\n-----END ${label}-----\n`;
}

/**
 * Make a fresh CA (P-256, in memory only) and a serving certificate signed by it for the
 * provider's service names. Valid from one hour before `now` for `days` days.
 */
export async function generateProviderTls(options: {
  service: string;
  namespace: string;
  now: Date;
  days?: number;
}): Promise<ProviderTls> {
  // @peculiar/x509's signatures name the DOM's WebCrypto types; node's webcrypto is that API.
  const provider = webcrypto as never;
  const notBefore = new Date(options.now.getTime() - 3_600_000);
  const notAfter = new Date(options.now.getTime() + (options.days ?? 365) * DAY_MS);
  const caKeys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const ca = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: serial(),
      name: `CN=scs provider CA ${options.service}.${options.namespace}, O=scs`,
      notBefore,
      notAfter,
      keys: caKeys as never,
      signingAlgorithm: EC,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey, false, provider),
      ],
    },
    provider,
  );
  const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const names = providerDnsNames(options.service, options.namespace);
  const leaf = await x509.X509CertificateGenerator.create(
    {
      serialNumber: serial(),
      subject: `CN=${names[2] ?? options.service}`,
      issuer: ca.subject,
      notBefore,
      notAfter,
      publicKey: keys.publicKey as never,
      signingKey: caKeys.privateKey as never,
      signingAlgorithm: EC,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension(names.map((value) => ({ type: 'dns' as const, value }))),
        await x509.AuthorityKeyIdentifierExtension.create(ca, false, provider),
      ],
    },
    provider,
  );
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return {
    caCertificatePem: ca.toString('pem') + '\n',
    certificatePem: leaf.toString('pem') + '\n',
    privateKeyPem: pemOf(pkcs8, 'PRIVATE KEY'),
  };
}

function tlsError(message: string): VerifyCoreError {
  return new VerifyCoreError('USAGE', message);
}

/**
 * Check TLS material given as files: the certificate is signed by the CA, holds the key, is valid
 * at `now` and names `<service>.<namespace>.svc`. Errors name the file role and the fix, never
 * the key's content.
 */
export function checkProviderTls(
  tls: ProviderTls,
  options: { service: string; namespace: string; now: Date },
): void {
  let ca: X509Certificate;
  let cert: X509Certificate;
  try {
    ca = new X509Certificate(tls.caCertificatePem);
  } catch (error) {
    throw new VerifyCoreError(
      'USAGE',
      '--ca is not a PEM certificate; pass the CA certificate that signed --tls-cert',
      {
        cause: error,
      },
    );
  }
  try {
    cert = new X509Certificate(tls.certificatePem);
  } catch (error) {
    throw new VerifyCoreError(
      'USAGE',
      '--tls-cert is not a PEM certificate; pass the serving certificate of the provider',
      {
        cause: error,
      },
    );
  }
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(tls.privateKeyPem);
  } catch {
    throw tlsError('--tls-key is not a PEM private key (PKCS#8, PKCS#1 or SEC1); pass the key of --tls-cert');
  }
  if (!cert.checkPrivateKey(key)) {
    throw tlsError('--tls-key is not the private key of --tls-cert; pass the matching pair');
  }
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) {
    throw tlsError(
      `--tls-cert (issuer ${cert.issuer.replace(/\n/g, ', ')}) is not signed by --ca (${ca.subject.replace(/\n/g, ', ')}); pass the CA that issued it, Gatekeeper trusts the provider through it`,
    );
  }
  const host = `${options.service}.${options.namespace}.svc`;
  if (cert.checkHost(host, { subject: 'never' }) === undefined) {
    throw tlsError(
      `--tls-cert does not name ${host} in its subject alternative names (${cert.subjectAltName ?? 'none'}); issue it for ${providerDnsNames(options.service, options.namespace).join(', ')}`,
    );
  }
  for (const [role, c] of [
    ['--tls-cert', cert],
    ['--ca', ca],
  ] as const) {
    if (new Date(c.validFrom) > options.now || new Date(c.validTo) < options.now) {
      throw tlsError(`${role} is not valid now (valid ${c.validFrom} to ${c.validTo}); renew it`);
    }
  }
}
