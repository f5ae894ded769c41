import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedPath } from '../../../../test/harness/paths.js';
import { verifyEnvelopeBytes } from '../envelope/index.js';
import type { NotaryError } from '../errors.js';
import { parseCertificateFile } from '../trust-store/certificate-file.js';
import { type Certificate, parseCertificate } from '../x509/certificate.js';
import { verifyTimestampToken } from './verify-timestamp.js';
import { notaryErrorOf } from '../notary-error.test-support.js';

const v = (...p: string[]): string => sharedPath('vectors', ...p);
const bytes = (path: string): Uint8Array => new Uint8Array(readFileSync(path));
const root = (path: string): Certificate => {
  const [c] = parseCertificateFile(bytes(path));
  if (!c) throw new Error(`no certificate in ${path}`);
  return c;
};

const tsaStore = (name: string, file: string): Certificate =>
  root(v('notation-go/verifier/testdata/truststore/x509/tsa', name, file));
const globalSignR6 = tsaStore('test-timestamp', 'globalsignRoot.cer');
const digiCertG4 = tsaStore('test-mismatch', 'DigiCertTSARootSHA384.cer');

/** What a countersignature is checked against: the token, the signature it stamps, the signing chain. */
interface Stamped {
  token: Uint8Array | undefined;
  signature: Uint8Array;
  signingChain: Certificate[];
}

function envelope(file: string): Stamped {
  const data = bytes(v('notation-go/verifier/testdata/timestamp/sigEnv', file));
  const mediaType = data[0] === 0x7b ? 'application/jose+json' : 'application/cose';
  const content = verifyEnvelopeBytes(mediaType, data);
  return {
    token: content.timestampSignature,
    signature: content.signature,
    signingChain: content.certificateChain.map((c) => parseCertificate(c.der)),
  };
}

function failure(fn: () => unknown): NotaryError {
  const e = notaryErrorOf(fn);
  expect(e.code).toBe('TIMESTAMP_INVALID');
  return e;
}

/** The message of the TIMESTAMP_INVALID error `stamped` fails with, the TSA roots being GlobalSign R6 unless given. */
function rejection(stamped: Stamped, tsaRoots: Certificate[] = [globalSignR6]): string {
  return failure(() => verifyTimestampToken({ ...stamped, tsaRoots })).message;
}

const counter = (file: string): Uint8Array =>
  bytes(v('notation-go/verifier/testdata/timestamp/countersignature', file));
const base = envelope('withoutTimestamp.sig');

describe('verifying a timestamp countersignature (notation-go TestAuthenticTimestamp, INDEX E2)', () => {
  const good: Array<[string, string]> = [
    ['jwsWithTimestamp.sig', '2024-06-18T06:29:37.000Z'],
    ['coseWithTimestamp.sig', '2024-06-18T06:27:16.000Z'],
    ['jwsExpiredWithTimestamp.sig', '2024-06-18T07:21:42.000Z'],
    ['coseExpiredWithTimestamp.sig', '2024-06-18T07:21:12.000Z'],
  ];
  for (const [file, genTime] of good) {
    it(`accepts ${file} against GlobalSign R6 with a 1 s accuracy`, () => {
      const ts = verifyTimestampToken({ ...envelope(file), tsaRoots: [globalSignR6] });
      expect(ts.genTime.toISOString()).toBe(genTime);
      expect(ts.accuracyMs).toBe(1000);
      expect(ts.earliest.getTime()).toBe(ts.genTime.getTime() - 1000);
      expect(ts.latest.getTime()).toBe(ts.genTime.getTime() + 1000);
      expect(ts.tsaSubject).toBe('CN=Globalsign TSA for Advanced - G4 - 202311,O=GlobalSign nv-sa,C=BE');
      expect(ts.tsaChain).toHaveLength(3);
    });
  }

  it('rejects a timestamp before the signing certificate was valid', () => {
    expect(rejection(envelope('timestampBeforeNotBefore.sig'))).toBe(
      'timestamp can be before certificate "CN=testTSA,O=Notary,L=Seattle,ST=WA,C=US" validity period, it will be valid from "Fri, 18 Sep 2099 11:54:34 +0000"',
    );
  });

  it('rejects a timestamp after the signing certificate expired', () => {
    expect(rejection(envelope('timestampAfterNotAfter.sig'))).toBe(
      'timestamp can be after certificate "CN=testTSA,O=Notary,L=Seattle,ST=WA,C=US" validity period, it was expired at "Tue, 18 Sep 2001 11:54:34 +0000"',
    );
  });

  it('says when there is no countersignature', () => {
    expect(rejection(base)).toBe('no timestamp countersignature was found in the signature envelope');
  });

  it('rejects a token whose content is not a TSTInfo', () => {
    expect(rejection({ ...base, token: counter('TimeStampTokenWithInvalideContentType.p7s') })).toBe(
      'failed to parse timestamp countersignature with error: unexpected content type: 1.2.840.113549.1.7.1. Expected to be id-ct-TSTInfo (1.2.840.113549.1.9.16.1.4)',
    );
  });

  it('rejects a TSTInfo that does not decode (Go prints its asn1 structure error; ours names the field)', () => {
    expect(rejection({ ...base, token: counter('TimeStampTokenWithInvalidTSTInfo.p7s') })).toBe(
      'failed to get the timestamp TSTInfo with error: cannot unmarshal TSTInfo from timestamp token: asn1: structure error: genTime: expected GeneralizedTime, found tag 0x30',
    );
  });

  it('rejects a token stamping another signature value', () => {
    expect(
      rejection({ ...base, token: counter('TimeStampToken.p7s'), signature: Buffer.from('mismatch') }),
    ).toBe(
      'failed to get timestamp from timestamp countersignature with error: invalid TSTInfo: mismatched message',
    );
  });

  it('rejects a token without its signing certificate', () => {
    expect(
      rejection({
        ...base,
        token: counter('TimeStampTokenWithoutCertificate.p7s'),
        signature: Buffer.from('notation'),
      }),
    ).toBe(
      'failed to verify the timestamp countersignature with error: failed to verify signed token: signing certificate not found in the timestamp token',
    );
  });

  it('rejects a TSA that does not chain to the tsa store (tsa:test-mismatch)', () => {
    expect(rejection(envelope('jwsWithTimestamp.sig'), [digiCertG4])).toBe(
      'failed to verify the timestamp countersignature with error: failed to verify signed token: cms verification failure: x509: certificate signed by unknown authority',
    );
  });

  it('needs at least one TSA root', () => {
    expect(rejection(envelope('jwsWithTimestamp.sig'), [])).toBe(
      'no trusted TSA certificate found in trust store',
    );
  });

  it('checks the range against every certificate of the signing chain (TimeStampToken.p7s genTime 2021 vs a 2023 leaf)', () => {
    expect(
      rejection({ ...base, token: counter('TimeStampToken.p7s'), signature: Buffer.from('notation') }),
    ).toBe(
      'timestamp can be before certificate "CN=alpine,O=Notary,L=Seattle,ST=WA,C=US" validity period, it will be valid from "Tue, 09 May 2023 04:55:12 +0000"',
    );
  });

  it('treats 8 bytes of garbage like notation (e2e-with-invalid-timestamped-signature)', () => {
    const layout = v(
      'notation/test/e2e/testdata/registry/oci_layout/e2e-with-invalid-timestamped-signature/blobs/sha256',
    );
    const envelopeBytes = bytes(`${layout}/8d2e70ff${findBlob(layout, '8d2e70ff')}`);
    const content = verifyEnvelopeBytes('application/jose+json', envelopeBytes);
    expect(content.timestampSignature).toHaveLength(8);
    expect(
      rejection({
        token: content.timestampSignature,
        signature: content.signature,
        signingChain: content.certificateChain.map((c) => parseCertificate(c.der)),
      }),
    ).toBe(
      'failed to parse timestamp countersignature with error: cms: syntax error: invalid signed data: failed to convert from BER to DER: asn1: syntax error: decoding BER length octets: short form length octets value should be less or equal to the subsequent octets length',
    );
  });
});

function findBlob(dir: string, prefix: string): string {
  const names = readdirSync(dir).filter((n) => n.startsWith(prefix));
  if (names.length !== 1 || !names[0]) throw new Error(`blob ${prefix}… not found`);
  return names[0].slice(prefix.length);
}
