import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedPath } from '../../../../test/harness/paths.js';
import { notaryErrorOf as failure } from '../notary-error.test-support.js';
import { type Certificate, parseCertificate } from '../x509/certificate.js';
import { readCertificates } from '../x509/pem.js';
import { buildCertificateChain, completeChain } from './certificate-chain.js';

/** notation-azure-kv's CertificateChainTests.Build fixtures (INDEX.md §I). */
const TEST_DATA = 'vectors/notation-azure-kv/Notation.Plugin.AzureKeyVault.Tests/TestData/';
const file = (name: string): Certificate[] => {
  const bytes = new Uint8Array(readFileSync(sharedPath(TEST_DATA + name)));
  return bytes.length === 0 ? [] : readCertificates(bytes, name).map((der) => parseCertificate(der));
};
const fingerprints = (certs: readonly Certificate[]): string[] => certs.map((c) => c.sha256);

describe('buildCertificateChain (notation-azure-kv CertificateChain.Build)', () => {
  describe('when the bundle holds exactly one chain', () => {
    it.each([
      ['self_signed_leaf.pem', 'self_signed_leaf.pem'],
      ['leaf_root.pem', 'leaf_root.pem'],
      ['root_leaf.pem', 'leaf_root.pem'],
      ['leaf_inter_root.pem', 'leaf_inter_root.pem'],
      ['inter_root_leaf.pem', 'leaf_inter_root.pem'],
      ['leaf_inter2_inter1_root.pem', 'leaf_inter2_inter1_root.pem'],
      ['inter2_inter1_root_leaf.pem', 'leaf_inter2_inter1_root.pem'],
    ])('orders chain/%s as chain/%s', (input, expected) => {
      const chain = buildCertificateChain(file(`chain/${input}`));
      expect(fingerprints(chain)).toEqual(fingerprints(file(`chain/${expected}`)));
    });
  });

  describe('when the bundle is not exactly one complete chain', () => {
    it.each([
      [
        'empty.pem',
        'there is no certificate to build a chain from: give the signing certificate and its CA bundle',
      ],
      [
        'leaf.pem',
        'the only certificate, "CN=ratify.default", is not self-signed (issuer "CN=ratify.inter"): give the CA bundle (intermediates and root) to complete the chain',
      ],
      [
        '2self_signed_leaf.pem',
        'two certificates have the subject "CN=Ratify Root CA,O=Ratify": the certificate bundle must hold each certificate of the chain once',
      ],
      [
        '2root_leaf.pem',
        'two certificates have the subject "CN=Test CA": the certificate bundle must hold each certificate of the chain once',
      ],
      [
        'leaf_unknown.pem',
        'the certificates form more than one chain ("CN=Test-Signer,O=notation,ST=WA,C=US", "CN=ratify.default" issue no other certificate): give only the signing certificate, its intermediates and its root',
      ],
      [
        'leaf_root_unknown.pem',
        'the certificates form more than one chain ("CN=Test-Signer,O=notation,ST=WA,C=US", "CN=ratify.default" issue no other certificate): give only the signing certificate, its intermediates and its root',
      ],
      [
        'root_leaf1_leaf2.pem',
        'the certificates form more than one chain ("CN=Test-Signer,O=notation,ST=WA,C=US", "CN=ratify.default" issue no other certificate): give only the signing certificate, its intermediates and its root',
      ],
      [
        'leaf_root_without_inter.pem',
        'the certificates form more than one chain ("CN=ratify.default", "CN=Ratify Root CA,O=Ratify" issue no other certificate): give only the signing certificate, its intermediates and its root',
      ],
      [
        'leaf_inter.pem',
        'the certificate chain is incomplete: no certificate in the CA bundle issued "CN=ratify.inter" (issuer "CN=Ratify Root CA,O=Ratify"); the bundle must hold every intermediate and the root',
      ],
      [
        'leaf_inter_root_unknown.pem',
        'the certificates form more than one chain ("CN=Test-Signer,O=notation,ST=WA,C=US", "CN=ratify.default" issue no other certificate): give only the signing certificate, its intermediates and its root',
      ],
      [
        'leaf_inter2_inter1_unknown.pem',
        'the certificates form more than one chain ("CN=ratify.default", "CN=Test-Signer,O=notation,ST=WA,C=US" issue no other certificate): give only the signing certificate, its intermediates and its root',
      ],
      [
        'leaf_inter_root_otherinter.pem',
        'the certificates form more than one chain ("CN=ratify.default", "CN=ratify.inter1" issue no other certificate): give only the signing certificate, its intermediates and its root',
      ],
      [
        'root1_leaf_root2.pem',
        'the certificates form more than one chain ("CN=Test CA", "CN=ratify.default" issue no other certificate): give only the signing certificate, its intermediates and its root',
      ],
      [
        'leaf_inter_root_leaf2_root2.pem',
        'the certificates form more than one chain ("CN=ratify.default", "CN=Test-Signer,O=notation,ST=WA,C=US" issue no other certificate): give only the signing certificate, its intermediates and its root',
      ],
      [
        'DN_loop.pem',
        // inter1 and inter2 name each other as issuer; the first link's signature already fails.
        'certificate "CN=ratify.inter2" is not signed by "CN=ratify.inter1" of the CA bundle: crypto/rsa: verification error',
      ],
    ])('refuses chain/%s', (input, message) => {
      const err = failure(() => buildCertificateChain(file(`chain/${input}`)));
      expect(err.code).toBe('CHAIN_INVALID');
      expect(err.message).toBe(message);
    });
  });
});

describe('completeChain (a Key Vault certificate + its CA bundle)', () => {
  const [leaf] = file('leaf.crt') as [Certificate];

  it('completes TestData/leaf.crt with TestData/root.crt (CertificateChainTests, leaf + bundle form)', () => {
    expect(completeChain(leaf, file('root.crt')).map((c) => c.subject)).toEqual([
      'CN=Test-Signer,O=notation,ST=WA,C=US',
      'CN=Test CA',
    ]);
  });

  it('refuses TestData/unmatchable_root.pem: same name as the issuer, another key', () => {
    const err = failure(() => completeChain(leaf, file('unmatchable_root.pem')));
    expect(err.message).toMatch(
      /^certificate "CN=Test-Signer,O=notation,ST=WA,C=US" is not signed by "CN=Test CA" of the CA bundle: /,
    );
  });

  it('refuses an empty bundle (TestData/empty.pem) for a CA-issued certificate', () => {
    expect(failure(() => completeChain(leaf, file('empty.pem'))).message).toBe(
      'the certificate chain is incomplete: no certificate in the CA bundle issued "CN=Test-Signer,O=notation,ST=WA,C=US" (issuer "CN=Test CA"); the bundle must hold every intermediate and the root',
    );
  });

  it('refuses a bundle that repeats the signing certificate (TestData/cert_chain.pem holds leaf and root)', () => {
    expect(failure(() => completeChain(leaf, file('cert_chain.pem'))).message).toBe(
      'two certificates have the subject "CN=Test-Signer,O=notation,ST=WA,C=US": the certificate bundle must hold each certificate of the chain once',
    );
  });

  describe('with the notation-azure-kv e2e bundle (test/e2e/certs; the Key Vault leaf it signs is made at e2e time and not shipped)', () => {
    const certs = (name: string): Certificate[] =>
      readCertificates(
        new Uint8Array(readFileSync(sharedPath(`vectors/notation-azure-kv/test/e2e/certs/${name}`))),
      ).map((der) => parseCertificate(der));
    const bundle = certs('cert-bundle.pem');
    const inter2 = bundle.find((c) => c.subject === 'CN=Notation.inter2') as Certificate;

    it('cert-bundle.pem completes a certificate issued by Notation.inter2 up to the root (ca_certs=cert-bundle.pem → success)', () => {
      const rest = bundle.filter((c) => c !== inter2);
      expect(completeChain(inter2, rest).map((c) => c.subject)).toEqual([
        'CN=Notation.inter2',
        'CN=Notation.inter1',
        'CN=Notation Root CA,O=Notation',
      ]);
    });

    it('root.crt alone does not (ca_certs=root.pem → failure: incomplete chain)', () => {
      expect(failure(() => completeChain(inter2, certs('root.crt'))).message).toBe(
        'the certificate chain is incomplete: no certificate in the CA bundle issued "CN=Notation.inter2" (issuer "CN=Notation.inter1"); the bundle must hold every intermediate and the root',
      );
    });
  });
});
