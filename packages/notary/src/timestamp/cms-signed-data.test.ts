import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedPath } from '../../../../test/harness/paths.js';
import { parseCertificateFile } from '../trust-store/certificate-file.js';
import type { Certificate } from '../x509/certificate.js';
import { parseSignedData } from './signed-data.js';
import { checkSignedAttributes, parseSignedToken, verifySignedToken } from './signed-token.js';

/**
 * tspclient-go internal/cms testdata (INDEX.md §G, signed_test.go TestVerify / TestVerifyAttributes /
 * TestParseSignedData). scs verifies CMS only as RFC 3161 timestamp tokens, so every file goes
 * through the token path notation uses (parse, SigningCertificateV2, chain to the root valid at
 * 2024-01-09 as in the Go test, signature, signed attributes); the attribute cases are also run
 * through the signed-attribute rule alone, as TestVerifyAttributes does.
 */

const cms = (f: string): Uint8Array =>
  new Uint8Array(readFileSync(sharedPath('vectors/tspclient-go/internal/cms/testdata', f)));
const roots = parseCertificateFile(cms('GlobalSignRootCA.crt'));
const AT = new Date('2024-01-09T00:00:00Z');

function tokenOutcome(file: string): string {
  try {
    return verifySignedToken(parseSignedToken(cms(file)), roots, AT)
      .map((c) => c.subject)
      .join(' <- ');
  } catch (e) {
    return (e as Error).message;
  }
}

function attributesOutcome(file: string): string {
  try {
    const signed = parseSignedData(cms(file));
    const [si] = signed.signerInfos;
    if (si === undefined) return 'no signer info';
    checkSignedAttributes(signed, si, signed.certificates);
    return 'OK';
  } catch (e) {
    return (e as Error).message;
  }
}

const GLOBALSIGN_CHAIN =
  'CN=Globalsign TSA for Advanced - G4,O=GlobalSign nv-sa,C=BE <- CN=GlobalSign Timestamping CA - SHA384 - G4,O=GlobalSign nv-sa,C=BE <- CN=GlobalSign,OU=GlobalSign Root CA - R6,O=GlobalSign <- CN=GlobalSign,OU=GlobalSign Root CA - R3,O=GlobalSign';
const NOT_TSTINFO = (oid: string): string =>
  `unexpected content type: ${oid}. Expected to be id-ct-TSTInfo (1.2.840.113549.1.9.16.1.4)`;

describe('CMS SignedData verification (TestVerify)', () => {
  it.each([
    ['TimeStampToken.p7s', GLOBALSIGN_CHAIN],
    ['TimeStampTokenWithAnInvalidAndAValidSignerInfo.p7s', GLOBALSIGN_CHAIN],
  ])('accepts %s', (file, chain) => {
    expect(tokenOutcome(file)).toBe(chain);
  });

  it.each([
    [
      'TimeStampTokenWithoutCertificate.p7s',
      'failed to verify signed token: signing certificate not found in the timestamp token',
    ],
    ['TimeStampTokenWithoutSigner.p7s', 'failed to verify signed token: signerInfo not found'],
    [
      'TimeStampTokenWithSignerVersion2.p7s',
      'failed to verify signed token: cms verification failure: invalid signer info version: only version 1 is supported; got 2',
    ],
    [
      // tspclient's token path finds the certificate through SigningCertificateV2 and ignores the
      // unsigned sid; scs also requires the sid to name it (as CMS does), so this token fails.
      'TimeStampTokenWithUnknownSignerIssuer.p7s',
      'failed to verify signed token: cms verification failure: the signer identifier (issuer and serial number) does not name the signing certificate of SigningCertificateV2',
    ],
    // Not a timestamp token at all (id-data content): refused when parsed.
    ['Sha1SignedData.p7s', NOT_TSTINFO('1.2.840.113549.1.7.1')],
    ['SignedDataWithoutSignedAttributes.p7s', NOT_TSTINFO('1.2.840.113549.1.7.1')],
    ['TimeStampTokenWithInvalidContentType.p7s', NOT_TSTINFO('1.2.840.113549.1.9.16.1.5')],
    [
      'TimeStampTokenWithInvalidSignature.p7s',
      'failed to verify signed token: cms verification failure: crypto/rsa: verification error',
    ],
  ])('refuses %s', (file, message) => {
    expect(tokenOutcome(file)).toBe(message);
  });

  it('refuses SignedDataWithoutSignedAttributes.p7s on its signed attributes too', () => {
    expect(attributesOutcome('SignedDataWithoutSignedAttributes.p7s')).toBe(
      'cms verification failure: missing signed attributes',
    );
  });

  it('refuses a certificate that does not parse (TestParseSignedData "invalid certificate")', () => {
    expect(() => parseSignedData(cms('TimeStampTokenWithInvalidCertificates.p7s'))).toThrow(
      'cms: syntax error: failed to parse X.509 certificates from signed data. Only X.509 certificates are supported: certificate is not a valid X.509 certificate: unsupported version 0',
    );
  });
});

describe('signed attributes (TestVerifyAttributes)', () => {
  it('accepts TimeStampTokenWithSigningTime.p7s (signing time inside every certificate)', () => {
    expect(attributesOutcome('TimeStampTokenWithSigningTime.p7s')).toBe('OK');
  });

  it.each([
    [
      'TimeStampTokenWithoutSignedAttributeContentType.p7s',
      'cms verification failure: invalid content type: attribute not found',
    ],
    [
      'TimeStampTokenInvalidSignedAttributeContentType.p7s',
      'cms verification failure: mismatch content type: found "1.2.840.113549.1.9.16.1.44" in signer info, and "1.2.840.113549.1.9.16.1.4" in signed data',
    ],
    [
      'TimeStampTokenWithoutSignedAttributeDigest.p7s',
      'cms verification failure: invalid message digest: attribute not found',
    ],
    ['TimeStampTokenWithSignedAttributeSHA1.p7s', 'cms verification failure: unsupported digest algorithm'],
    [
      'TimeStampTokenWithSigningTimeBeforeExpected.p7s',
      "cms verification failure: signing time, 2019-02-20T00:00:00.000Z, is outside certificate's validity period",
    ],
    ['TimeStampTokenWithoutSignedAttributes.p7s', 'cms verification failure: missing signed attributes'],
    // Go parses the attribute and fails on the signing time; scs refuses the malformed attribute
    // (its value is a bare UTCTime, not a SET) when it parses the SignedData.
    [
      'TimeStampTokenWithInvalidSigningTime.p7s',
      'cms: syntax error: invalid signed data: the values of signed attribute 1.2.840.113549.1.9.5 must be a SET',
    ],
  ])('refuses %s', (file, message) => {
    expect(attributesOutcome(file)).toBe(message);
    // and the token as a whole never verifies
    expect(tokenOutcome(file)).not.toBe(GLOBALSIGN_CHAIN);
  });

  it('names the failing step for each of them through the token path (the edited attributes break the signature first)', () => {
    const results = Object.fromEntries(
      [
        'TimeStampTokenWithoutSignedAttributeContentType.p7s',
        'TimeStampTokenInvalidSignedAttributeContentType.p7s',
        'TimeStampTokenWithoutSignedAttributeDigest.p7s',
        'TimeStampTokenWithSigningTimeBeforeExpected.p7s',
        'TimeStampTokenWithSigningTime.p7s',
      ].map((f) => [f, tokenOutcome(f)]),
    );
    for (const message of Object.values(results)) {
      expect(message).toBe(
        'failed to verify signed token: cms verification failure: crypto/rsa: verification error',
      );
    }
    expect(tokenOutcome('TimeStampTokenWithSignedAttributeSHA1.p7s')).toBe(
      'failed to verify signed token: cms verification failure: unknown signature algorithm',
    );
    expect(tokenOutcome('TimeStampTokenWithoutSignedAttributes.p7s')).toBe(
      'failed to verify signed token: failed to get SigningCertificateV2 from signed attributes: attribute not found',
    );
  });
});

describe('the GlobalSign root of the cms testdata', () => {
  it('is R3, the root the tokens chain to through the R6 cross certificate', () => {
    expect(roots.map((c: Certificate) => c.subject)).toEqual([
      'CN=GlobalSign,OU=GlobalSign Root CA - R3,O=GlobalSign',
    ]);
  });
});
