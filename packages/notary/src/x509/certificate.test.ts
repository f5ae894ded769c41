import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedPath } from '../../../../test/harness/paths.js';
import { buildCertificate, type CertificateSpec } from './certificate-builder.js';
import {
  checkSignatureFrom,
  issuerConstraintError,
  KEY_USAGE,
  OID,
  parseCertificate,
  timestampingEkuProblem,
  type Certificate,
} from './certificate.js';
import { readCertificates } from './pem.js';
import { notaryErrorOf as failure } from '../notary-error.test-support.js';

const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const spec = (overrides: Partial<CertificateSpec> = {}): CertificateSpec => ({
  subject: [
    ['C', 'US'],
    ['O', 'Notary'],
    ['CN', 'test'],
  ],
  publicKey: keys.publicKey,
  signingKey: keys.privateKey,
  notBefore: new Date('2026-01-01T00:00:00Z'),
  notAfter: new Date('2027-01-01T00:00:00Z'),
  ...overrides,
});
const build = (overrides: Partial<CertificateSpec> = {}): Certificate =>
  parseCertificate(buildCertificate(spec(overrides)));

describe('parseCertificate (the package-wide certificate model)', () => {
  describe('when a certificate names its revocation services', () => {
    const [leaf, intermediate] = readCertificates(
      readFileSync(sharedPath('vectors/notation/test/e2e/testdata/config/crl/certchain_with_crl.pem')),
    ).map((der) => parseCertificate(der));

    it('reads the CRL distribution point URIs, the serial number and the issuer name', () => {
      expect(leaf?.crlDistributionPoints).toEqual(['http://localhost:10086/leaf.crl']);
      expect(leaf?.ocspServers).toEqual([]);
      expect(leaf?.serialNumber).toBe(0x1000n);
      expect(leaf?.serialNumberHex).toBe('1000');
      expect(leaf?.issuer).toBe(intermediate?.subject);
    });
  });

  describe('when the same DER is parsed again', () => {
    it('returns the already-parsed certificate (one parse per certificate)', () => {
      const der = buildCertificate(spec());
      expect(parseCertificate(new Uint8Array(der))).toBe(parseCertificate(der));
    });
  });

  describe('when the subject has several common names or an unknown attribute', () => {
    it("renders it as Go's pkix.Name.String(): the last CN only, unknown attributes as #hex last", () => {
      const cert = build({
        subject: [
          ['C', 'US'],
          ['CN', 'first'],
          ['1.2.3.4', 'x'],
          ['CN', 'second'],
        ],
      });
      expect(cert.subject).toBe('CN=second,C=US,1.2.3.4=#130178');
    });
  });

  describe('when a v1 certificate carries extensions', () => {
    it('is refused as malformed', () => {
      const der = buildCertificate(spec({ keyUsage: { bits: [KEY_USAGE.digitalSignature] } }));
      // [0] { INTEGER 2 } (v3) -> [0] { INTEGER 0 } (v1), extensions kept.
      const at = Buffer.from(der).indexOf(Buffer.from([0xa0, 0x03, 0x02, 0x01, 0x02]));
      expect(at).toBeGreaterThan(0);
      der[at + 4] = 0;
      const err = failure(() => parseCertificate(der, 'the test certificate'));
      expect(err.code).toBe('CERTIFICATE_INVALID');
      expect(err.message).toBe(
        'the test certificate is not a valid X.509 certificate: extensions in a non-v3 certificate',
      );
    });
  });

  describe('when an issuer has a key usage extension with no bit set', () => {
    it('may sign neither certificates nor CRLs', () => {
      const issuer = build({ basicConstraints: { ca: true }, keyUsage: { bits: [] } });
      expect(issuer.keyUsage).toBe(0);
      const cannotSign = 'x509: invalid signature: parent certificate cannot sign this kind of certificate';
      expect(issuerConstraintError(issuer, KEY_USAGE.keyCertSign)).toBe(cannotSign);
      expect(issuerConstraintError(issuer, KEY_USAGE.cRLSign)).toBe(cannotSign);
      expect(checkSignatureFrom(build(), issuer)).toBe(cannotSign);
    });

    it('may sign when the extension is absent or carries the bit', () => {
      const child = build({ subject: [['CN', 'child']], issuer: spec().subject });
      expect(checkSignatureFrom(child, build({ basicConstraints: { ca: true } }))).toBeUndefined();
      const withBit = build({ basicConstraints: { ca: true }, keyUsage: { bits: [KEY_USAGE.keyCertSign] } });
      expect(checkSignatureFrom(child, withBit)).toBeUndefined();
      expect(issuerConstraintError(withBit, KEY_USAGE.cRLSign)).toBeDefined();
    });
  });

  describe('when a certificate is meant to sign timestamps', () => {
    it.each([
      ['only TimeStamping, critical', { oids: [OID.ekuTimeStamping], critical: true }, undefined],
      ['TimeStamping, not critical', { oids: [OID.ekuTimeStamping], critical: false }, 'not-critical'],
      [
        'TimeStamping and CodeSigning',
        { oids: [OID.ekuTimeStamping, OID.ekuCodeSigning], critical: true },
        'not-only-timestamping',
      ],
      ['no extended key usage', undefined, 'not-only-timestamping'],
    ] as const)('judges %s', (_, extKeyUsage, problem) => {
      expect(timestampingEkuProblem(build({ extKeyUsage }))).toBe(problem);
    });
  });
});
