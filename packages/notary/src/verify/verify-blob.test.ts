import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedPath } from '../../../../test/harness/paths.js';
import { verifyEnvelopeBytes } from '../envelope/envelope.js';
import { parseBlobTrustPolicy } from '../trust-policy/blob-trust-policy.js';
import { MemoryTrustStore } from '../trust-store/memory-trust-store.js';
import { createTimestampVerifier } from './notation-services.js';
import type { RevocationChecker } from './services.js';
import { type BlobDescriber, verifyBlob, type VerifyBlobInput } from './verify-blob.js';

/**
 * Detached blob signatures (INDEX.md §B, §C trustpolicy.blob.json / blob_trust_policy.json, §E6).
 * The blob signed by blob.jws.sig and blob.cose.sig is notation's own LICENSE file.
 */

const SIGNATURES = 'vectors/notation/test/e2e/testdata/signatures/';
const CONFIG = 'vectors/notation/test/e2e/testdata/config/';
const read = (p: string): Uint8Array => new Uint8Array(readFileSync(sharedPath(p)));
const LICENSE = read('vectors/notation/LICENSE');
const NOW = new Date('2026-11-27T00:00:00Z');
const clock = (): Date => NOW;
/** Self-signed test leaves without CRL/OCSP endpoints: nothing to check. */
const noEndpoints: RevocationChecker = () => Promise.resolve({ result: 'ok' });
const JWS = 'application/jose+json';
const COSE = 'application/cose';

const signatures = {
  jws: { envelope: read(`${SIGNATURES}blob.jws.sig`), mediaType: JWS },
  cose: { envelope: read(`${SIGNATURES}blob.cose.sig`), mediaType: COSE },
} as const;

/** A trust store `ca:e2e` holding the signature's own (self-signed) leaf, plus `tsa:e2e` = GlobalSign R6. */
function storeFor(envelope: Uint8Array, mediaType: string): MemoryTrustStore {
  const leaf = verifyEnvelopeBytes(mediaType, envelope).certificateChain[0]?.der ?? new Uint8Array();
  return new MemoryTrustStore([
    { type: 'ca', name: 'e2e', files: [{ name: 'leaf.crt', data: leaf }] },
    {
      type: 'tsa',
      name: 'e2e',
      files: [{ name: 'globalsignTSARoot.cer', data: read(`${CONFIG}timestamp/globalsignTSARoot.cer`) }],
    },
  ]);
}

const blobPolicy = parseBlobTrustPolicy(
  readFileSync(sharedPath('vectors/notation/test/e2e/testdata/blob/trustpolicies/trustpolicy.blob.json')),
);

function run(
  format: keyof typeof signatures,
  extra: Partial<VerifyBlobInput> = {},
): ReturnType<typeof verifyBlob> {
  const { envelope, mediaType } = signatures[format];
  return verifyBlob({
    blob: LICENSE,
    envelope,
    envelopeMediaType: mediaType,
    policy: blobPolicy,
    trustStore: storeFor(envelope, mediaType),
    clock,
    revocationChecker: noEndpoints,
    ...extra,
  });
}

const expired = {
  jws: 'verification time is after certificate "CN=testcert2,O=Notary,L=Seattle,ST=WA,C=US" validity period, it was expired at "Wed, 01 Jan 2025 08:04:39 +0000"',
  cose: 'verification time is after certificate "CN=testcert3,O=Notary,L=Seattle,ST=WA,C=US" validity period, it was expired at "Wed, 08 Jan 2025 08:42:24 +0000"',
} as const;

describe('notation blob verify over notation e2e blob signatures (INDEX B, derived "now" = 2026-11-27)', () => {
  describe.each(['jws', 'cose'] as const)('blob.%s.sig', (format) => {
    it('uses the global statement by default and fails authenticTimestamp without a tsa store: the leaf expired', async () => {
      const outcome = await run(format);
      expect(outcome.policyName).toBe('test-blob-global-statement');
      expect(outcome.verified).toBe(false);
      expect(outcome.outcome?.failedValidation).toBe('authenticTimestamp');
      expect(outcome.message).toBe(
        `authenticTimestamp validation failed. Failure reason: ${expired[format]}`,
      );
    });

    it('fails the same way under --policy-name test-blob-statement', async () => {
      const outcome = await run(format, { policyName: 'test-blob-statement' });
      expect(outcome.policyName).toBe('test-blob-statement');
      expect(outcome.outcome?.results.find((r) => r.type === 'authenticTimestamp')?.message).toBe(
        expired[format],
      );
    });

    it('cannot chain the Microsoft TSA under test-blob-with-timestamping (the Microsoft root is not shipped, INDEX J)', async () => {
      const outcome = await run(format, {
        policyName: 'test-blob-with-timestamping',
        timestampVerifier: createTimestampVerifier({ tsaRevocation: 'skip' }),
      });
      expect(outcome.verified).toBe(false);
      expect(outcome.message).toBe(
        'authenticTimestamp validation failed. Failure reason: failed to verify the timestamp countersignature with error: failed to verify signed token: cms verification failure: x509: certificate signed by unknown authority',
      );
    });

    describe('when the authentic timestamp is only logged', () => {
      const loggedTimestamp = parseBlobTrustPolicy(
        JSON.stringify({
          version: '1.0',
          trustPolicies: [
            {
              name: 'logged',
              globalPolicy: true,
              signatureVerification: { level: 'strict', override: { authenticTimestamp: 'log' } },
              trustStores: ['ca:e2e'],
              trustedIdentities: ['*'],
            },
          ],
        }),
      );

      it('accepts the LICENSE blob and reports the signed descriptor', async () => {
        const outcome = await run(format, { policy: loggedTimestamp });
        expect(outcome.verified).toBe(true);
        expect(outcome.outcome?.warnings).toEqual([
          `authenticTimestamp was set to "log" and failed with error: ${expired[format]}`,
        ]);
        expect(outcome.outcome?.details?.targetArtifact).toEqual({
          mediaType: 'application/octet-stream',
          digest: 'sha256:c71d239df91726fc519c6eb72d318ec65820627232b2f796219e87dcf35d0ab4',
          size: 11357,
        });
      });

      it('refuses another blob', async () => {
        const outcome = await run(format, { policy: loggedTimestamp, blob: LICENSE.subarray(1) });
        expect(outcome.verified).toBe(false);
        expect(outcome.message).toBe('integrity check failed. signature does not match the given blob');
      });

      it('refuses --media-type image/jpeg (blob/verify.go "with mismatch media type")', async () => {
        const outcome = await run(format, { policy: loggedTimestamp, mediaType: 'image/jpeg' });
        expect(outcome.message).toBe('integrity check failed. signature does not match the given blob');
      });

      it('accepts --media-type application/octet-stream', async () => {
        const outcome = await run(format, { policy: loggedTimestamp, mediaType: 'application/octet-stream' });
        expect(outcome.verified).toBe(true);
      });
    });
  });

  describe('malformed.jws.sig ("malformed signature" text)', () => {
    it('fails integrity: it is not a JWS (notation inspect: "failed to parse signature")', async () => {
      const outcome = await verifyBlob({
        blob: LICENSE,
        envelope: read(`${SIGNATURES}malformed.jws.sig`),
        envelopeMediaType: JWS,
        policy: blobPolicy,
        trustStore: storeFor(signatures.jws.envelope, JWS),
        clock,
        revocationChecker: noEndpoints,
      });
      expect(outcome.verified).toBe(false);
      expect(outcome.outcome?.failedValidation).toBe('integrity');
      // Go's JSON error tail ("invalid character 'm' looking for beginning of value") is not reproduced.
      expect(outcome.message).toMatch(
        /^integrity validation failed\. Failure reason: unable to parse the digital signature, error : the JWS envelope is not valid JSON: /,
      );
    });
  });

  describe('blob_trust_policy.json (a skip statement and a global audit statement)', () => {
    const doc = parseBlobTrustPolicy(
      readFileSync(sharedPath(`${CONFIG}trustpolicies/blob_trust_policy.json`)),
    );
    const store = new MemoryTrustStore([
      {
        type: 'ca',
        name: 'acme-rockets',
        files: [{ name: 'e2e.crt', data: read(`${CONFIG}localkeys/e2e.crt`) }],
      },
    ]);
    const verify = (policyName?: string) =>
      verifyBlob({
        blob: LICENSE,
        envelope: signatures.jws.envelope,
        envelopeMediaType: JWS,
        policy: doc,
        policyName,
        trustStore: store,
        clock,
        revocationChecker: noEndpoints,
      });

    it('skips verification under skip-verification-policy', async () => {
      const outcome = await verify('skip-verification-policy');
      expect(outcome.verified).toBe(true);
      expect(outcome.message).toBe('Trust policy is configured to skip signature verification');
    });

    it('accepts under the global audit statement, logging the untrusted signer and the expired leaf', async () => {
      const outcome = await verify();
      expect(outcome.policyName).toBe('global-verification-policy');
      expect(outcome.verified).toBe(true);
      expect(outcome.outcome?.warnings).toEqual([
        `authenticity was set to "log" and failed with error: the signature's certificate chain does not contain any trusted certificate`,
        `authenticTimestamp was set to "log" and failed with error: ${expired.jws}`,
      ]);
    });

    it('says when the named statement does not exist', async () => {
      const outcome = await verify('wabbit-networks-policy-2');
      expect(outcome.verified).toBe(false);
      expect(outcome.message).toBe('no applicable blob trust policy with name "wabbit-networks-policy-2"');
    });
  });
});

describe('notation-go TestVerifyBlob through verifyBlob (verifier_test.go.extracted, INDEX E6)', () => {
  const dir = 'vectors/notation-go/verifier/verifier_test.go.extracted/';
  const store = new MemoryTrustStore([
    {
      type: 'ca',
      name: 'dummy-ts',
      files: [{ name: 'trustedCert.pem', data: read(`${dir}trustedCert.pem`) }],
    },
  ]);
  const policy = parseBlobTrustPolicy(
    JSON.stringify({
      version: '1.0',
      trustPolicies: [
        {
          name: 'blob-test-policy',
          signatureVerification: { level: 'strict' },
          trustStores: ['ca:dummy-ts'],
          trustedIdentities: ['*'],
        },
      ],
    }),
  );
  const digest =
    'sha384:b8ab24dafba5cf7e4c89c562f811cf10493d4203da982d3b1345f366ca863d9c2ed323dbd0fb7ff83a80302ceffa5a61';
  /** notation-go's getTestDescGenFunc: the blob's own bytes are not in the repository. */
  const descriptorOf =
    (d: string, seen: string[] = []): BlobDescriber =>
    (algorithm) => {
      seen.push(algorithm);
      return Promise.resolve({ digest: d, size: 12 });
    };
  const run = (blob: BlobDescriber, extra: Partial<VerifyBlobInput> = {}) =>
    verifyBlob({
      blob,
      mediaType: 'video/mp4',
      envelope: read(`${dir}testSig.jws.sig`),
      envelopeMediaType: JWS,
      policy,
      policyName: 'blob-test-policy',
      trustStore: store,
      clock,
      revocationChecker: noEndpoints,
      ...extra,
    });

  it('accepts the descriptor, derived with the signature hash (PS384 → sha384)', async () => {
    const seen: string[] = [];
    const outcome = await run(descriptorOf(digest, seen));
    expect(outcome.verified).toBe(true);
    expect(seen).toEqual(['sha384']);
  });

  it('accepts with user metadata buildId=101', async () => {
    expect((await run(descriptorOf(digest), { userMetadata: { buildId: '101' } })).verified).toBe(true);
  });

  it('refuses user metadata buildId=zzz', async () => {
    const outcome = await run(descriptorOf(digest), { userMetadata: { buildId: 'zzz' } });
    expect(outcome.message).toBe('unable to find specified metadata in the signature');
  });

  it('refuses the digest …5a62', async () => {
    const outcome = await run(descriptorOf(`${digest.slice(0, -1)}2`));
    expect(outcome.verified).toBe(false);
    expect(outcome.message).toBe('integrity check failed. signature does not match the given blob');
  });

  it('reports a descriptor generator failure', async () => {
    const outcome = await run(() => Promise.reject(new Error('intentional test desc generation error')));
    expect(outcome.message).toBe(
      'failed to generate descriptor for given artifact. Error: intentional test desc generation error',
    );
  });

  it('refuses an empty signature (Go: "unexpected end of JSON input")', async () => {
    const outcome = await run(descriptorOf(digest), { envelope: new Uint8Array() });
    expect(outcome.message).toMatch(
      /^integrity validation failed\. Failure reason: unable to parse the digital signature, error : /,
    );
  });
});
