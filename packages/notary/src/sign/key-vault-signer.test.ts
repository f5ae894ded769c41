import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedPath } from '../../../../test/harness/paths.js';
import { verifyEnvelopeBytes } from '../envelope/envelope.js';
import { NotaryError } from '../errors.js';
import { KEY_USAGE, OID, parseCertificate } from '../x509/certificate.js';
import { buildCertificate } from '../x509/certificate-builder.js';
import { keySpecOf } from '../x509/key-spec.js';
import { readCertificates, toPem } from '../x509/pem.js';
import { generateTestCertificate } from './generate-test-certificate.js';
import { FakeKeyVault } from './key-vault-fake.test-support.js';
import { createKeyVaultSigner, type KeyVaultCredential } from './key-vault-signer.js';
import { signArtifact } from './sign-artifact.js';

const HOST = 'scs-test.vault.azure.net';
const VERSION = '0123456789abcdef0123456789abcdef';
const TOKEN = 'fake-access-token-not-a-secret';
const artifact = {
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: 'sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9',
  size: 517,
};
const clock = (): Date => new Date('2026-11-27T10:00:00Z');

/** An injected TokenCredential as a plain object; counts the scopes it was asked for. */
function credential(): KeyVaultCredential & { scopes: string[] } {
  const scopes: string[] = [];
  return {
    scopes,
    getToken: (scope: string | string[]) => {
      scopes.push(...(Array.isArray(scope) ? scope : [scope]));
      return Promise.resolve({ token: TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 });
    },
  };
}

function vaultWith(name: string, der: Uint8Array, keyPem: string): FakeKeyVault {
  return new FakeKeyVault(HOST, [{ name, version: VERSION, certificateDer: der, keyPem }], TOKEN);
}

describe('createKeyVaultSigner (through the real Azure SDK clients and a fake Key Vault)', () => {
  describe.each([
    ['rsa', 2048, 'RSASSA-PSS-SHA-256'],
    ['rsa', 3072, 'RSASSA-PSS-SHA-384'],
    ['ec', 256, 'ECDSA-SHA-256'],
    ['ec', 384, 'ECDSA-SHA-384'],
  ] as const)('when the certificate key is %s-%i', (keyType, bits, alg) => {
    it(`signs JWS and COSE envelopes with ${alg} that verify`, async () => {
      const cert = generateTestCertificate(`kv-${keyType}-${bits}`, { keyType, bits, clock });
      const fake = vaultWith('signing-cert', cert.certificateDer, cert.keyPem);
      const cred = credential();
      const signer = createKeyVaultSigner({
        keyId: `https://${HOST}/keys/signing-cert/${VERSION}`,
        credential: cred,
        httpClient: fake,
      });
      for (const format of ['jws', 'cose'] as const) {
        const signed = await signArtifact({ signer, artifact, format, clock });
        const content = verifyEnvelopeBytes(signed.mediaType, signed.envelope);
        expect(content.signatureAlgorithm).toBe(alg);
        expect(content.certificateChain.map((c) => c.sha256)).toEqual([
          parseCertificate(cert.certificateDer).sha256,
        ]);
      }
      // The SDK went through the Key Vault challenge and then used the injected credential.
      expect(fake.requests[0]?.authorized).toBe(false);
      expect(fake.requests.some((r) => r.method === 'POST' && r.path.endsWith('/sign') && r.authorized)).toBe(
        true,
      );
      expect(cred.scopes).toContain('https://vault.azure.net/.default');
    });
  });

  describe('when the certificate is CA-issued (notation-azure-kv cert-bundle fixtures)', () => {
    const root = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const inter = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const leafKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const validity = {
      notBefore: new Date('2026-01-01T00:00:00Z'),
      notAfter: new Date('2027-01-01T00:00:00Z'),
    };
    const rootDer = buildCertificate({
      subject: [['CN', 'KV Root']],
      publicKey: root.publicKey,
      signingKey: root.privateKey,
      ...validity,
      basicConstraints: { ca: true },
      keyUsage: { bits: [KEY_USAGE.keyCertSign] },
    });
    const interDer = buildCertificate({
      subject: [['CN', 'KV Intermediate']],
      issuer: [['CN', 'KV Root']],
      publicKey: inter.publicKey,
      signingKey: root.privateKey,
      ...validity,
      basicConstraints: { ca: true, pathLength: 0 },
      keyUsage: { bits: [KEY_USAGE.keyCertSign] },
    });
    const leafDer = buildCertificate({
      subject: [['CN', 'KV Leaf']],
      issuer: [['CN', 'KV Intermediate']],
      publicKey: leafKey.publicKey,
      signingKey: inter.privateKey,
      ...validity,
      basicConstraints: { ca: false },
      keyUsage: { bits: [KEY_USAGE.digitalSignature] },
      extKeyUsage: { oids: [OID.ekuCodeSigning] },
    });
    const keyPem = leafKey.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const make = (chain?: Parameters<typeof createKeyVaultSigner>[0]['chain']) =>
      createKeyVaultSigner({
        keyId: `https://${HOST}/keys/ca-issued/${VERSION}`,
        credential: credential(),
        httpClient: vaultWith('ca-issued', leafDer, keyPem),
        chain,
      });

    it('completes the chain from a CA bundle given in any order', async () => {
      const signer = make({ caCertificates: toPem(rootDer) + toPem(interDer) });
      const signed = await signArtifact({ signer, artifact, format: 'cose', clock });
      const content = verifyEnvelopeBytes(signed.mediaType, signed.envelope);
      expect(content.certificateChain.map((c) => c.subject)).toEqual([
        'CN=KV Leaf',
        'CN=KV Intermediate',
        'CN=KV Root',
      ]);
    });

    it('refuses a bundle that only holds the root (incomplete chain)', async () => {
      const signer = make({ caCertificates: toPem(rootDer) });
      const err = await signer.certificateChain().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotaryError);
      expect((err as NotaryError).code).toBe('CHAIN_INVALID');
      expect((err as NotaryError).message).toContain(
        'the certificate chain is incomplete: no certificate in the CA bundle issued "CN=KV Leaf"',
      );
    });

    it('refuses to sign without a bundle', async () => {
      await expect(make().certificateChain()).rejects.toThrow('give the CA bundle (intermediates and root)');
    });

    it('refuses self_signed together with a CA bundle (notation-azure-kv: self_signed=true + ca_certs → failure)', () => {
      const both = {
        caCertificates: toPem(rootDer) + toPem(interDer),
        selfSigned: true,
      } as unknown as Parameters<typeof createKeyVaultSigner>[0]['chain'];
      expect(() => make(both)).toThrow(
        'give either the CA bundle (caCertificates) or selfSigned for the Key Vault certificate, not both',
      );
    });

    it('refuses a bundle holding a certificate that is not part of the chain', async () => {
      const stray = generateTestCertificate('stray', { clock });
      const signer = make({ caCertificates: toPem(rootDer) + toPem(interDer) + stray.certificatePem });
      await expect(signer.certificateChain()).rejects.toThrow(
        'the chain needs 3 certificates but 4 were given: remove "CN=stray,O=Notary,L=Seattle,ST=WA,C=US" from the CA bundle',
      );
    });

    it('refuses self_signed for a CA-issued certificate', async () => {
      await expect(make({ selfSigned: true }).certificateChain()).rejects.toThrow(
        'is issued by "CN=KV Intermediate"',
      );
    });
  });

  describe('when Key Vault refuses to sign', () => {
    it('fails with the status and code only, never the response body or the token', async () => {
      const cert = generateTestCertificate('kv-denied', { clock });
      const fake = vaultWith('denied', cert.certificateDer, cert.keyPem);
      const signer = createKeyVaultSigner({
        keyId: `https://${HOST}/keys/denied/${VERSION}`,
        credential: credential(),
        httpClient: fake,
      });
      fake.failSignWith = 403;
      const err = (await signArtifact({ signer, artifact, format: 'jws', clock }).catch(
        (e: unknown) => e,
      )) as NotaryError;
      expect(err.code).toBe('SIGNER_FAILED');
      expect(err.message).toContain('Key Vault could not sign with key "denied"');
      expect(err.message).toContain('HTTP 403');
      expect(err.message).not.toContain('secret-detail-xyz');
      expect(err.message).not.toContain(TOKEN);
    });
  });

  describe('when the key id is not a Key Vault key URL', () => {
    it.each([
      'http://x.vault.azure.net/keys/a/0123456789abcdef0123456789abcdef',
      'https://x.vault.azure.net/keys/a',
      'kv://a',
    ])('refuses %s', (keyId) => {
      expect(() => createKeyVaultSigner({ keyId, credential: credential() })).toThrow(
        'the Key Vault key id must look like',
      );
    });
  });
});

describe('key spec detection (notation-azure-kv TestData certificates)', () => {
  const dir = 'vectors/notation-azure-kv/Notation.Plugin.AzureKeyVault.Tests/TestData/';
  it.each([
    ['rsa_2048.crt', 'RSA-2048'],
    ['rsa_3072.crt', 'RSA-3072'],
    ['rsa_4096.crt', 'RSA-4096'],
    ['ec_256.crt', 'EC-256'],
    ['ec_384.crt', 'EC-384'],
    ['ec_521.crt', 'EC-521'],
  ])('accepts %s as %s', (file, expected) => {
    const [der] = readCertificates(readFileSync(sharedPath(dir + file)));
    expect(keySpecOf(parseCertificate(der ?? new Uint8Array()).publicKey).description).toBe(expected);
  });

  it.each([
    ['rsa_1024.crt', 'rsa key size 1024 bits is not supported'],
    ['ec_163.crt', 'ecdsa key size 163 bits is not supported'],
    ['dsa_2048.crt', 'unsupported public key type'],
  ])('refuses %s', (file, reason) => {
    const [der] = readCertificates(readFileSync(sharedPath(dir + file)));
    const { spec, description } = keySpecOf(parseCertificate(der ?? new Uint8Array()).publicKey);
    expect(spec).toBeUndefined();
    expect(description).toBe(reason);
  });
});
