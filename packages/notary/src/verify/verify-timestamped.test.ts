import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedPath } from '../../../../test/harness/paths.js';
import type { ApplicableTrustPolicy } from '../trust-policy/types.js';
import { resolveVerificationLevel } from '../trust-policy/verification-level.js';
import { DirectoryTrustStore } from '../trust-store/directory-trust-store.js';
import type { ValidationAction } from '../types.js';
import { verifyEnvelopeBytes } from '../envelope/envelope.js';
import { createRevocationChecker, createTimestampVerifier } from './notation-services.js';
import type { TimestampVerifier } from './services.js';
import { verifySignature } from './verify-signature.js';

/**
 * notation-go TestAuthenticTimestamp (INDEX.md §E2) through this verifier and notary-b's
 * timestamp module. Offline: the TSA chain revocation check is turned off explicitly
 * (notation would go to the network for it).
 */

const DIR = 'vectors/notation-go/verifier/testdata/timestamp/sigEnv/';
const trustStore = new DirectoryTrustStore(sharedPath('vectors/notation-go/verifier/testdata/truststore'));
const artifact = {
  mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
  digest: 'sha256:c0669ef34cdc14332c0f1ab0c2c01acb91d96014b172f1a76f3a39e63d1f0bda',
  size: 528,
};
const NOW = new Date('2026-11-27T00:00:00Z');
const timestampVerifier = createTimestampVerifier({ tsaRevocation: 'skip' });
const offlineFetch = (url: string): Promise<Uint8Array> => Promise.reject(new Error(`offline: ${url}`));

function policy(
  trustStores: string[],
  enforcement: Partial<
    Record<'authenticity' | 'authenticTimestamp' | 'expiry' | 'revocation', ValidationAction>
  > = {},
  verifyTimestamp: 'always' | 'afterCertExpiry' = 'always',
): ApplicableTrustPolicy {
  return {
    name: 'test-timestamp',
    verificationLevel: resolveVerificationLevel({ level: 'strict', override: enforcement }),
    verifyTimestamp,
    trustStores,
    trustedIdentities: ['*'],
  };
}

const run = (file: string, p: ApplicableTrustPolicy) =>
  verifySignature({
    envelope: new Uint8Array(readFileSync(sharedPath(DIR + file))),
    envelopeMediaType:
      file.startsWith('cose') || file === 'timestampAfterNotAfter.sig'
        ? 'application/cose'
        : 'application/jose+json',
    artifact,
    policy: p,
    trustStore,
    clock: () => NOW,
    timestampVerifier,
    revocationChecker: createRevocationChecker({ fetch: offlineFetch }),
  });

const withTsa = policy(['ca:valid-trust-store', 'tsa:test-timestamp']);
const timestampOnly = (stores: string[], verifyTimestamp: 'always' | 'afterCertExpiry' = 'always') =>
  policy(stores, { authenticity: 'log', revocation: 'log' }, verifyTimestamp);

describe('authentic timestamp (GlobalSign tokens, tsa:test-timestamp = R6)', () => {
  it.each(['jwsWithTimestamp.sig', 'coseWithTimestamp.sig'])('accepts %s', async (file) => {
    const outcome = await run(file, withTsa);
    expect(outcome.error).toBeUndefined();
    expect(outcome.accepted).toBe(true);
    expect(outcome.results.find((r) => r.type === 'authenticTimestamp')?.status).toBe('pass');
    expect(outcome.details?.timestamp?.from.toISOString()).toMatch(/^2024-06-18T06:2[79]:/);
  });

  it.each(['jwsExpiredWithTimestamp.sig', 'coseExpiredWithTimestamp.sig'])(
    'accepts %s: its certificate expired, but the timestamp is inside its validity',
    async (file) => {
      const outcome = await run(file, timestampOnly(['tsa:test-timestamp']));
      expect(outcome.results.find((r) => r.type === 'authenticTimestamp')?.status).toBe('pass');
      expect(outcome.accepted).toBe(true);
    },
  );

  it.each(['jwsExpiredWithTimestamp.sig', 'coseExpiredWithTimestamp.sig'])(
    'accepts %s with verifyTimestamp afterCertExpiry (the chain has expired: the countersignature is verified)',
    async (file) => {
      const outcome = await run(file, timestampOnly(['tsa:test-timestamp'], 'afterCertExpiry'));
      expect(outcome.results.find((r) => r.type === 'authenticTimestamp')).toMatchObject({
        status: 'pass',
        message: 'timestamp verification: success',
      });
      expect(outcome.accepted).toBe(true);
    },
  );

  it('fails coseExpiredWithTimestamp.sig without a tsa store: the certificate expired', async () => {
    const outcome = await run('coseExpiredWithTimestamp.sig', timestampOnly(['ca:valid-trust-store']));
    expect(outcome.failedValidation).toBe('authenticTimestamp');
    expect(outcome.results.find((r) => r.type === 'authenticTimestamp')?.message).toBe(
      'verification time is after certificate "CN=testTSA,O=Notary,L=Seattle,ST=WA,C=US" validity period, it was expired at "Tue, 18 Jun 2024 07:30:31 +0000"',
    );
  });

  it('fails withoutTimestamp.sig when a tsa store asks for a timestamp', async () => {
    const outcome = await run('withoutTimestamp.sig', withTsa);
    expect(outcome.results.find((r) => r.type === 'authenticTimestamp')?.message).toBe(
      'no timestamp countersignature was found in the signature envelope',
    );
  });

  it('fails timestampBeforeNotBefore.sig', async () => {
    const outcome = await run('timestampBeforeNotBefore.sig', withTsa);
    expect(outcome.results.find((r) => r.type === 'authenticTimestamp')?.message).toBe(
      'timestamp can be before certificate "CN=testTSA,O=Notary,L=Seattle,ST=WA,C=US" validity period, it will be valid from "Fri, 18 Sep 2099 11:54:34 +0000"',
    );
  });

  it('fails timestampAfterNotAfter.sig', async () => {
    const outcome = await run('timestampAfterNotAfter.sig', timestampOnly(['tsa:test-timestamp']));
    expect(outcome.results.find((r) => r.type === 'authenticTimestamp')?.message).toBe(
      'timestamp can be after certificate "CN=testTSA,O=Notary,L=Seattle,ST=WA,C=US" validity period, it was expired at "Tue, 18 Sep 2001 11:54:34 +0000"',
    );
  });

  it('fails against the DigiCert root (tsa:test-mismatch)', async () => {
    const outcome = await run('jwsWithTimestamp.sig', policy(['ca:valid-trust-store', 'tsa:test-mismatch']));
    expect(outcome.results.find((r) => r.type === 'authenticTimestamp')?.message).toBe(
      'failed to verify the timestamp countersignature with error: failed to verify signed token: cms verification failure: x509: certificate signed by unknown authority',
    );
    expect(outcome.accepted).toBe(false);
  });

  it('fails when the tsa store does not exist', async () => {
    const outcome = await run('jwsWithTimestamp.sig', policy(['ca:valid-trust-store', 'tsa:does-not-exist']));
    expect(outcome.results.find((r) => r.type === 'authenticTimestamp')?.message).toBe(
      'failed to load tsa trust store with error: the trust store "does-not-exist" of type "tsa" does not exist',
    );
  });

  const verifyJwsWithTsa = (verifier: TimestampVerifier | undefined) =>
    verifySignature({
      envelope: new Uint8Array(readFileSync(sharedPath(`${DIR}jwsWithTimestamp.sig`))),
      envelopeMediaType: 'application/jose+json',
      artifact,
      policy: withTsa,
      trustStore,
      clock: () => NOW,
      timestampVerifier: verifier,
      revocationChecker: createRevocationChecker({ fetch: offlineFetch }),
    });

  it('fails closed without a timestamp verifier', async () => {
    const outcome = await verifyJwsWithTsa(undefined);
    expect(outcome.accepted).toBe(false);
    expect(outcome.results.find((r) => r.type === 'authenticTimestamp')?.message).toBe(
      'timestamp countersignature verification is not available in this verifier (no timestamp verifier configured)',
    );
  });

  it('fails closed when the TSA chain revocation cannot be checked (offline, not skipped)', async () => {
    const outcome = await verifyJwsWithTsa(
      createTimestampVerifier({ tsaRevocation: { fetch: offlineFetch } }),
    );
    expect(outcome.accepted).toBe(false);
    expect(outcome.failedValidation).toBe('authenticTimestamp');
    expect(outcome.error).toContain('timestamping certificate with subject');
    expect(outcome.error).toContain('revocation status is unknown');
  });
});

describe('the timestamp verifier service (createTimestampVerifier)', () => {
  const content = verifyEnvelopeBytes(
    'application/jose+json',
    new Uint8Array(readFileSync(sharedPath(`${DIR}jwsWithTimestamp.sig`))),
  );
  const request = async (signingTime: Date) => ({
    token: content.timestampSignature ?? new Uint8Array(),
    signature: content.signature,
    signingTime,
    signingChain: content.certificateChain,
    tsaRoots: await trustStore.certificates('tsa', 'test-timestamp'),
    at: NOW,
  });

  it('returns the range of a token stamped after the signing time', async () => {
    const range = await timestampVerifier(await request(content.signingTime.date));
    expect(range.from.getTime()).toBeGreaterThan(content.signingTime.date.getTime());
    expect(range.tsaChain.length).toBeGreaterThan(1);
  });

  it('refuses a token that is not bounded after the signing time', async () => {
    await expect(timestampVerifier(await request(new Date('2024-06-18T08:00:00Z')))).rejects.toThrow(
      /^timestamp \[2024-06-18T06:2\d:\d\dZ, 2024-06-18T06:2\d:\d\dZ\] is not bounded after the signing time "2024-06-18 08:00:00 \+0000 UTC"$/,
    );
  });
});
