import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedPath } from '../../../../test/harness/paths.js';
import { generateTestCertificate } from '../sign/generate-test-certificate.js';
import { createLocalSigner } from '../sign/local-signer.js';
import { signArtifact } from '../sign/sign-artifact.js';
import { parseOciTrustPolicy } from '../trust-policy/oci-trust-policy.js';
import { DirectoryTrustStore } from '../trust-store/directory-trust-store.js';
import { MemoryTrustStore } from '../trust-store/memory-trust-store.js';
import type { TrustStore } from '../types.js';
import { createTimestampVerifier } from './notation-services.js';
import {
  clock,
  configFile,
  e2ePolicy,
  e2eStore,
  readLayout,
  verifyE2eArtifact,
} from './oci-layout.test-support.js';
import type { SignatureCandidate } from './verify-artifact.js';

/**
 * The e2e trust policy files (INDEX.md §C) taken through verification, as the e2e suite does
 * (suite/trustpolicy/*.go, suite/command/verify.go): the artifact is e2e-valid-signature (signed
 * with localkeys/e2e.key + e2e.crt) unless a row names another. Files notation rejects before
 * verifying are in trust-policy/oci-trust-policy.test.ts.
 */

const valid = readLayout('e2e-valid-signature');

/** The artifact notation-go's timestamped envelopes (INDEX E2, signer CN=alpine) sign. */
const TIMESTAMPED_ARTIFACT = {
  mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
  digest: 'sha256:c0669ef34cdc14332c0f1ab0c2c01acb91d96014b172f1a76f3a39e63d1f0bda',
  size: 528,
};
/** One of notation-go's envelopes of `timestamp/sigEnv` (COSE when its name says so). */
const timestampedEnvelope = (file: string): SignatureCandidate => ({
  envelope: new Uint8Array(
    readFileSync(sharedPath(`vectors/notation-go/verifier/testdata/timestamp/sigEnv/${file}`)),
  ),
  envelopeMediaType: file.startsWith('cose') ? 'application/cose' : 'application/jose+json',
});
const reference = (repository: string, digest = valid.target.digest): string =>
  `localhost:5000/${repository}@${digest}`;

function verify(
  policyFile: string,
  repository = 'e2e',
  options: { trustStore?: TrustStore; signatures?: SignatureCandidate[] } = {},
) {
  return verifyE2eArtifact(valid.target, {
    repository,
    policy: e2ePolicy(policyFile),
    trustStore: options.trustStore ?? e2eStore,
    signatures: options.signatures ?? valid.signatures,
  });
}

describe('registry scopes (registry_scope.go, multi_statements.go)', () => {
  it('passes with any(*) repository (any_registry_scope_trust_policy.json)', async () => {
    const outcome = await verify('any_registry_scope_trust_policy.json', 'any-repo');
    expect(outcome.verified).toBe(true);
    expect(outcome.policyName).toBe('e2e');
  });

  it('passes with a repository scope (registry_scope_trustpolicy.json, localhost:5000/test-repo)', async () => {
    expect((await verify('registry_scope_trustpolicy.json', 'test-repo')).verified).toBe(true);
  });

  it.each(['test-repo2', 'test-repo3'])(
    'passes %s with multiple repository scopes (multiple_registry_scope_trustpolicy.json)',
    async (repository) => {
      expect((await verify('multiple_registry_scope_trustpolicy.json', repository)).verified).toBe(true);
    },
  );

  it('uses the exact scope over "*" (multi_statements_with_wildcard_registry_scope_trustpolicy.json)', async () => {
    const exact = await verify(
      'multi_statements_with_wildcard_registry_scope_trustpolicy.json',
      'test-repo9',
    );
    expect(exact.verified).toBe(true);
    expect(exact.policyName).toBe('e2e');
    const other = await verify(
      'multi_statements_with_wildcard_registry_scope_trustpolicy.json',
      'test-repo10',
    );
    expect(other.verified).toBe(true);
    expect(other.policyName).toBe('e2e2');
  });

  it("fails when no scope applies, with notation's message (invalid_registry_scope_trustpolicy.json)", async () => {
    const outcome = await verify('invalid_registry_scope_trustpolicy.json', 'test-repo');
    expect(outcome.verified).toBe(false);
    expect(outcome.attempts).toEqual([]);
    // notation's CLI prefixes "Error: signature verification failed: ".
    expect(outcome.message).toBe(
      `artifact "${reference('test-repo')}" has no applicable oci trust policy statement. Trust policy applicability for a given artifact is determined by registryScopes. To create a trust policy, see: https://notaryproject.dev/docs/quickstart/#create-a-trust-policy`,
    );
  });
});

describe('trust stores (trust_store.go)', () => {
  it('fails when the named store does not exist (invalid_trust_store_trustpolicy.json)', async () => {
    const outcome = await verify('invalid_trust_store_trustpolicy.json');
    expect(outcome.verified).toBe(false);
    expect(outcome.message).toBe(
      'signature verification failed: authenticity validation failed. Failure reason: the trust store "invalid_store" of type "ca" does not exist',
    );
  });

  describe('multiple trust stores (multiple_trust_store_trustpolicy.json: ca:e2e + ca:e2e-new)', () => {
    const stores = new MemoryTrustStore([
      { type: 'ca', name: 'e2e', files: [{ name: 'e2e.crt', data: configFile('localkeys', 'e2e.crt') }] },
      {
        type: 'ca',
        name: 'e2e-new',
        files: [{ name: 'new_e2e.crt', data: configFile('localkeys', 'new_e2e.crt') }],
      },
    ]);

    it('passes artifact1, signed here with e2e.key + new_e2e.crt, through ca/e2e-new', async () => {
      const target = readLayout('e2e').target;
      const signer = createLocalSigner({
        key: configFile('localkeys', 'e2e.key'),
        certificateChain: configFile('localkeys', 'new_e2e.crt'),
      });
      const signed = await signArtifact({ signer, artifact: target, format: 'jws', clock });
      const outcome = await verifyE2eArtifact(target, {
        policy: e2ePolicy('multiple_trust_store_trustpolicy.json'),
        trustStore: stores,
        signatures: [{ envelope: signed.envelope, envelopeMediaType: signed.mediaType }],
      });
      expect(outcome.verified).toBe(true);
      expect(outcome.accepted?.outcome.details?.signer.subject).toBe(
        'O=Internet Widgits Pty Ltd,ST=Some-State,C=AU',
      );
    });

    it('passes artifact2 (e2e-valid-signature) through ca/e2e', async () => {
      expect(
        (await verify('multiple_trust_store_trustpolicy.json', 'e2e', { trustStore: stores })).verified,
      ).toBe(true);
    });

    it('fails e2e-valid-signature when the only store holds new_e2e.crt (verification_level.go "invalid authenticity")', async () => {
      const onlyNew = new MemoryTrustStore([
        {
          type: 'ca',
          name: 'e2e',
          files: [{ name: 'new_e2e.crt', data: configFile('localkeys', 'new_e2e.crt') }],
        },
      ]);
      const outcome = await verify('trustpolicy.json', 'e2e', { trustStore: onlyNew });
      expect(outcome.message).toBe(
        "signature verification failed: authenticity validation failed. Failure reason: the signature's certificate chain does not contain any trusted certificate",
      );
    });
  });

  it('passes with the same store listed twice (overlapped_trust_store_trustpolicy.json; the e2e test is skipped upstream)', async () => {
    expect((await verify('overlapped_trust_store_trustpolicy.json')).verified).toBe(true);
  });
});

describe('timestamp verification settings (verify.go)', () => {
  /**
   * notation's e2e signs with a TSA over the network. Offline, the GlobalSign-timestamped
   * envelope of notation-go (INDEX E2, signer CN=alpine) stands in, with the e2e store names:
   * ca:e2e ← its anchor TestTimestamp.crt, tsa:e2e ← timestamp/globalsignTSARoot.cer (GlobalSign R6).
   */
  const E2 = 'vectors/notation-go/verifier/testdata/';
  const stores = new MemoryTrustStore([
    {
      type: 'ca',
      name: 'e2e',
      files: [
        {
          name: 'TestTimestamp.crt',
          data: readFileSync(sharedPath(`${E2}truststore/x509/ca/valid-trust-store/TestTimestamp.crt`)),
        },
      ],
    },
    {
      type: 'tsa',
      name: 'e2e',
      files: [{ name: 'globalsignTSARoot.cer', data: configFile('timestamp', 'globalsignTSARoot.cer') }],
    },
  ]);
  const timestamped = (policyFile: string, file: string) =>
    verifyE2eArtifact(TIMESTAMPED_ARTIFACT, {
      policy: e2ePolicy(policyFile),
      trustStore: stores,
      signatures: [timestampedEnvelope(file)],
      // TSA chain revocation needs the network: turned off explicitly here.
      timestampVerifier: createTimestampVerifier({ tsaRevocation: 'skip' }),
    });

  it.each(['jwsWithTimestamp.sig', 'coseWithTimestamp.sig'])(
    'performs timestamp verification with timestamp_trustpolicy.json (%s: "Timestamp verification: Success")',
    async (file) => {
      const outcome = await timestamped('timestamp_trustpolicy.json', file);
      expect(outcome.verified).toBe(true);
      const result = outcome.accepted?.outcome.results.find((r) => r.type === 'authenticTimestamp');
      expect(result).toMatchObject({ status: 'pass', message: 'timestamp verification: success' });
      expect(outcome.accepted?.outcome.details?.timestamp?.from.toISOString()).toMatch(
        /^2024-06-18T06:2[79]:/,
      );
    },
  );

  it('fails timestamp_trustpolicy.json for a signature without a countersignature', async () => {
    const outcome = await timestamped('timestamp_trustpolicy.json', 'withoutTimestamp.sig');
    expect(outcome.message).toBe(
      'signature verification failed: authenticTimestamp validation failed. Failure reason: no timestamp countersignature was found in the signature envelope',
    );
  });

  it('disables timestamp verification while the chain is unexpired (timestamp_after_cert_expiry_trustpolicy.json)', async () => {
    const outcome = await timestamped('timestamp_after_cert_expiry_trustpolicy.json', 'withoutTimestamp.sig');
    expect(outcome.verified).toBe(true);
    expect(outcome.accepted?.outcome.results.find((r) => r.type === 'authenticTimestamp')?.message).toBe(
      'timestamp verification disabled: verifyTimestamp is set to "afterCertExpiry" and signing cert chain unexpired; the signing chain is valid now',
    );
    expect(outcome.accepted?.outcome.details?.timestamp).toBeUndefined();
  });

  it('does the same for e2e-valid-signature under the e2e stores', async () => {
    const outcome = await verify('timestamp_after_cert_expiry_trustpolicy.json', 'e2e', {
      trustStore: new MemoryTrustStore([
        { type: 'ca', name: 'e2e', files: [{ name: 'e2e.crt', data: configFile('localkeys', 'e2e.crt') }] },
        {
          type: 'tsa',
          name: 'e2e',
          files: [
            { name: 'DigiCertTSARootSHA384.cer', data: configFile('timestamp', 'DigiCertTSARootSHA384.cer') },
          ],
        },
      ]),
    });
    expect(outcome.verified).toBe(true);
  });
});

describe('scenario policies with `notation cert generate-test` certificates', () => {
  it.each([
    ['quickstart_trustpolicy.json', 'wabbit-networks.io'],
    ['generate_test_trustpolicy.json', 'sKey'],
  ])('%s passes a signature made with a generated %s certificate', async (policyFile, name) => {
    const cert = generateTestCertificate(name, { clock });
    const store = new MemoryTrustStore([
      { type: 'ca', name, files: [{ name: `${name}.crt`, data: cert.certificatePem }] },
    ]);
    const signer = createLocalSigner({ key: cert.keyPem, certificateChain: cert.certificatePem });
    const signed = await signArtifact({ signer, artifact: valid.target, format: 'cose', clock });
    const outcome = await verify(policyFile, 'net-monitor', {
      trustStore: store,
      signatures: [{ envelope: signed.envelope, envelopeMediaType: signed.mediaType }],
    });
    expect(outcome.verified).toBe(true);
    expect(outcome.accepted?.outcome.details?.signer.subject).toBe(
      `CN=${name},O=Notary,L=Seattle,ST=WA,C=US`,
    );
  });
});

describe('notation-action e2e verify (INDEX H: tests/e2e/verify)', () => {
  const ACTION = 'vectors/notation-action/tests/e2e/verify/';
  const actionPolicy = (file: string) =>
    parseOciTrustPolicy(readFileSync(sharedPath(`${ACTION}trustpolicy/${file}`)));
  // The workflow signs with a certificate it generates; one is generated here the same way.
  const cert = generateTestCertificate('e2e-test', { clock });
  const ca = new MemoryTrustStore([
    { type: 'ca', name: 'e2e-test', files: [{ name: 'e2e-test.crt', data: cert.certificatePem }] },
  ]);
  /** The action's own truststore directory: x509/tsa/e2e-test/DigiCertTSARootSHA384.cer. */
  const actionTsa = new DirectoryTrustStore(sharedPath(`${ACTION}truststore`));
  const caAndTsa: TrustStore = {
    certificates: (type, name) =>
      type === 'tsa' ? actionTsa.certificates(type, name) : ca.certificates(type, name),
  };
  const signedHere = async () => {
    const signer = createLocalSigner({ key: cert.keyPem, certificateChain: cert.certificatePem });
    const signed = await signArtifact({ signer, artifact: valid.target, format: 'jws', clock });
    return [{ envelope: signed.envelope, envelopeMediaType: signed.mediaType }];
  };
  const run = async (policyFile: string, trustStore: TrustStore) =>
    verifyE2eArtifact(valid.target, {
      repository: 'net-monitor',
      policy: actionPolicy(policyFile),
      trustStore,
      signatures: await signedHere(),
      timestampVerifier: createTimestampVerifier({ tsaRevocation: 'skip' }),
    });

  it('passes under trustpolicy.json (ca:e2e-test)', async () => {
    expect((await run('trustpolicy.json', ca)).verified).toBe(true);
  });

  it('fails against invalid-trust-store (an unrelated self-signed "alpine" certificate): authenticity', async () => {
    const outcome = await run(
      'trustpolicy.json',
      new DirectoryTrustStore(sharedPath(`${ACTION}truststore/invalid-trust-store`)),
    );
    expect(outcome.verified).toBe(false);
    expect(outcome.message).toBe(
      "signature verification failed: authenticity validation failed. Failure reason: the signature's certificate chain does not contain any trusted certificate",
    );
  });

  it('loads the DigiCert TSA root of timestampVerificationEnabled.json, and requires a countersignature (the workflow timestamps with DigiCert over the network)', async () => {
    expect(await actionTsa.certificates('tsa', 'e2e-test')).toHaveLength(1);
    const outcome = await run('timestampVerificationEnabled.json', caAndTsa);
    expect(outcome.message).toBe(
      'signature verification failed: authenticTimestamp validation failed. Failure reason: no timestamp countersignature was found in the signature envelope',
    );
  });

  it('refuses a GlobalSign token under the DigiCert tsa:e2e-test root', async () => {
    const alpine = new MemoryTrustStore([
      {
        type: 'ca',
        name: 'e2e-test',
        files: [
          {
            name: 'invalid.crt',
            data: readFileSync(
              sharedPath(`${ACTION}truststore/invalid-trust-store/x509/ca/e2e-test/invalid.crt`),
            ),
          },
        ],
      },
    ]);
    const outcome = await verifyE2eArtifact(TIMESTAMPED_ARTIFACT, {
      repository: 'net-monitor',
      policy: actionPolicy('timestampVerificationEnabled.json'),
      trustStore: {
        certificates: (type, name) =>
          type === 'tsa' ? actionTsa.certificates(type, name) : alpine.certificates(type, name),
      },
      signatures: [timestampedEnvelope('jwsWithTimestamp.sig')],
      timestampVerifier: createTimestampVerifier({ tsaRevocation: 'skip' }),
    });
    expect(outcome.message).toBe(
      'signature verification failed: authenticTimestamp validation failed. Failure reason: failed to verify the timestamp countersignature with error: failed to verify signed token: cms verification failure: x509: certificate signed by unknown authority',
    );
  });
});
