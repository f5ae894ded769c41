import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedPath } from '../../../../test/harness/paths.js';
import { buildSignatureManifest, parseSignatureManifest } from '../manifest/signature-manifest.js';
import { createLocalSigner } from '../sign/local-signer.js';
import { signArtifact } from '../sign/sign-artifact.js';
import { parseOciTrustPolicy } from '../trust-policy/oci-trust-policy.js';
import { MemoryTrustStore } from '../trust-store/memory-trust-store.js';
import type { Descriptor } from '../types.js';
import { parseCertificate } from '../x509/certificate.js';
import type { RevocationChecker } from './services.js';
import { createTimestampVerifier } from './notation-services.js';
import { type SignatureCandidate, verifyArtifact } from './verify-artifact.js';

/**
 * The notation e2e OCI image layouts (INDEX.md §A), read straight from the layout directories:
 * index.json → manifests → signature manifests (subject = the target) → envelope blobs.
 */

const LAYOUTS = sharedPath('vectors/notation/test/e2e/testdata/registry/oci_layout');
const CONFIG = sharedPath('vectors/notation/test/e2e/testdata/config');
const NOW = new Date('2026-11-27T00:00:00Z');
const clock = (): Date => NOW;

/** Stand-in revocation checker: OK only for chains without any CRL/OCSP endpoint, else unknown. */
const noEndpointsRevocation: RevocationChecker = (req) => {
  const hasEndpoint = req.chain.some((der) =>
    parseCertificate(der).extensions.some((e) => e.oid === '2.5.29.31' || e.oid === '1.3.6.1.5.5.7.1.1'),
  );
  return Promise.resolve(hasEndpoint ? { result: 'unknown', subject: 'stand-in' } : { result: 'ok' });
};

interface Layout {
  target: Descriptor;
  signatures: SignatureCandidate[];
}

function blob(layout: string, digest: string): Uint8Array {
  const bytes = new Uint8Array(readFileSync(path.join(LAYOUTS, layout, 'blobs', ...digest.split(':'))));
  const actual = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  if (actual !== digest) throw new Error(`blob ${digest} of ${layout} does not match its digest`);
  return bytes;
}

function readLayout(layout: string): Layout {
  const index = JSON.parse(readFileSync(path.join(LAYOUTS, layout, 'index.json'), 'utf8')) as {
    manifests: (Descriptor & { annotations?: Record<string, string> })[];
  };
  const tagged = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === 'v1');
  if (tagged === undefined) throw new Error(`${layout} has no v1 tag`);
  const target: Descriptor = { mediaType: tagged.mediaType, digest: tagged.digest, size: tagged.size };
  const signatures: SignatureCandidate[] = [];
  for (const m of index.manifests) {
    if (m.mediaType !== 'application/vnd.oci.image.manifest.v1+json' || m.digest === target.digest) continue;
    const parsed = parseSignatureManifest(blob(layout, m.digest));
    if (parsed.subject?.digest !== target.digest) continue;
    signatures.push({
      manifest: { mediaType: m.mediaType, digest: m.digest, size: m.size },
      envelope: blob(layout, parsed.envelope.digest),
      envelopeMediaType: parsed.envelope.mediaType,
    });
  }
  return { target, signatures };
}

const e2eStore = new MemoryTrustStore([
  {
    type: 'ca',
    name: 'e2e',
    files: [{ name: 'e2e.crt', data: readFileSync(path.join(CONFIG, 'localkeys/e2e.crt')) }],
  },
]);

function policy(file: string): ReturnType<typeof parseOciTrustPolicy> {
  return parseOciTrustPolicy(readFileSync(path.join(CONFIG, 'trustpolicies', file)));
}

async function verifyLayout(layout: string, policyFile: string) {
  const { target, signatures } = readLayout(layout);
  return verifyArtifact({
    artifactReference: `localhost:5000/e2e@${target.digest}`,
    artifact: target,
    policy: policy(policyFile),
    trustStore: e2eStore,
    clock,
    signatures,
    revocationChecker: noEndpointsRevocation,
  });
}

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
      expect(outcome.message).toContain(
        'signing certificate from the digital signature does not match the X.509 trusted identities',
      );
    });
  });

  describe('e2e-expired-signature', () => {
    const expiredText = 'digital signature has expired on "Tue, 27 Jun 2023 13:21:21 +0800"';

    it('fails strict on expiry with notation text', async () => {
      const outcome = await verifyLayout('e2e-expired-signature', 'trustpolicy.json');
      expect(outcome.verified).toBe(false);
      expect(outcome.message).toContain('signature verification failed');
      expect(outcome.message).toContain(`expiry validation failed. Failure reason: ${expiredText}`);
    });

    it('passes permissive with the expiry logged', async () => {
      const outcome = await verifyLayout('e2e-expired-signature', 'permissive_trustpolicy.json');
      expect(outcome.verified).toBe(true);
      expect(outcome.accepted?.outcome.warnings).toEqual([
        `expiry was set to "log" and failed with error: ${expiredText}`,
      ]);
      expect(outcome.accepted?.outcome.results.find((r) => r.type === 'expiry')?.status).toBe('logged');
    });

    it('passes audit with a warning', async () => {
      const outcome = await verifyLayout('e2e-expired-signature', 'audit_trustpolicy.json');
      expect(outcome.verified).toBe(true);
      expect(outcome.accepted?.outcome.warnings[0]).toContain('digital signature has expired');
    });

    it('passes strict when expiry is overridden to log', async () => {
      const outcome = await verifyLayout('e2e-expired-signature', 'override_strict_trustpolicy.json');
      expect(outcome.verified).toBe(true);
    });

    it('fails permissive when expiry is overridden to enforce', async () => {
      const outcome = await verifyLayout('e2e-expired-signature', 'override_permissive_trustpolicy.json');
      expect(outcome.verified).toBe(false);
      expect(outcome.message).toContain('expiry validation failed.');
    });
  });

  describe('e2e-invalid-signature (a tar layer instead of an envelope)', () => {
    it.each(['trustpolicy.json', 'permissive_trustpolicy.json', 'audit_trustpolicy.json'])(
      'fails integrity under %s',
      async (file) => {
        const outcome = await verifyLayout('e2e-invalid-signature', file);
        expect(outcome.verified).toBe(false);
        expect(outcome.attempts[0]?.outcome.failedValidation).toBe('integrity');
        expect(outcome.message).toContain(
          'integrity validation failed. Failure reason: unable to parse the digital signature, error : signature envelope format with media type "application/vnd.oci.image.layer.v1.tar" is not supported',
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
    const leaf =
      signatures[0] === undefined
        ? undefined
        : (JSON.parse(Buffer.from(signatures[0].envelope).toString()) as { header: { x5c: string[] } });
    const store = new MemoryTrustStore([
      {
        type: 'ca',
        name: 'e2e',
        files: [{ name: 'testcert7.crt', data: Buffer.from(leaf?.header.x5c[0] ?? '', 'base64') }],
      },
    ]);
    const doc = (override: string) =>
      parseOciTrustPolicy(
        JSON.stringify({
          version: '1.0',
          trustPolicies: [
            {
              name: 'e2e',
              registryScopes: ['*'],
              signatureVerification: { level: 'strict', override: JSON.parse(override) as unknown },
              trustStores: ['ca:e2e'],
              trustedIdentities: ['*'],
            },
          ],
        }),
      );
    const run = (override: string) =>
      verifyArtifact({
        artifactReference: `localhost:5000/e2e@${target.digest}`,
        artifact: target,
        policy: doc(override),
        trustStore: store,
        clock,
        signatures,
        revocationChecker: noEndpointsRevocation,
      });

    it('fails strict on expiry first', async () => {
      const outcome = await run('{}');
      expect(outcome.attempts[0]?.outcome.failedValidation).toBe('expiry');
      expect(outcome.message).toContain('digital signature has expired on "Tue, 21 Jan 2025 12:39:46 +0000"');
    });

    it('without a tsa store, fails authenticTimestamp because the certificate expired', async () => {
      const outcome = await run('{"expiry":"log"}');
      expect(outcome.attempts[0]?.outcome.failedValidation).toBe('authenticTimestamp');
      expect(outcome.message).toContain(
        'verification time is after certificate "CN=testcert7,O=Notary,L=Seattle,ST=WA,C=US" validity period, it was expired at "Wed, 22 Jan 2025 08:36:26 +0000"',
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
      const env = JSON.parse(Buffer.from(signatures[0]?.envelope ?? new Uint8Array()).toString()) as {
        header: { x5c: string[] };
      };
      const store = new MemoryTrustStore([
        {
          type: 'ca',
          name: 'e2e',
          files: [{ name: 'leaf.crt', data: Buffer.from(env.header.x5c[0] ?? '', 'base64') }],
        },
      ]);
      const outcome = await verifyArtifact({
        artifactReference: `localhost:5000/e2e@${target.digest}`,
        artifact: target,
        policy: policy('trustpolicy.json'),
        trustStore: store,
        clock,
        signatures,
        revocationChecker: noEndpointsRevocation,
      });
      expect(outcome.verified).toBe(false);
      expect(outcome.message).toContain(
        'verification time is after certificate "CN=testcert7,O=Notary,L=Seattle,ST=WA,C=US"',
      );
    });
  });
});

describe('e2e-with-invalid-timestamped-signature with a tsa store', () => {
  it('fails authenticTimestamp: the countersignature (8 garbage bytes) cannot be parsed', async () => {
    const { target, signatures } = readLayout('e2e-with-invalid-timestamped-signature');
    const env = JSON.parse(Buffer.from(signatures[0]?.envelope ?? new Uint8Array()).toString()) as {
      header: { x5c: string[] };
    };
    const store = new MemoryTrustStore([
      {
        type: 'ca',
        name: 'e2e',
        files: [{ name: 'leaf.crt', data: Buffer.from(env.header.x5c[0] ?? '', 'base64') }],
      },
      {
        type: 'tsa',
        name: 'e2e',
        files: [
          { name: 'root.cer', data: readFileSync(path.join(CONFIG, 'timestamp/globalsignTSARoot.cer')) },
        ],
      },
    ]);
    const outcome = await verifyArtifact({
      artifactReference: `localhost:5000/e2e@${target.digest}`,
      artifact: target,
      policy: policy('timestamp_trustpolicy.json'),
      trustStore: store,
      clock,
      signatures,
      revocationChecker: noEndpointsRevocation,
      timestampVerifier: createTimestampVerifier({ tsaRevocation: 'skip' }),
    });
    expect(outcome.verified).toBe(false);
    expect(outcome.attempts[0]?.outcome.failedValidation).toBe('authenticTimestamp');
    expect(outcome.message).toContain('failed to parse timestamp countersignature with error:');
  });
});

describe('a signature made here with notation e2e.key + e2e.crt', () => {
  it.each(['jws', 'cose'] as const)(
    'verifies (%s) under notation e2e trust policy through a signature manifest',
    async (format) => {
      const signer = createLocalSigner({
        key: readFileSync(path.join(CONFIG, 'localkeys/e2e.key')),
        certificateChain: readFileSync(path.join(CONFIG, 'localkeys/e2e.crt')),
      });
      const { target } = readLayout('e2e');
      const signed = await signArtifact({
        signer,
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
      const outcome = await verifyArtifact({
        artifactReference: `localhost:5000/e2e@${target.digest}`,
        artifact: target,
        policy: policy('trustpolicy.json'),
        trustStore: e2eStore,
        clock,
        signatures: [
          {
            manifest: built.manifest.descriptor,
            envelope: envelopeBlob?.bytes ?? new Uint8Array(),
            envelopeMediaType: parsed.envelope.mediaType,
          },
        ],
        userMetadata: { run: 'ci' },
        revocationChecker: noEndpointsRevocation,
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
    const signer = createLocalSigner({
      key: readFileSync(path.join(CONFIG, 'localkeys/e2e.key')),
      certificateChain: readFileSync(path.join(CONFIG, 'localkeys/e2e.crt')),
    });
    const { target } = readLayout('e2e');
    const other = { ...target, digest: `sha256:${'1'.repeat(64)}` };
    const wrong = await signArtifact({ signer, artifact: other, format: 'jws', clock });
    const right = await signArtifact({ signer, artifact: target, format: 'cose', clock });
    const outcome = await verifyArtifact({
      artifactReference: `localhost:5000/e2e@${target.digest}`,
      artifact: target,
      policy: policy('trustpolicy.json'),
      trustStore: e2eStore,
      clock,
      signatures: [
        { envelope: wrong.envelope, envelopeMediaType: wrong.mediaType },
        { envelope: right.envelope, envelopeMediaType: right.mediaType },
      ],
      revocationChecker: noEndpointsRevocation,
    });
    expect(outcome.verified).toBe(true);
    expect(outcome.accepted?.index).toBe(1);
    expect(outcome.attempts[0]?.outcome.error).toContain('content descriptor mismatch');
  });

  it('stops after maxSignatureAttempts', async () => {
    const { target, signatures } = readLayout('e2e-invalid-signature');
    const outcome = await verifyArtifact({
      artifactReference: `localhost:5000/e2e@${target.digest}`,
      artifact: target,
      policy: policy('trustpolicy.json'),
      trustStore: e2eStore,
      clock,
      signatures: [...signatures, ...signatures],
      maxSignatureAttempts: 1,
      revocationChecker: noEndpointsRevocation,
    });
    expect(outcome.verified).toBe(false);
    expect(outcome.attempts).toHaveLength(1);
    expect(outcome.message).toBe(
      'signature evaluation stopped. The configured limit of 1 signatures to verify per artifact exceeded',
    );
  });
});
