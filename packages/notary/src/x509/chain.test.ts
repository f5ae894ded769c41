import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedPath } from '../../../../test/harness/paths.js';
import { validateCertificateChain } from './chain.js';
import { readCertificates } from './pem.js';
import { notaryErrorOf as failure } from '../notary-error.test-support.js';

const certs = (...segments: string[]): Uint8Array[] =>
  readCertificates(readFileSync(sharedPath('vectors', ...segments)));
const chainFile = (name: string): Uint8Array[] =>
  certs('notation-azure-kv', 'Notation.Plugin.AzureKeyVault.Tests', 'TestData', 'chain', name);

describe('validateCertificateChain', () => {
  describe('when the chain is a valid self-signed code-signing certificate', () => {
    it('accepts notation e2e.crt and returns it parsed with Go-style names', () => {
      const [leaf] = validateCertificateChain(certs('notation/test/e2e/testdata/config/localkeys/e2e.crt'), {
        purpose: 'codeSigning',
      });
      expect(leaf?.subject).toBe('CN=e2e,O=Notary,L=Seattle,ST=WA,C=US');
      expect(leaf?.sha256).toBe('e38aea13f2b051f7183cca64a51ee676f4d4456f41d9fecf15eb367efc7343b9');
    });

    it('accepts the openssl minimum self-signed leaf', () => {
      const chain = certs('notation-core-go/x509/testdata/openssl-minimum-self-signed.pem');
      expect(validateCertificateChain(chain, { purpose: 'codeSigning' })).toHaveLength(1);
    });
  });

  describe('when the chain is leaf ← intermediate ← root', () => {
    it('accepts the notation CRL test chain', () => {
      const chain = certs('notation/test/e2e/testdata/config/crl/certchain_with_crl.pem');
      const parsed = validateCertificateChain(chain, { purpose: 'codeSigning' });
      expect(parsed.map((c) => c.subject)).toEqual([
        'CN=LeafCert,OU=OrgUnit,O=Organization,L=City,ST=State,C=US',
        'CN=IntermediateCA,OU=OrgUnit,O=Organization,L=City,ST=State,C=US',
        'CN=RootCA,OU=OrgUnit,O=Organization,L=City,ST=State,C=US',
      ]);
    });

    it.each(['leaf_root.pem', 'leaf_inter_root.pem', 'leaf_inter2_inter1_root.pem'])('accepts %s', (name) => {
      expect(validateCertificateChain(chainFile(name), { purpose: 'codeSigning' }).length).toBeGreaterThan(1);
    });
  });

  describe('when the chain is out of order or incomplete', () => {
    it.each([
      ['inter_root_leaf.pem', 'CERTIFICATE_INVALID', 'the ca field must be set to false'],
      [
        'root_leaf.pem',
        'CHAIN_INVALID',
        'is self-signed. Certificate chain must not contain self-signed leaf',
      ],
      [
        'leaf_inter.pem',
        'CHAIN_INVALID',
        'Certificate chain must end with a valid self-signed root certificate',
      ],
      ['leaf_root_without_inter.pem', 'CHAIN_INVALID', 'is not issued by "CN=Ratify Root CA,O=Ratify"'],
      ['DN_loop.pem', 'CHAIN_INVALID', 'is not issued by'],
      ['2root_leaf.pem', 'CHAIN_INVALID', 'self-signed'],
      ['leaf_inter_root_leaf2_root2.pem', 'CHAIN_INVALID', ''],
      ['root1_leaf_root2.pem', 'CHAIN_INVALID', ''],
    ])('rejects %s with %s', (name, code, fragment) => {
      const err = failure(() => validateCertificateChain(chainFile(name), { purpose: 'codeSigning' }));
      expect(err.code).toBe(code);
      expect(err.message).toContain(fragment);
    });

    it('rejects a lone certificate that is not self-signed', () => {
      const err = failure(() => validateCertificateChain(chainFile('leaf.pem'), { purpose: 'codeSigning' }));
      expect(err.code).toBe('CHAIN_INVALID');
      expect(err.message).toContain('invalid self-signed certificate');
    });

    it('rejects an empty chain', () => {
      const err = failure(() => validateCertificateChain([], { purpose: 'codeSigning' }));
      expect(err.message).toBe('certificate chain must contain at least one certificate');
    });
  });

  describe('when the purpose is timestamping', () => {
    const tsa = [
      ...certs('notation-core-go/x509/testdata/timestamp_leaf.crt'),
      ...certs('notation-core-go/x509/testdata/timestamp_intermediate.crt'),
      ...certs('notation-core-go/x509/testdata/timestamp_root.crt'),
    ];

    it('accepts the DigiCert TSA chain', () => {
      const [leaf] = validateCertificateChain(tsa, { purpose: 'timestamping' });
      expect(leaf?.subject).toBe('CN=DigiCert Timestamp 2023,O=DigiCert\\, Inc.,C=US');
    });

    it('refuses the same chain for code signing (TimeStamping EKU)', () => {
      const err = failure(() => validateCertificateChain(tsa, { purpose: 'codeSigning' }));
      expect(err.code).toBe('CERTIFICATE_INVALID');
      expect(err.message).toContain('extended key usage must not contain TimeStamping eku');
    });

    it('refuses a code-signing certificate as a TSA leaf', () => {
      const chain = certs('notation/test/e2e/testdata/config/localkeys/e2e.crt');
      const err = failure(() => validateCertificateChain(chain, { purpose: 'timestamping' }));
      expect(err.message).toContain('must have and only have TimeStamping as extended key usage');
    });
  });

  describe('when a time is given', () => {
    it('rejects a certificate not yet valid at that time, in notation words', () => {
      const chain = certs('notation/test/e2e/testdata/config/localkeys/e2e.crt');
      const err = failure(() =>
        validateCertificateChain(chain, { purpose: 'codeSigning', at: new Date('2000-01-01T00:00:00Z') }),
      );
      expect(err.code).toBe('CHAIN_INVALID');
      expect(err.message).toBe(
        'certificate with subject "CN=e2e,O=Notary,L=Seattle,ST=WA,C=US" was invalid at signing time of 2000-01-01 00:00:00 +0000 UTC. Certificate is valid from [2022-12-19 02:43:39 +0000 UTC] to [2122-12-19 02:43:39 +0000 UTC]',
      );
    });
  });

  describe('when the bytes are not a certificate', () => {
    it('names the certificate that cannot be parsed', () => {
      const err = failure(() =>
        validateCertificateChain([Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01)], { purpose: 'codeSigning' }),
      );
      expect(err.code).toBe('CERTIFICATE_INVALID');
      expect(err.message).toContain('certificate #1 of the chain is not a valid X.509 certificate');
    });
  });
});
