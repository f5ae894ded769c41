import { createHash, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { notaryErrorOf as failure } from '../notary-error.test-support.js';
import { buildCertificate, type NameSpec } from './certificate-builder.js';
import { KEY_USAGE, OID, parseCertificate, type Certificate } from './certificate.js';
import { readBitString, readDer, readOctetString, sequence } from './der.js';

const NOT_BEFORE = new Date('2026-01-01T00:00:00Z');
const NOT_AFTER = new Date('2027-01-01T00:00:00Z');
const caKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const leafKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const CA_NAME: NameSpec = [
  ['CN', 'test CA'],
  ['O', 'scs'],
];
const DNS_NAMES = ['svc', 'svc.ns', 'svc.ns.svc', 'svc.ns.svc.cluster.local'];

const caDer = buildCertificate({
  subject: CA_NAME,
  publicKey: caKeys.publicKey,
  signingKey: caKeys.privateKey,
  notBefore: NOT_BEFORE,
  notAfter: NOT_AFTER,
  basicConstraints: { ca: true, pathLength: 0 },
  keyUsage: { bits: [KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign] },
  subjectKeyIdentifier: true,
});
const leafDer = buildCertificate({
  subject: [['CN', 'svc.ns.svc']],
  issuer: CA_NAME,
  publicKey: leafKeys.publicKey,
  signingKey: caKeys.privateKey,
  notBefore: NOT_BEFORE,
  notAfter: NOT_AFTER,
  basicConstraints: { ca: false },
  keyUsage: { bits: [KEY_USAGE.digitalSignature] },
  extKeyUsage: { oids: [OID.ekuServerAuth] },
  subjectAltName: { dnsNames: DNS_NAMES },
  authorityKeyIdentifier: true,
});

function extensionValue(cert: Certificate, oid: string): Uint8Array | undefined {
  return cert.extensions.find((e) => e.oid === oid)?.value;
}

/** SHA-1 of the subjectPublicKey bits, computed here from the key's own SPKI. */
function expectedKeyId(spki: Buffer): string {
  const [, bits] = sequence(readDer(new Uint8Array(spki)), 'spki');
  return createHash('sha1').update(readBitString(bits, 'key').bytes).digest('hex');
}

describe('buildCertificate', () => {
  describe('when asked for a TLS CA and a serving certificate (EC P-256)', () => {
    const ca = new X509Certificate(caDer);
    const leaf = new X509Certificate(leafDer);

    it('makes a CA that signed the serving certificate, as OpenSSL checks it', () => {
      expect(ca.ca).toBe(true);
      expect(leaf.ca).toBe(false);
      expect(leaf.checkIssued(ca)).toBe(true);
      expect(leaf.verify(ca.publicKey)).toBe(true);
      expect(ca.verify(ca.publicKey)).toBe(true);
    });

    it('names every DNS name in the subject alternative names and holds the serverAuth EKU only', () => {
      expect(leaf.subjectAltName).toBe(DNS_NAMES.map((n) => `DNS:${n}`).join(', '));
      expect(leaf.checkHost('svc.ns.svc', { subject: 'never' })).toBe('svc.ns.svc');
      expect(leaf.checkHost('other.ns.svc', { subject: 'never' })).toBeUndefined();
      expect(leaf.keyUsage).toEqual([OID.ekuServerAuth]);
    });

    it('identifies the CA key (subjectKeyIdentifier) and the serving certificate points at it (authorityKeyIdentifier)', () => {
      const caId = expectedKeyId(caKeys.publicKey.export({ type: 'spki', format: 'der' }));
      const ski = extensionValue(parseCertificate(caDer), '2.5.29.14');
      expect(Buffer.from(readOctetString(readDer(ski ?? new Uint8Array()), 'ski')).toString('hex')).toBe(
        caId,
      );
      const aki = extensionValue(parseCertificate(leafDer), '2.5.29.35');
      const [keyIdentifier] = sequence(readDer(aki ?? new Uint8Array()), 'aki');
      expect(keyIdentifier?.tag).toBe(0x80);
      expect(Buffer.from(keyIdentifier?.value ?? []).toString('hex')).toBe(caId);
    });

    it('adds no key identifiers or names it was not asked for', () => {
      const ca = parseCertificate(caDer);
      expect(extensionValue(ca, '2.5.29.17')).toBeUndefined();
      expect(extensionValue(ca, '2.5.29.35')).toBeUndefined();
      expect(extensionValue(parseCertificate(leafDer), '2.5.29.14')).toBeUndefined();
    });
  });

  describe('when a DNS name is not printable ASCII', () => {
    it('refuses it and says to use the A-label form', () => {
      const err = failure(() =>
        buildCertificate({
          subject: [['CN', 'x']],
          publicKey: leafKeys.publicKey,
          signingKey: caKeys.privateKey,
          notBefore: NOT_BEFORE,
          notAfter: NOT_AFTER,
          subjectAltName: { dnsNames: ['bücher.example'] },
        }),
      );
      expect(err.code).toBe('CERTIFICATE_INVALID');
      expect(err.message).toBe(
        'the DNS name "bücher.example" is empty or not printable ASCII; use its A-label (punycode) form',
      );
    });
  });
});
