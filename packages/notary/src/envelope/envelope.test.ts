import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedPath } from '../../../../test/harness/paths.js';
import { parsePayload, verifyEnvelopeBytes } from './envelope.js';
import { MEDIA_TYPE_COSE, MEDIA_TYPE_JWS } from './types.js';
import { notaryErrorOf as failure } from '../notary-error.test-support.js';

const vector = (p: string): Uint8Array => new Uint8Array(readFileSync(sharedPath('vectors', p)));
const MOCK = 'notation-go/internal/mock/testdata/';
const TS = 'notation-go/verifier/testdata/timestamp/sigEnv/';
const LAYOUT = 'notation/test/e2e/testdata/registry/oci_layout/';

describe('verifyEnvelopeBytes', () => {
  describe('when the envelope is a notation-produced JWS', () => {
    it.each([
      [`${MOCK}ca_valid_sig_env.json`, 'RSASSA-PSS-SHA-384', '2020-11-09T07:00:00.000Z'],
      [`${MOCK}ca_expired_sig_env.json`, 'RSASSA-PSS-SHA-384', '2022-07-29T00:00:00.000Z'],
      [`${MOCK}ca_plugin_sig_env.json`, 'RSASSA-PSS-SHA-384', '2020-11-09T07:00:00.000Z'],
      [`${MOCK}sig_env_with_metadata.json`, 'RSASSA-PSS-SHA-256', '2023-01-11T18:02:54.000Z'],
      [`${TS}jwsWithTimestamp.sig`, 'RSASSA-PSS-SHA-256', '2024-06-18T06:29:33.000Z'],
      [
        `${LAYOUT}e2e-valid-signature/blobs/sha256/c9af07e038b2b1a463e648986ad7273157511ffeba0b689f33e5472bae471f50`,
        'RSASSA-PSS-SHA-256',
        '2023-06-27T05:30:33.000Z',
      ],
      [
        'notation/test/e2e/testdata/signatures/blob.jws.sig',
        'RSASSA-PSS-SHA-256',
        '2024-12-31T08:05:29.000Z',
      ],
    ])('verifies the integrity of %s', (file, alg, signingTime) => {
      const content = verifyEnvelopeBytes(MEDIA_TYPE_JWS, vector(file));
      expect(content.signatureAlgorithm).toBe(alg);
      expect(content.signingTime.date.toISOString()).toBe(signingTime);
      expect(content.signingScheme).toBe('notary.x509');
    });

    it('keeps the UTC offset of the signing and expiry headers', () => {
      const content = verifyEnvelopeBytes(
        MEDIA_TYPE_JWS,
        vector(
          `${LAYOUT}e2e-expired-signature/blobs/sha256/b5f927564088f65dad86c81bcdd0b55415a8b4c9a0a5391107210e0cdb305cc7`,
        ),
      );
      expect(content.expiry?.offsetMinutes).toBe(480);
      expect(content.expiry?.date.toISOString()).toBe('2023-06-27T05:21:21.000Z');
    });

    it('exposes extended critical attributes (verification plugin)', () => {
      const content = verifyEnvelopeBytes(MEDIA_TYPE_JWS, vector(`${MOCK}ca_plugin_sig_env.json`));
      expect(content.extendedAttributes).toEqual(
        expect.arrayContaining([
          { key: 'SomeKey', critical: true, value: 'SomeValue' },
          { key: 'io.cncf.notary.verificationPlugin', critical: true, value: 'plugin-name' },
        ]),
      );
    });

    it('carries the timestamp countersignature and signing agent', () => {
      const content = verifyEnvelopeBytes(
        MEDIA_TYPE_JWS,
        vector('notation/test/e2e/testdata/signatures/blob.jws.sig'),
      );
      expect(content.timestampSignature?.length).toBeGreaterThan(1000);
      expect(content.signingAgent).toBe('notation-go/1.3.0+unreleased');
      expect(parsePayload(content)).toEqual({
        mediaType: 'application/octet-stream',
        digest: 'sha256:c71d239df91726fc519c6eb72d318ec65820627232b2f796219e87dcf35d0ab4',
        size: 11357,
      });
    });
  });

  describe('when the envelope is a notation-produced COSE_Sign1', () => {
    it.each([
      [`${TS}coseWithTimestamp.sig`, '2024-06-18T06:27:11.000Z'],
      [`${TS}coseExpiredWithTimestamp.sig`, '2024-06-18T07:21:07.000Z'],
      [`${TS}timestampAfterNotAfter.sig`, '2024-06-19T09:35:54.000Z'],
      ['notation/test/e2e/testdata/signatures/blob.cose.sig', '2025-01-07T08:42:43.000Z'],
    ])('verifies the integrity of %s', (file, signingTime) => {
      const content = verifyEnvelopeBytes(MEDIA_TYPE_COSE, vector(file));
      expect(content.signatureAlgorithm).toBe('RSASSA-PSS-SHA-256');
      expect(content.signingTime.date.toISOString()).toBe(signingTime);
      expect(content.timestampSignature).toBeInstanceOf(Uint8Array);
    });
  });

  describe('when the JWS payload carries a trailing "=" (ca_invalid_sig_env.json)', () => {
    it('fails integrity with notation reason', () => {
      const err = failure(() =>
        verifyEnvelopeBytes(MEDIA_TYPE_JWS, vector(`${MOCK}ca_invalid_sig_env.json`)),
      );
      expect(err.code).toBe('ENVELOPE_MALFORMED');
      expect(err.message).toBe('signature is invalid. Error: illegal base64 data at input byte 242');
    });
  });

  describe('when the JWS has no certificate chain (notation-core-go conformance.json)', () => {
    it('is refused', () => {
      const err = failure(() =>
        verifyEnvelopeBytes(
          MEDIA_TYPE_JWS,
          vector('notation-core-go/signature/jws/testdata/conformance.json'),
        ),
      );
      expect(err.message).toBe('certificate chain is not set');
    });
  });

  describe('when the media type is not an envelope', () => {
    it('is refused with notation reason', () => {
      const err = failure(() =>
        verifyEnvelopeBytes('application/vnd.oci.image.layer.v1.tar', vector(`${MOCK}ca_valid_sig_env.json`)),
      );
      expect(err.code).toBe('ENVELOPE_UNSUPPORTED');
      expect(err.message).toBe(
        'signature envelope format with media type "application/vnd.oci.image.layer.v1.tar" is not supported',
      );
    });

    it('refuses a JWS declared as COSE', () => {
      const err = failure(() => verifyEnvelopeBytes(MEDIA_TYPE_COSE, vector(`${MOCK}ca_valid_sig_env.json`)));
      expect(err.code).toBe('ENVELOPE_MALFORMED');
      expect(err.message).toContain('not valid CBOR');
    });
  });
});
