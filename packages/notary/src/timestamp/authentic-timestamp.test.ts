import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedPath } from '../../../../test/harness/paths.js';
import { verifyEnvelopeBytes } from '../envelope/index.js';
import { DirectoryTrustStore } from '../trust-store/directory-trust-store.js';
import { parseCertificateFile } from '../trust-store/certificate-file.js';
import { parseSignedToken } from './signed-token.js';
import { parseTstInfo, validateTstInfo } from './tst-info.js';
import { createTimestampVerifier } from '../verify/notation-services.js';
import { verifyAuthenticTimestamp, type AuthenticTimestampInput } from './authentic-timestamp.js';

const v = (...p: string[]): string => sharedPath('vectors', ...p);
const bytes = (p: string): Uint8Array => new Uint8Array(readFileSync(p));
const trustStore = new DirectoryTrustStore(v('notation-go/verifier/testdata/truststore'));
/** Pinned verification time (INDEX: outcomes computed for 2026-11-27). */
const NOW = new Date('2026-11-27T00:00:00Z');
const offline = {
  fetch: (url: string): Promise<Uint8Array> => Promise.reject(new Error(`no network in tests (${url})`)),
  now: NOW,
};

function envelope(
  path: string,
): Pick<AuthenticTimestampInput, 'signingChain' | 'signature' | 'timestampToken' | 'signingTime'> {
  const data = bytes(path);
  const c = verifyEnvelopeBytes(data[0] === 0x7b ? 'application/jose+json' : 'application/cose', data);
  return {
    signingChain: c.certificateChain.map((x) => x.der),
    signature: c.signature,
    timestampToken: c.timestampSignature,
    signingTime: c.signingTime.date,
  };
}
const sigEnv = (f: string): ReturnType<typeof envelope> =>
  envelope(v('notation-go/verifier/testdata/timestamp/sigEnv', f));

const policy = {
  policyName: 'test-timestamp',
  trustStores: ['ca:valid-trust-store', 'tsa:test-timestamp'],
  verifyTimestamp: 'always' as const,
  action: 'enforce' as const,
  trustStore,
  signingScheme: 'notary.x509' as const,
  now: NOW,
  tsaRevocation: { skip: true as const },
};

/** The notation-go envelope `file` checked under the policy, with `changes` to the input. */
const verifySigEnv = (
  file: string,
  changes: Partial<AuthenticTimestampInput> = {},
): ReturnType<typeof verifyAuthenticTimestamp> =>
  verifyAuthenticTimestamp({ ...policy, ...sigEnv(file), ...changes });

describe('the authentic timestamp validation (notation-go TestAuthenticTimestamp, INDEX E2)', () => {
  for (const file of [
    'jwsWithTimestamp.sig',
    'coseWithTimestamp.sig',
    'jwsExpiredWithTimestamp.sig',
    'coseExpiredWithTimestamp.sig',
  ]) {
    it(`passes ${file} (TSA revocation skipped explicitly)`, async () => {
      const out = await verifySigEnv(file);
      expect(out.result.status).toBe('pass');
      expect(out.timestamp?.accuracyMs).toBe(1000);
      expect(out.logs.map((l) => l.message)).toContain('Performing timestamp verification...');
    });
  }

  it('fails closed on the TSA chain revocation when it cannot be checked (no network)', async () => {
    const out = await verifySigEnv('jwsWithTimestamp.sig', { tsaRevocation: offline });
    expect(out.result).toMatchObject({
      status: 'fail',
      message:
        'timestamping certificate with subject "CN=Globalsign TSA for Advanced - G4 - 202311,O=GlobalSign nv-sa,C=BE" revocation status is unknown',
    });
  });

  it('skips the countersignature while the chain is unexpired with afterCertExpiry', async () => {
    const out = await verifySigEnv('coseWithTimestamp.sig', {
      verifyTimestamp: 'afterCertExpiry',
      tsaRevocation: offline,
    });
    expect(out.result.status).toBe('pass');
    expect(out.logs.map((l) => l.message)).toContain(
      'Timestamp verification disabled: verifyTimestamp is set to "afterCertExpiry" and signing cert chain unexpired',
    );
  });

  it('verifies the countersignature once the chain has expired with afterCertExpiry', async () => {
    const out = await verifySigEnv('coseExpiredWithTimestamp.sig', { verifyTimestamp: 'afterCertExpiry' });
    expect(out.result.status).toBe('pass');
    expect(out.timestamp?.genTime.toISOString()).toBe('2024-06-18T07:21:12.000Z');
  });

  it('reports a trust store value without separator', async () => {
    const out = await verifySigEnv('jwsWithTimestamp.sig', { trustStores: ['ca:valid-trust-store', 'tsa'] });
    expect(out.result.message).toBe(
      'failed to check tsa trust store configuration in turst policy with error: invalid trust policy statement: "test-timestamp" is missing separator in trust store value "tsa". The required format is <TrustStoreType>:<TrustStoreName>',
    );
  });

  it('requires a valid chain now when no tsa store is configured', async () => {
    const out = await verifySigEnv('coseExpiredWithTimestamp.sig', { trustStores: ['ca:valid-trust-store'] });
    expect(out.result.message).toBe(
      'verification time is after certificate "CN=testTSA,O=Notary,L=Seattle,ST=WA,C=US" validity period, it was expired at "Tue, 18 Jun 2024 07:30:31 +0000"',
    );
    expect(out.logs[0]?.message).toBe(
      'Timestamp verification disabled: no tsa trust store is configured in trust policy',
    );
  });

  it('says when the countersignature is missing', async () => {
    const out = await verifySigEnv('withoutTimestamp.sig');
    expect(out.result.message).toBe('no timestamp countersignature was found in the signature envelope');
  });

  it('says when the tsa store does not exist', async () => {
    const out = await verifySigEnv('jwsWithTimestamp.sig', {
      trustStores: ['ca:valid-trust-store', 'tsa:does-not-exist'],
    });
    expect(out.result.message).toBe(
      'failed to load tsa trust store with error: the trust store "does-not-exist" of type "tsa" does not exist',
    );
  });

  it('rejects a TSA that does not chain to the store (tsa:test-mismatch)', async () => {
    const out = await verifySigEnv('jwsWithTimestamp.sig', {
      trustStores: ['ca:valid-trust-store', 'tsa:test-mismatch'],
    });
    expect(out.result.message).toBe(
      'failed to verify the timestamp countersignature with error: failed to verify signed token: cms verification failure: x509: certificate signed by unknown authority',
    );
  });

  it('rejects a tsa store holding a non-root certificate (tsa:test-nonCA)', async () => {
    const out = await verifySigEnv('jwsWithTimestamp.sig', {
      trustStores: ['ca:valid-trust-store', 'tsa:test-nonCA'],
    });
    expect(out.result.message).toBe(
      'failed to load tsa trust store with error: trusted certificate wabbit-networks.io.crt in trust store test-nonCA of type tsa is invalid: certificate with subject "CN=wabbit-networks.io,O=Notary,L=Seattle,ST=WA,C=US" is not a root CA certificate: x509: invalid signature: parent certificate cannot sign this kind of certificate',
    );
  });

  it('rejects a tsa store holding a certificate that is not self-issued (tsa:test-nonSelfIssued)', async () => {
    const out = await verifySigEnv('jwsWithTimestamp.sig', {
      trustStores: ['ca:valid-trust-store', 'tsa:test-nonSelfIssued'],
    });
    expect(out.result.message).toBe(
      'failed to load tsa trust store with error: trusted certificate nonSelfIssued.crt in trust store test-nonSelfIssued of type tsa is invalid: certificate with subject "CN=Notation Test Revokable RSA Chain Cert 2,O=Notary,L=Seattle,ST=WA,C=US" is not a root CA certificate: issuer (CN=Notation Test Revokable RSA Chain Cert Root,O=Notary,L=Seattle,ST=WA,C=US) and subject (CN=Notation Test Revokable RSA Chain Cert 2,O=Notary,L=Seattle,ST=WA,C=US) are not the same',
    );
  });

  it('hands the countersignature to an injected timestamp verifier instead', async () => {
    const out = await verifySigEnv('jwsWithTimestamp.sig', {
      tsaRevocation: undefined,
      timestampVerifier: createTimestampVerifier({ tsaRevocation: 'skip' }),
    });
    expect(out.result.status).toBe('pass');
    expect(out.result.message).toMatch(/^timestamp \[2024-06-18T06:2\d:\d\d\.\d{3}Z, 2024-06-18T06:2\d/);
    expect(out.logs.map((l) => l.message)).toContain('Performing timestamp verification...');
  });

  it('fails closed with neither a TSA revocation choice nor a timestamp verifier', async () => {
    const out = await verifySigEnv('jwsWithTimestamp.sig', { tsaRevocation: undefined });
    expect(out.result).toMatchObject({
      status: 'fail',
      message:
        'timestamp countersignature verification is not available in this verifier (no timestamp verifier configured)',
    });
  });

  it('only logs a failure when the level logs authenticTimestamp', async () => {
    const out = await verifySigEnv('withoutTimestamp.sig', { action: 'log' });
    expect(out.result.status).toBe('logged');
  });

  it('checks the authentic signing time for the signing-authority scheme', async () => {
    const e = sigEnv('coseExpiredWithTimestamp.sig');
    const inside = await verifyAuthenticTimestamp({
      ...policy,
      ...e,
      signingScheme: 'notary.x509.signingAuthority',
    });
    expect(inside.result.status).toBe('pass');
    const outside = await verifyAuthenticTimestamp({
      ...policy,
      ...e,
      signingScheme: 'notary.x509.signingAuthority',
      signingTime: new Date('2030-01-01T00:00:00Z'),
    });
    expect(outside.result.message).toBe(
      'certificate "CN=testTSA,O=Notary,L=Seattle,ST=WA,C=US" was not valid when the digital signature was produced at "Tue, 01 Jan 2030 00:00:00 +0000"',
    );
  });
});

describe('Microsoft-timestamped vectors (the Microsoft TSA root is not shipped: INDEX J)', () => {
  const layout = v(
    'notation/test/e2e/testdata/registry/oci_layout/e2e-with-timestamped-signature/blobs/sha256/603ff134e97a79cd7a15560b76137c2c4a10451daab11327a7c6f86dac250fee',
  );
  const e2e = envelope(layout);

  it('parses the token, checks the imprint and reads genTime ± accuracy (inspect.go)', () => {
    const signed = parseSignedToken(e2e.timestampToken!);
    const range = validateTstInfo(parseTstInfo(signed.content), e2e.signature);
    expect(range.genTime.toISOString()).toBe('2025-01-21T09:17:46.641Z');
    expect(range.accuracyMs).toBe(500);
    expect(range.earliest.toISOString()).toBe('2025-01-21T09:17:46.141Z');
    expect(range.latest.toISOString()).toBe('2025-01-21T09:17:47.141Z');
    expect(signed.certificates.map((c) => c.subject)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('Microsoft Public RSA Time Stamping Authority'),
        expect.stringContaining('Microsoft Public RSA Timestamping CA 2020'),
      ]),
    );
  });

  it('fails without a tsa store: testcert7 expired on 2025-01-22', async () => {
    const out = await verifyAuthenticTimestamp({
      ...policy,
      ...e2e,
      policyName: 'e2e',
      trustStores: ['ca:e2e'],
    });
    expect(out.result.message).toBe(
      'verification time is after certificate "CN=testcert7,O=Notary,L=Seattle,ST=WA,C=US" validity period, it was expired at "Wed, 22 Jan 2025 08:36:26 +0000"',
    );
  });

  it('cannot chain the Microsoft TSA to another root (GlobalSign R6 given as tsa store)', async () => {
    const out = await verifyAuthenticTimestamp({ ...policy, ...e2e });
    expect(out.result.message).toBe(
      'failed to verify the timestamp countersignature with error: failed to verify signed token: cms verification failure: x509: certificate signed by unknown authority',
    );
  });

  for (const [file, genTime] of [
    ['blob.jws.sig', '2024-12-31T08:05:30.009Z'],
    ['blob.cose.sig', undefined],
  ] as const) {
    it(`reads the token of ${file} (INDEX B)`, () => {
      const e = envelope(v('notation/test/e2e/testdata/signatures', file));
      const range = validateTstInfo(parseTstInfo(parseSignedToken(e.timestampToken!).content), e.signature);
      expect(range.accuracyMs).toBe(500);
      if (genTime) expect(range.genTime.toISOString()).toBe(genTime);
      expect(range.genTime.getTime()).toBeGreaterThan(e.signingTime.getTime() - 1000);
    });
  }

  it('keeps DigiCert and GlobalSign roots usable as tsa roots (they are self-signed CAs)', () => {
    const digicert = parseCertificateFile(
      bytes(v('notation/test/e2e/testdata/config/timestamp/DigiCertTSARootSHA384.cer')),
    );
    const globalsign = parseCertificateFile(
      bytes(v('notation/test/e2e/testdata/config/timestamp/globalsignTSARoot.cer')),
    );
    expect([...digicert, ...globalsign].every((c) => c.basicConstraints?.ca === true)).toBe(true);
  });
});
