import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedPath } from '../../../../test/harness/paths.js';
import { type CborKey, CborTag, type CborValue, decodeCbor, encodeCbor } from '../cbor/cbor.js';
import { assembleCose, type CoseSigningInput, coseProtectedHeader } from '../envelope/cose.js';
import { parsePayload, verifyEnvelopeBytes } from '../envelope/envelope.js';
import { jwsProtectedHeader } from '../envelope/jws.js';
import { NotaryError } from '../errors.js';
import { generateTestCertificate } from './generate-test-certificate.js';
import { createLocalSigner } from './local-signer.js';
import { signArtifact } from './sign-artifact.js';

const artifact = {
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: 'sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9',
  size: 517,
};
const clock = (): Date => new Date('2026-11-27T10:00:00.750Z');

describe('signArtifact', () => {
  describe.each(['jws', 'cose'] as const)('when the format is %s', (format) => {
    it.each([
      ['rsa', 2048, 'RSASSA-PSS-SHA-256'],
      ['rsa', 3072, 'RSASSA-PSS-SHA-384'],
      ['rsa', 4096, 'RSASSA-PSS-SHA-512'],
      ['ec', 256, 'ECDSA-SHA-256'],
      ['ec', 384, 'ECDSA-SHA-384'],
      ['ec', 521, 'ECDSA-SHA-512'],
    ] as const)('signs with %s-%i using %s and the envelope verifies', async (keyType, bits, alg) => {
      const cert = generateTestCertificate(`rt-${keyType}-${bits}`, { keyType, bits, clock });
      const signer = createLocalSigner({ key: cert.keyPem, certificateChain: cert.certificatePem });
      const signed = await signArtifact({
        signer,
        artifact,
        format,
        clock,
        expiresIn: { seconds: 3600 },
        userMetadata: { buildId: '42' },
      });
      const content = verifyEnvelopeBytes(signed.mediaType, signed.envelope);
      expect(content.signatureAlgorithm).toBe(alg);
      expect(content.signingTime.date.toISOString()).toBe('2026-11-27T10:00:00.000Z');
      expect(content.expiry?.date.toISOString()).toBe('2026-11-27T11:00:00.000Z');
      expect(content.certificateChain[0]?.subject).toBe(
        `CN=rt-${keyType}-${bits},O=Notary,L=Seattle,ST=WA,C=US`,
      );
      expect(parsePayload(content)).toEqual({ ...artifact, annotations: { buildId: '42' } });
    });
  });

  describe('when signing with notation e2e key and certificate', () => {
    it('produces a JWS notation-compatible in shape (payload key order, headers)', async () => {
      const dir = sharedPath('vectors/notation/test/e2e/testdata/config/localkeys');
      const signer = createLocalSigner({
        key: readFileSync(`${dir}/e2e.key`),
        certificateChain: readFileSync(`${dir}/e2e.crt`),
      });
      const signed = await signArtifact({ signer, artifact, format: 'jws', clock });
      const doc = JSON.parse(Buffer.from(signed.envelope).toString()) as Record<string, string>;
      expect(Object.keys(doc)).toEqual(['payload', 'protected', 'header', 'signature']);
      expect(Buffer.from(doc.payload ?? '', 'base64url').toString()).toBe(
        `{"targetArtifact":{"digest":"${artifact.digest}","mediaType":"${artifact.mediaType}","size":517}}`,
      );
      expect(JSON.parse(Buffer.from(doc.protected ?? '', 'base64url').toString())).toEqual({
        alg: 'PS256',
        crit: ['io.cncf.notary.signingScheme'],
        cty: 'application/vnd.cncf.notary.payload.v1+json',
        'io.cncf.notary.signingScheme': 'notary.x509',
        'io.cncf.notary.signingTime': '2026-11-27T10:00:00Z',
      });
    });
  });

  describe('when the signer key does not match the certificate', () => {
    it('is refused before signing', () => {
      const a = generateTestCertificate('a', { clock });
      const b = generateTestCertificate('b', { clock });
      expect(() => createLocalSigner({ key: a.keyPem, certificateChain: b.certificatePem })).toThrow(
        'the signing key does not match the public key of the signing certificate "CN=b,O=Notary,L=Seattle,ST=WA,C=US"',
      );
    });
  });

  describe('when the certificate is not valid at signing time', () => {
    it('refuses to sign', async () => {
      const cert = generateTestCertificate('old', { clock: () => new Date('2020-01-01T00:00:00Z'), days: 1 });
      const signer = createLocalSigner({ key: cert.keyPem, certificateChain: cert.certificatePem });
      const err = await signArtifact({ signer, artifact, format: 'cose', clock }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotaryError);
      expect((err as NotaryError).code).toBe('CHAIN_INVALID');
      expect((err as NotaryError).message).toContain('was invalid at signing time');
    });
  });

  describe('when user metadata uses the reserved prefix', () => {
    it('is refused', async () => {
      const cert = generateTestCertificate('meta', { clock });
      const signer = createLocalSigner({ key: cert.keyPem, certificateChain: cert.certificatePem });
      await expect(
        signArtifact({ signer, artifact, format: 'jws', clock, userMetadata: { 'io.cncf.notary.x': '1' } }),
      ).rejects.toThrow('reserved prefix');
    });
  });
});

/** The signed attributes of notation-core-go's COSE conformance vector (cose/testdata/conformance.json). */
const COSE_CONFORMANCE_HEADER: CoseSigningInput = {
  algorithm: 'RSASSA-PSS-SHA-384',
  payload: new Uint8Array(0),
  payloadContentType: 'application/vnd.cncf.notary.payload.v1+json',
  signingScheme: 'notary.x509',
  signingTime: new Date(1661321924 * 1000),
  expiry: new Date(1661408324 * 1000),
  extendedAttributes: [
    { key: 'signedCritKey1', critical: true, value: 'signedCritValue1' },
    { key: 'signedKey1', critical: false, value: 'signedValue1' },
  ],
};

describe('protected headers', () => {
  it('match the notation-core-go JWS conformance header byte for byte', () => {
    const vector = JSON.parse(
      readFileSync(sharedPath('vectors/notation-core-go/signature/jws/testdata/conformance.json'), 'utf8'),
    ) as { protected: string };
    const header = jwsProtectedHeader({
      algorithm: 'ECDSA-SHA-256',
      payload: new Uint8Array(0),
      payloadContentType: 'application/vnd.cncf.notary.payload.v1+json',
      signingScheme: 'notary.x509',
      signingTime: new Date('2022-08-29T13:50:00Z'),
      expiry: new Date('2099-08-30T13:50:00Z'),
      extendedAttributes: [
        { key: 'signedCritKey1', critical: true, value: 'signedCritValue1' },
        { key: 'signedKey1', critical: false, value: 'signedValue1' },
        { key: 'signedKey2', critical: false, value: 'signedValue1' },
        { key: 'signedKey3', critical: false, value: 'signedValue1' },
        { key: 'signedKey4', critical: false, value: 'signedValue1' },
      ],
    });
    expect(header).toBe(vector.protected);
  });

  it('match the notation-core-go COSE conformance header byte for byte', () => {
    const vector = JSON.parse(
      readFileSync(sharedPath('vectors/notation-core-go/signature/cose/testdata/conformance.json'), 'utf8'),
    ) as { protectedHeaders: { cborHex: string } };
    const header = coseProtectedHeader(COSE_CONFORMANCE_HEADER);
    expect(Buffer.from(header).toString('hex')).toBe(vector.protectedHeaders.cborHex.toLowerCase());
  });

  it('lay out COSE_Sign1_Tagged as the notation-core-go conformance output (its signer has no x5chain)', () => {
    const vector = JSON.parse(
      readFileSync(sharedPath('vectors/notation-core-go/signature/cose/testdata/conformance.json'), 'utf8'),
    ) as { payload: string; expectedOutput: { cborHex: string } };
    const expected = Buffer.from(vector.expectedOutput.cborHex, 'hex');
    const decoded = decodeCbor(new Uint8Array(expected));
    if (!(decoded instanceof CborTag) || !Array.isArray(decoded.value))
      throw new Error('not COSE_Sign1_Tagged');
    // The signature comes from a random test key (not verifiable): its bytes are reused as they are.
    const signature = decoded.value[3] as Uint8Array;
    const assembled = assembleCose({
      protectedHeader: coseProtectedHeader(COSE_CONFORMANCE_HEADER),
      payload: new Uint8Array(Buffer.from(vector.payload, 'hex')),
      signature,
      certificateChain: [],
      signingAgent: 'NotationConformanceTest/1.0.0',
    });
    const ours = decodeCbor(assembled) as CborTag;
    const unprotected = (ours.value as CborValue[])[1] as Map<CborKey, CborValue>;
    expect(unprotected.get(33)).toEqual([]);
    unprotected.delete(33); // x5chain: notation always writes it; the conformance vector has none
    expect(Buffer.from(encodeCbor(ours)).toString('hex')).toBe(expected.toString('hex'));
  });
});
