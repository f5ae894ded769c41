import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedPath } from '../../../../test/harness/paths.js';
import { parseCertificateFile } from '../trust-store/certificate-file.js';
import type { Certificate } from '../x509/certificate.js';
import { berToDer } from './ber.js';
import { parseSignedToken, signingCertificate, verifySignedToken } from './signed-token.js';
import { parseTstInfo, validateTstInfo } from './tst-info.js';

const tsp = (f: string): Uint8Array =>
  new Uint8Array(readFileSync(sharedPath('vectors/tspclient-go/testdata', f)));
const [globalSignR3] = parseCertificateFile(tsp('GlobalSignRootCA.crt')) as [Certificate];

function verify(file: string): string {
  const signed = parseSignedToken(tsp(file));
  const info = parseTstInfo(signed.content);
  try {
    return verifySignedToken(signed, [globalSignR3], info.genTime)
      .map((c) => c.subject)
      .join(' <- ');
  } catch (e) {
    return (e as Error).message;
  }
}

describe('tspclient-go timestamp tokens (INDEX G, token_test.go)', () => {
  it('verifies TimeStampToken.p7s to GlobalSign R3 through the R6 cross certificate', () => {
    expect(verify('TimeStampToken.p7s')).toBe(
      'CN=Globalsign TSA for Advanced - G4,O=GlobalSign nv-sa,C=BE <- CN=GlobalSign Timestamping CA - SHA384 - G4,O=GlobalSign nv-sa,C=BE <- CN=GlobalSign,OU=GlobalSign Root CA - R6,O=GlobalSign <- CN=GlobalSign,OU=GlobalSign Root CA - R3,O=GlobalSign',
    );
  });
  // INDEX.md pairs this file with "signerInfo not found"; token_test.go expects it to verify (the
  // "signerInfo not found" case there is an empty SignedToken: see TimeStampTokenWithoutSigner.p7s).
  it('accepts a token with one valid signer among invalid ones', () => {
    expect(verify('TimeStampTokenWithValidAndInvalidSignerInfos.p7s')).toMatch(
      /^CN=Globalsign TSA for Advanced - G4/,
    );
  });

  const failures: Array<[string, string]> = [
    [
      'TimeStampTokenWithoutCertificate.p7s',
      'failed to verify signed token: signing certificate not found in the timestamp token',
    ],
    [
      'TimeStampTokenWithInvalidSignature.p7s',
      'failed to verify signed token: cms verification failure: crypto/rsa: verification error',
    ],
    [
      'TimeStampTokenWithoutSigningCertificate.p7s',
      'failed to verify signed token: failed to get SigningCertificateV2 from signed attributes: attribute not found',
    ],
    [
      'TimeStampTokenWithSigningCertificateV1.p7s',
      'failed to verify signed token: failed to get SigningCertificateV2 from signed attributes: attribute not found',
    ],
    [
      'TimeStampTokenWithWrongSigningCertificateV2IssuerChoiceTag.p7s',
      'failed to verify signed token: issuer name is missing in IssuerSerial',
    ],
    [
      'TimeStampTokenWithSHA1CertHash.p7s',
      'failed to verify signed token: unsupported certificate hash algorithm in SigningCertificateV2 attribute',
    ],
    [
      'TimeStampTokenWithMismatchCertHash.p7s',
      'failed to verify signed token: signing certificate hash does not match CertHash in signed attribute',
    ],
    [
      'TimeStampTokenWithSigningCertificateV2NoCert.p7s',
      'failed to verify signed token: signingCertificateV2 does not contain any certificate',
    ],
    [
      'TimeStampTokenNoRoot.p7s',
      'failed to verify signed token: cms verification failure: x509: certificate signed by unknown authority',
    ],
  ];
  for (const [file, message] of failures) {
    it(`rejects ${file}`, () => {
      expect(verify(file)).toBe(message);
    });
  }
  it('rejects a malformed SigningCertificateV2 (Go\'s tail is "sequence truncated"; ours names the field)', () => {
    expect(verify('TimeStampTokenWithInvalidSigningCertificateV2.p7s')).toBe(
      'failed to verify signed token: failed to get SigningCertificateV2 from signed attributes: asn1: syntax error: SigningCertificateV2.certs is missing',
    );
  });
  it.each([
    'TimeStampTokenWithInvalidSigningCertificateV1.p7s',
    'TimeStampTokenWithSigningCertificateV1NoCert.p7s',
  ])('rejects %s: only SigningCertificateV2 identifies the TSA certificate', (file) => {
    expect(verify(file)).toBe(
      'failed to verify signed token: failed to get SigningCertificateV2 from signed attributes: attribute not found',
    );
  });
  it('finds the signing certificate through the signer id when IssuerSerial is absent', () => {
    const signed = parseSignedToken(tsp('TimeStampTokenWithoutSigningCertificateV2IssuerSerial.p7s'));
    expect(signingCertificate(signed, signed.signerInfos[0]!).subject).toBe(
      'CN=Globalsign TSA for Advanced - G4,O=GlobalSign nv-sa,C=BE',
    );
  });
  it('rejects a content type other than TSTInfo when parsing', () => {
    expect(() => parseSignedToken(tsp('TimeStampTokenWithInvalideContentType.p7s'))).toThrow(
      'unexpected content type: 1.2.840.113549.1.7.1. Expected to be id-ct-TSTInfo (1.2.840.113549.1.9.16.1.4)',
    );
  });

  describe('TSTInfo', () => {
    it('rejects a version other than 1', () => {
      const info = parseTstInfo(parseSignedToken(tsp('TimeStampTokenWithTSTInfoVersion2.p7s')).content);
      expect(() => validateTstInfo(info, Buffer.from('notation'))).toThrow(
        'invalid TSTInfo: timestamp token info version must be 1, but got 2',
      );
    });
    it('rejects a SHA-1 message imprint', () => {
      const info = parseTstInfo(parseSignedToken(tsp('SHA1TimeStampToken.p7s')).content);
      expect(() => validateTstInfo(info, Buffer.from('notation'))).toThrow(
        /^invalid TSTInfo: unrecognized hash algorithm: 1\.2\.840\.113549\.1\.1\.5$/,
      );
    });
    it('rejects a TSTInfo whose genTime is not a GeneralizedTime', () => {
      expect(() =>
        parseTstInfo(parseSignedToken(tsp('TimeStampTokenWithInvalidTSTInfo.p7s')).content),
      ).toThrow(/^cannot unmarshal TSTInfo from timestamp token: asn1: structure error: /);
    });
    it('reads genTime and the explicit accuracy, and matches the imprint of "notation"', () => {
      const info = parseTstInfo(parseSignedToken(tsp('TimeStampToken.p7s')).content);
      const range = validateTstInfo(info, Buffer.from('notation'));
      expect(info.genTime.toISOString()).toBe('2021-09-17T14:09:10.000Z');
      expect(range.accuracyMs).toBe(1000);
    });
  });
});

describe('BER to DER (tspclient-go ber)', () => {
  it('re-encodes a non-minimal long-form length', () => {
    expect([...berToDer(Uint8Array.from([0x04, 0x81, 0x02, 0xaa, 0xbb]))]).toEqual([0x04, 0x02, 0xaa, 0xbb]);
    expect([...berToDer(Uint8Array.from([0x30, 0x82, 0x00, 0x04, 0x02, 0x81, 0x01, 0x05]))]).toEqual([
      0x30, 0x03, 0x02, 0x01, 0x05,
    ]);
  });
  const errors: Array<[number[], string]> = [
    [[], 'asn1: syntax error: BER-encoded ASN.1 data structures is empty'],
    [
      [0x30],
      'asn1: syntax error: decoding BER identifier octets: early EOF due to missing length and content octets',
    ],
    [
      [0x30, 0x80, 0x00, 0x00],
      'asn1: structure error: decoding BER length octets: indefinite length not supported',
    ],
    [
      [0x30, 0x85, 1, 1, 1, 1, 1, 0],
      'asn1: structure error: decoding BER length octets: length of encoded data (5 bytes) cannot exceed 4 bytes',
    ],
    [
      [0x04, 0x05, 0x00],
      'asn1: syntax error: decoding BER length octets: short form length octets value should be less or equal to the subsequent octets length',
    ],
    [
      [0x04, 0x01, 0x00, 0x00],
      'asn1: syntax error: decoding BER: length octets value 1 does not match with content length 2',
    ],
    [[0x1f, 0x81], 'asn1: syntax error: decoding BER identifier octets: high-tag-number form with early EOF'],
  ];
  for (const [input, message] of errors) {
    it(`rejects ${Buffer.from(input).toString('hex') || 'empty input'}`, () => {
      expect(() => berToDer(Uint8Array.from(input))).toThrow(message);
    });
  }
});
