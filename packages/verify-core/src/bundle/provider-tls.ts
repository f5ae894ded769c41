import { X509Certificate, createPrivateKey, generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { KEY_USAGE, type NameSpec, OID, buildCertificate, toPem } from '@scs/notary';
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

const DAY_MS = 86_400_000;
const generateKeyPairAsync = promisify(generateKeyPair);

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
  const notBefore = new Date(options.now.getTime() - 3_600_000);
  const notAfter = new Date(options.now.getTime() + (options.days ?? 365) * DAY_MS);
  const [caKeys, keys] = await Promise.all([
    generateKeyPairAsync('ec', { namedCurve: 'P-256' }),
    generateKeyPairAsync('ec', { namedCurve: 'P-256' }),
  ]);
  const caName: NameSpec = [
    ['CN', `scs provider CA ${options.service}.${options.namespace}`],
    ['O', 'scs'],
  ];
  const ca = buildCertificate({
    subject: caName,
    publicKey: caKeys.publicKey,
    signingKey: caKeys.privateKey,
    notBefore,
    notAfter,
    basicConstraints: { ca: true, pathLength: 0, critical: true },
    keyUsage: { bits: [KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign], critical: true },
    subjectKeyIdentifier: true,
  });
  const names = providerDnsNames(options.service, options.namespace);
  const leaf = buildCertificate({
    subject: [['CN', names[2] ?? options.service]],
    issuer: caName,
    publicKey: keys.publicKey,
    signingKey: caKeys.privateKey,
    notBefore,
    notAfter,
    basicConstraints: { ca: false, critical: true },
    keyUsage: { bits: [KEY_USAGE.digitalSignature], critical: true },
    extKeyUsage: { oids: [OID.ekuServerAuth] },
    subjectAltName: { dnsNames: names },
    authorityKeyIdentifier: true,
  });
  return {
    caCertificatePem: toPem(ca),
    certificatePem: toPem(leaf),
    privateKeyPem: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

function tlsError(message: string): VerifyCoreError {
  return new VerifyCoreError('USAGE', message);
}

/** The certificate of `pem`, or a USAGE error with `message` (naming the flag and the fix). */
function certificateOf(pem: string, message: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (error) {
    throw new VerifyCoreError('USAGE', message, { cause: error });
  }
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
  const ca = certificateOf(
    tls.caCertificatePem,
    '--ca is not a PEM certificate; pass the CA certificate that signed --tls-cert',
  );
  const cert = certificateOf(
    tls.certificatePem,
    '--tls-cert is not a PEM certificate; pass the serving certificate of the provider',
  );
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
