import { describe, expect, it } from 'vitest';
import { createLocalSigner } from '../sign/local-signer.js';
import { generateTestCertificate } from '../sign/generate-test-certificate.js';
import { signArtifact } from '../sign/sign-artifact.js';
import { verificationLevel } from '../trust-policy/verification-level.js';
import { MemoryTrustStore } from '../trust-store/memory-trust-store.js';
import { verifySignature } from './verify-signature.js';

const artifact = {
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: 'sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9',
  size: 517,
};
const signedAt = new Date('2026-03-01T00:00:00Z');
const cert = generateTestCertificate('signing-authority', {
  clock: () => new Date('2026-01-01T00:00:00Z'),
  days: 365,
});
const signer = createLocalSigner({ key: cert.keyPem, certificateChain: cert.certificatePem });

const verify = async (format: 'jws' | 'cose', storeType: 'ca' | 'signingAuthority', at: Date) => {
  const signed = await signArtifact({
    signer,
    artifact,
    format,
    clock: () => signedAt,
    signingScheme: 'notary.x509.signingAuthority',
  });
  return verifySignature({
    envelope: signed.envelope,
    envelopeMediaType: signed.mediaType,
    artifact,
    policy: {
      name: 'sa',
      verificationLevel: verificationLevel('strict'),
      verifyTimestamp: 'always',
      trustStores: [`${storeType}:sa`],
      trustedIdentities: ['*'],
    },
    trustStore: new MemoryTrustStore([
      { type: storeType, name: 'sa', files: [{ name: 'sa.crt', data: cert.certificatePem }] },
    ]),
    clock: () => at,
    revocationChecker: () => Promise.resolve({ result: 'ok' }),
  });
};

describe('the notary.x509.signingAuthority scheme', () => {
  describe.each(['jws', 'cose'] as const)('in %s', (format) => {
    it('verifies against a signingAuthority store, even after the certificate expired', async () => {
      const outcome = await verify(format, 'signingAuthority', new Date('2030-01-01T00:00:00Z'));
      expect(outcome.error).toBeUndefined();
      expect(outcome.details?.signingScheme).toBe('notary.x509.signingAuthority');
      expect(outcome.results.find((r) => r.type === 'authenticTimestamp')?.status).toBe('pass');
    });

    it('is not trusted through a ca store', async () => {
      const outcome = await verify(format, 'ca', new Date('2026-06-01T00:00:00Z'));
      expect(outcome.failedValidation).toBe('authenticity');
      expect(outcome.error).toContain('no trusted certificates are found to verify authenticity');
    });
  });
});
