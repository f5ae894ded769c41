import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSignatureManifest, parseSignatureManifest } from '../manifest/signature-manifest.js';
import { createLocalSigner } from '../sign/local-signer.js';
import type { Signer } from '../sign/signer.js';
import { signArtifact } from '../sign/sign-artifact.js';
import { parseOciTrustPolicy } from '../trust-policy/oci-trust-policy.js';
import { MemoryTrustStore, type MemoryTrustStoreEntry } from '../trust-store/memory-trust-store.js';
import { createTimestampVerifier } from './notation-services.js';
import {
  clock,
  CONFIG,
  e2ePolicy as policy,
  NOW,
  readLayout,
  verifyE2eArtifact,
} from './oci-layout.test-support.js';
import type { ArtifactVerificationOutcome, SignatureCandidate } from './verify-artifact.js';

/**
 * The notation e2e OCI image layouts (INDEX.md §A), read straight from the layout directories:
 * index.json → manifests → signature manifests (subject = the target) → envelope blobs.
 */

async function verifyLayout(layout: string, policyFile: string) {
  const { target, signatures } = readLayout(layout);
  return verifyE2eArtifact(target, { policy: policy(policyFile), signatures });
}

/** A trust policy document of one statement `e2e` (every scope, `ca:e2e`, any identity). */
function e2eStatement(signatureVerification: object) {
  return parseOciTrustPolicy(
    JSON.stringify({
      version: '1.0',
      trustPolicies: [
        {
          name: 'e2e',
          registryScopes: ['*'],
          signatureVerification,
          trustStores: ['ca:e2e'],
          trustedIdentities: ['*'],
        },
      ],
    }),
  );
}

/** The store `ca:e2e` holding, as `file`, the leaf certificate of the first (JWS) signature; then `others`. */
function leafStore(
  signatures: readonly SignatureCandidate[],
  file: string,
  ...others: MemoryTrustStoreEntry[]
): MemoryTrustStore {
  const envelope = JSON.parse(Buffer.from(signatures[0]?.envelope ?? new Uint8Array()).toString()) as {
    header: { x5c: string[] };
  };
  const leaf = Buffer.from(envelope.header.x5c[0] ?? '', 'base64');
  return new MemoryTrustStore([{ type: 'ca', name: 'e2e', files: [{ name: file, data: leaf }] }, ...others]);
}

/** notation's own e2e signer: localkeys/e2e.key with e2e.crt. */
const e2eSigner = (): Signer =>
  createLocalSigner({
    key: readFileSync(path.join(CONFIG, 'localkeys/e2e.key')),
    certificateChain: readFileSync(path.join(CONFIG, 'localkeys/e2e.crt')),
  });

describe('the notation e2e OCI layouts', () => {
  describe('e2e-valid-signature', () => {
    it('verifies under the e2e strict policy (ca:e2e, identities *)', async () => {
      const outcome = await verifyLayout('e2e-valid-signature', 'trustpolicy.json');
      expect(outcome.verified).toBe(true);
      expect(outcome.accepted?.outcome.results.map((r) => r.status)).toEqual([
        'pass',
        'pass',
        'pass',
        'pass',
        'pass',
      ]);
      expect(outcome.accepted?.outcome.details?.signer.subject).toBe('CN=e2e,O=Notary,L=Seattle,ST=WA,C=US');
    });

    it('verifies when the trusted identity names the e2e subject', async () => {
      const outcome = await verifyLayout('e2e-valid-signature', 'valid_trusted_identity_trustpolicy.json');
      expect(outcome.verified).toBe(true);
    });

    it('fails authenticity when the trusted identity is C=USB', async () => {
      const outcome = await verifyLayout('e2e-valid-signature', 'invalid_trusted_identity_trustpolicy.json');
      expect(outcome.verified).toBe(false);
      expect(outcome.attempts[0]?.outcome.failedValidation).toBe('authenticity');
      expect(outcome.message).toBe(
        'signature verification failed: authenticity validation failed. Failure reason: signing certificate from the digital signature does not match the X.509 trusted identities [map["C":"USB" "CN":"e2e" "L":"Seattle" "O":"Notary" "ST":"WA"]] defined in the trust policy "e2e"',
      );
    });
  });

  describe('e2e-expired-signature', () => {
    const expiredText = 'digital signature has expired on "Tue, 27 Jun 2023 13:21:21 +0800"';
    /** Refused on the expiry, with notation's text. */
    const expectExpiryFailure = (outcome: ArtifactVerificationOutcome): void => {
      expect(outcome.verified).toBe(false);
      expect(outcome.message).toBe(
        `signature verification failed: expiry validation failed. Failure reason: ${expiredText}`,
      );
    };
    /** Accepted, the expiry logged as notation's warning. */
    const expectExpiryLogged = (outcome: ArtifactVerificationOutcome): void => {
      expect(outcome.verified).toBe(true);
      expect(outcome.accepted?.outcome.warnings).toEqual([
        `expiry was set to "log" and failed with error: ${expiredText}`,
      ]);
    };

    it('fails strict on expiry with notation text', async () => {
      expectExpiryFailure(await verifyLayout('e2e-expired-signature', 'trustpolicy.json'));
    });

    it('passes permissive with the expiry logged', async () => {
      const outcome = await verifyLayout('e2e-expired-signature', 'permissive_trustpolicy.json');
      expectExpiryLogged(outcome);
      expect(outcome.accepted?.outcome.results.find((r) => r.type === 'expiry')?.status).toBe('logged');
    });

    it('passes audit with a warning', async () => {
      expectExpiryLogged(await verifyLayout('e2e-expired-signature', 'audit_trustpolicy.json'));
    });

    it('passes strict when expiry is overridden to log', async () => {
      expectExpiryLogged(await verifyLayout('e2e-expired-signature', 'override_strict_trustpolicy.json'));
    });

    it('fails permissive when expiry is overridden to enforce', async () => {
      expectExpiryFailure(
        await verifyLayout('e2e-expired-signature', 'override_permissive_trustpolicy.json'),
      );
    });

    it('fails audit when expiry is overridden to enforce (override_audit_trustpolicy.json is not shipped: built here)', async () => {
      const { target, signatures } = readLayout('e2e-expired-signature');
      const outcome = await verifyE2eArtifact(target, {
        policy: e2eStatement({ level: 'audit', override: { expiry: 'enforce' } }),
        signatures,
      });
      expectExpiryFailure(outcome);
    });
  });

  describe('e2e-invalid-signature (a tar layer instead of an envelope)', () => {
    it.each(['trustpolicy.json', 'permissive_trustpolicy.json', 'audit_trustpolicy.json'])(
      'fails integrity under %s',
      async (file) => {
        const outcome = await verifyLayout('e2e-invalid-signature', file);
        expect(outcome.verified).toBe(false);
        expect(outcome.attempts[0]?.outcome.failedValidation).toBe('integrity');
        expect(outcome.message).toBe(
          'signature verification failed: integrity validation failed. Failure reason: unable to parse the digital signature, error : signature envelope format with media type "application/vnd.oci.image.layer.v1.tar" is not supported',
        );
      },
    );

    it('is skipped under the skip policy', async () => {
      const outcome = await verifyLayout('e2e-invalid-signature', 'skip_trustpolicy.json');
      expect(outcome.verified).toBe(true);
      expect(outcome.level).toBe('skip');
      expect(outcome.message).toBe('Trust policy is configured to skip signature verification');
    });
  });

  describe('e2e (no signature)', () => {
    it('fails with notation "no signature" text', async () => {
      const outcome = await verifyLayout('e2e', 'trustpolicy.json');
      expect(outcome.verified).toBe(false);
      expect(outcome.message).toMatch(
        /^no signature is associated with ".*", make sure the artifact was signed successfully$/,
      );
    });
  });

  describe('e2e-with-timestamped-signature (testcert7, expired since 2025-01-22)', () => {
    const { target, signatures } = readLayout('e2e-with-timestamped-signature');
    const store = leafStore(signatures, 'testcert7.crt');
    const run = (override: string) =>
      verifyE2eArtifact(target, {
        policy: e2eStatement({ level: 'strict', override: JSON.parse(override) as unknown }),
        trustStore: store,
        signatures,
      });

    it('fails strict on expiry first', async () => {
      const outcome = await run('{}');
      expect(outcome.attempts[0]?.outcome.failedValidation).toBe('expiry');
      expect(outcome.message).toBe(
        'signature verification failed: expiry validation failed. Failure reason: digital signature has expired on "Tue, 21 Jan 2025 12:39:46 +0000"',
      );
    });

    it('without a tsa store, fails authenticTimestamp because the certificate expired', async () => {
      const outcome = await run('{"expiry":"log"}');
      expect(outcome.attempts[0]?.outcome.failedValidation).toBe('authenticTimestamp');
      expect(outcome.message).toBe(
        'signature verification failed: authenticTimestamp validation failed. Failure reason: verification time is after certificate "CN=testcert7,O=Notary,L=Seattle,ST=WA,C=US" validity period, it was expired at "Wed, 22 Jan 2025 08:36:26 +0000"',
      );
    });

    it('reports the signed user metadata and the signing time', async () => {
      const outcome = await run('{"expiry":"log","authenticTimestamp":"log"}');
      expect(outcome.verified).toBe(true);
      const details = outcome.accepted?.outcome.details;
      expect(details?.targetArtifact.annotations).toEqual({ purpose: 'e2e' });
      expect(details?.signingTime.toISOString()).toBe('2025-01-21T09:17:46.000Z');
      expect(details?.signingAgent).toBe('notation-go/1.3.0+unreleased');
    });
  });

  describe('e2e-with-invalid-timestamped-signature', () => {
    it('without a tsa store, fails authenticTimestamp on the expired certificate', async () => {
      const { target, signatures } = readLayout('e2e-with-invalid-timestamped-signature');
      const outcome = await verifyE2eArtifact(target, {
        policy: policy('trustpolicy.json'),
        trustStore: leafStore(signatures, 'leaf.crt'),
        signatures,
      });
      expect(outcome.verified).toBe(false);
      expect(outcome.message).toBe(
        'signature verification failed: authenticTimestamp validation failed. Failure reason: verification time is after certificate "CN=testcert7,O=Notary,L=Seattle,ST=WA,C=US" validity period, it was expired at "Wed, 22 Jan 2025 08:36:26 +0000"',
      );
    });
  });
});

/** notation inspect's text for the 8 garbage bytes (the same Go error chain). */
const CMS_BER_ERROR =
  'cms: syntax error: invalid signed data: failed to convert from BER to DER: asn1: syntax error: decoding BER length octets: short form length octets value should be less or equal to the subsequent octets length';

describe('e2e-with-invalid-timestamped-signature with a tsa store', () => {
  const verifyInvalidTimestamp = async (tsaStore: string) => {
    const { target, signatures } = readLayout('e2e-with-invalid-timestamped-signature');
    const store = leafStore(signatures, 'leaf.crt', {
      type: 'tsa',
      name: 'e2e',
      files: [{ name: 'root.cer', data: readFileSync(path.join(CONFIG, 'timestamp/globalsignTSARoot.cer')) }],
    });
    const text = readFileSync(path.join(CONFIG, 'trustpolicies', 'timestamp_trustpolicy.json'), 'utf8');
    return verifyE2eArtifact(target, {
      policy: parseOciTrustPolicy(Buffer.from(text.replace('"tsa:e2e"', `"tsa:${tsaStore}"`))),
      trustStore: store,
      signatures,
      timestampVerifier: createTimestampVerifier({ tsaRevocation: 'skip' }),
    });
  };

  it('fails authenticTimestamp: the countersignature (8 garbage bytes) cannot be parsed', async () => {
    const outcome = await verifyInvalidTimestamp('e2e');
    expect(outcome.verified).toBe(false);
    expect(outcome.attempts[0]?.outcome.failedValidation).toBe('authenticTimestamp');
    expect(outcome.message).toBe(
      `signature verification failed: authenticTimestamp validation failed. Failure reason: failed to parse timestamp countersignature with error: ${CMS_BER_ERROR}`,
    );
  });

  it('reports the countersignature before a tsa store that does not exist (notation reads the token first)', async () => {
    const outcome = await verifyInvalidTimestamp('does-not-exist');
    expect(outcome.attempts[0]?.outcome.failedValidation).toBe('authenticTimestamp');
    expect(outcome.message).toContain('failed to parse timestamp countersignature with error:');
    expect(outcome.message).not.toContain('failed to load tsa trust store');
  });
});

describe('a signature made here with notation e2e.key + e2e.crt', () => {
  it.each(['jws', 'cose'] as const)(
    'verifies (%s) under notation e2e trust policy through a signature manifest',
    async (format) => {
      const { target } = readLayout('e2e');
      const signed = await signArtifact({
        signer: e2eSigner(),
        artifact: target,
        format,
        clock,
        userMetadata: { run: 'ci' },
      });
      const built = buildSignatureManifest({
        subject: target,
        envelope: signed.envelope,
        envelopeMediaType: signed.mediaType,
        certificateChain: signed.certificateChain,
        created: NOW,
      });
      const parsed = parseSignatureManifest(built.manifest.bytes);
      const envelopeBlob = built.blobs.find((b) => b.descriptor.digest === parsed.envelope.digest);
      const outcome = await verifyE2eArtifact(target, {
        policy: policy('trustpolicy.json'),
        signatures: [
          {
            manifest: built.manifest.descriptor,
            envelope: envelopeBlob?.bytes ?? new Uint8Array(),
            envelopeMediaType: parsed.envelope.mediaType,
          },
        ],
        userMetadata: { run: 'ci' },
      });
      expect(outcome.verified).toBe(true);
      expect(outcome.accepted?.outcome.details?.signer.sha256).toBe(
        'e38aea13f2b051f7183cca64a51ee676f4d4456f41d9fecf15eb367efc7343b9',
      );
      expect(parsed.thumbprints).toEqual([
        'e38aea13f2b051f7183cca64a51ee676f4d4456f41d9fecf15eb367efc7343b9',
      ]);
    },
  );

  it('is not accepted for another artifact (first signature) but the second, matching one wins', async () => {
    const signer = e2eSigner();
    const { target } = readLayout('e2e');
    const other = { ...target, digest: `sha256:${'1'.repeat(64)}` };
    const wrong = await signArtifact({ signer, artifact: other, format: 'jws', clock });
    const right = await signArtifact({ signer, artifact: target, format: 'cose', clock });
    const outcome = await verifyE2eArtifact(target, {
      policy: policy('trustpolicy.json'),
      signatures: [
        { envelope: wrong.envelope, envelopeMediaType: wrong.mediaType },
        { envelope: right.envelope, envelopeMediaType: right.mediaType },
      ],
    });
    expect(outcome.verified).toBe(true);
    expect(outcome.accepted?.index).toBe(1);
    expect(outcome.attempts[0]?.outcome.error).toContain('content descriptor mismatch');
  });

  it('stops after maxSignatureAttempts', async () => {
    const { target, signatures } = readLayout('e2e-invalid-signature');
    const outcome = await verifyE2eArtifact(target, {
      policy: policy('trustpolicy.json'),
      signatures: [...signatures, ...signatures],
      maxSignatureAttempts: 1,
    });
    expect(outcome.verified).toBe(false);
    expect(outcome.attempts).toHaveLength(1);
    expect(outcome.message).toBe(
      'signature evaluation stopped. The configured limit of 1 signatures to verify per artifact exceeded',
    );
  });
});
