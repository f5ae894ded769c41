/**
 * Reads the notation e2e OCI image layouts (INDEX.md §A) straight from their directories:
 * index.json → the `v1` target → signature manifests whose subject is the target → envelope blobs,
 * every blob checked against its digest. Used by the layout and trust-policy tests.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sharedPath } from '../../../../test/harness/paths.js';
import { parseSignatureManifest } from '../manifest/signature-manifest.js';
import { parseOciTrustPolicy } from '../trust-policy/oci-trust-policy.js';
import { MemoryTrustStore } from '../trust-store/memory-trust-store.js';
import type { Descriptor } from '../types.js';
import { parseCertificate } from '../x509/certificate.js';
import type { RevocationChecker } from './services.js';
import {
  type ArtifactVerificationOutcome,
  type SignatureCandidate,
  type VerifyArtifactInput,
  verifyArtifact,
} from './verify-artifact.js';

export const LAYOUTS = sharedPath('vectors/notation/test/e2e/testdata/registry/oci_layout');
export const CONFIG = sharedPath('vectors/notation/test/e2e/testdata/config');
/** INDEX.md computed its "now" outcomes for this date. */
export const NOW = new Date('2026-11-27T00:00:00Z');
export const clock = (): Date => NOW;

/** Stand-in revocation checker: OK only for chains without any CRL/OCSP endpoint, else unknown. */
export const noEndpointsRevocation: RevocationChecker = (req) => {
  const hasEndpoint = req.chain.some((der) =>
    parseCertificate(der).extensions.some((e) => e.oid === '2.5.29.31' || e.oid === '1.3.6.1.5.5.7.1.1'),
  );
  return Promise.resolve(hasEndpoint ? { result: 'unknown', subject: 'stand-in' } : { result: 'ok' });
};

export interface Layout {
  target: Descriptor;
  signatures: SignatureCandidate[];
}

export function layoutBlob(layout: string, digest: string): Uint8Array {
  const bytes = new Uint8Array(readFileSync(path.join(LAYOUTS, layout, 'blobs', ...digest.split(':'))));
  const actual = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  if (actual !== digest) throw new Error(`blob ${digest} of ${layout} does not match its digest`);
  return bytes;
}

export function readLayout(layout: string): Layout {
  const index = JSON.parse(readFileSync(path.join(LAYOUTS, layout, 'index.json'), 'utf8')) as {
    manifests: (Descriptor & { annotations?: Record<string, string> })[];
  };
  const tagged = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === 'v1');
  if (tagged === undefined) throw new Error(`${layout} has no v1 tag`);
  const target: Descriptor = { mediaType: tagged.mediaType, digest: tagged.digest, size: tagged.size };
  const signatures: SignatureCandidate[] = [];
  for (const m of index.manifests) {
    if (m.mediaType !== 'application/vnd.oci.image.manifest.v1+json' || m.digest === target.digest) continue;
    const parsed = parseSignatureManifest(layoutBlob(layout, m.digest));
    if (parsed.subject?.digest !== target.digest) continue;
    signatures.push({
      manifest: { mediaType: m.mediaType, digest: m.digest, size: m.size },
      envelope: layoutBlob(layout, parsed.envelope.digest),
      envelopeMediaType: parsed.envelope.mediaType,
    });
  }
  return { target, signatures };
}

export const configFile = (...p: string[]): Uint8Array =>
  new Uint8Array(readFileSync(path.join(CONFIG, ...p)));

/** notation e2e BaseOptions(): trust store `ca/e2e` ← localkeys/e2e.crt. */
export const e2eStore = new MemoryTrustStore([
  { type: 'ca', name: 'e2e', files: [{ name: 'e2e.crt', data: configFile('localkeys', 'e2e.crt') }] },
]);

export function e2ePolicy(file: string): ReturnType<typeof parseOciTrustPolicy> {
  return parseOciTrustPolicy(configFile('trustpolicies', file));
}

/** What `verifyE2eArtifact` needs besides the artifact; the rest defaults to the e2e setting. */
export type E2eVerifyInput = Omit<
  VerifyArtifactInput,
  'artifactReference' | 'artifact' | 'clock' | 'trustStore' | 'revocationChecker'
> &
  Partial<Pick<VerifyArtifactInput, 'trustStore' | 'revocationChecker'>> & {
    /** The repository of the reference `localhost:5000/<repository>@<digest>` (default `e2e`). */
    repository?: string;
  };

/**
 * `verifyArtifact` of `artifact` as notation's e2e suite asks for it: referenced as
 * `localhost:5000/<repository>@<digest>`, at `NOW`, against the `ca:e2e` store and the stand-in
 * revocation checker unless `input` names others.
 */
export function verifyE2eArtifact(
  artifact: Descriptor,
  { repository = 'e2e', ...input }: E2eVerifyInput,
): Promise<ArtifactVerificationOutcome> {
  return verifyArtifact({
    artifactReference: `localhost:5000/${repository}@${artifact.digest}`,
    artifact,
    clock,
    trustStore: e2eStore,
    revocationChecker: noEndpointsRevocation,
    ...input,
  });
}
