import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { NotaryError } from '../errors.js';
import type { Clock } from '../types.js';
import { buildCertificate } from '../x509/certificate-builder.js';
import { KEY_USAGE, OID } from '../x509/certificate.js';
import { toPem } from '../x509/pem.js';

export interface TestCertificate {
  /** PKCS#8 PEM private key. Keep it secret. */
  keyPem: string;
  certificatePem: string;
  certificateDer: Uint8Array;
}

/**
 * Like `notation cert generate-test`: a self-signed code-signing certificate
 * `CN=<name>,O=Notary,L=Seattle,ST=WA,C=US` (RSA-2048 by default), valid for `days` (365).
 * For tests and demos only: trust it nowhere else.
 */
export function generateTestCertificate(
  name: string,
  options: { keyType?: 'rsa' | 'ec'; bits?: number; days?: number; clock?: Clock } = {},
): TestCertificate {
  if (name === '' || /[,+"\\<>;=]/.test(name)) {
    throw new NotaryError(
      'KEY_INVALID',
      `certificate name "${name}" is empty or contains one of , + " \\ < > ; =`,
    );
  }
  const keyType = options.keyType ?? 'rsa';
  const bits = options.bits ?? (keyType === 'rsa' ? 2048 : 256);
  let keys;
  if (keyType === 'rsa') {
    if (![2048, 3072, 4096].includes(bits)) {
      throw new NotaryError('KEY_INVALID', `RSA key size ${bits} is not supported: use 2048, 3072 or 4096`);
    }
    keys = generateKeyPairSync('rsa', { modulusLength: bits });
  } else {
    const curve = bits === 256 ? 'P-256' : bits === 384 ? 'P-384' : bits === 521 ? 'P-521' : undefined;
    if (curve === undefined) {
      throw new NotaryError('KEY_INVALID', `EC key size ${bits} is not supported: use 256, 384 or 521`);
    }
    keys = generateKeyPairSync('ec', { namedCurve: curve });
  }
  const now = (options.clock ?? ((): Date => new Date()))();
  const days = options.days ?? 365;
  const hash = keyType === 'ec' ? (bits === 384 ? 'sha384' : bits === 521 ? 'sha512' : 'sha256') : 'sha256';
  const certificateDer = buildCertificate({
    subject: [
      ['C', 'US'],
      ['ST', 'WA'],
      ['L', 'Seattle'],
      ['O', 'Notary'],
      ['CN', name],
    ],
    publicKey: keys.publicKey,
    signingKey: keys.privateKey,
    serial: Uint8Array.from([0x01, ...randomBytes(15)]),
    notBefore: new Date(Math.floor(now.getTime() / 1000) * 1000),
    notAfter: new Date(Math.floor(now.getTime() / 1000) * 1000 + days * 86_400_000),
    basicConstraints: { ca: false, critical: true },
    keyUsage: { bits: [KEY_USAGE.digitalSignature], critical: true },
    extKeyUsage: { oids: [OID.ekuCodeSigning], critical: false },
    hash,
  });
  return {
    keyPem: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    certificatePem: toPem(certificateDer),
    certificateDer,
  };
}
