/**
 * End to end: notation's real signed layouts copied into the real registry of the test harness
 * (distribution 2.8: no referrers API, so the tag-schema fallback is exercised), judged by
 * `evaluate` with the real `@scs/oci` stores and `@scs/notary` verifier.
 */
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openStore } from '@scs/oci';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry } from '../../../../test/harness/registry.js';
import type { TestRegistry } from '../../../../test/harness/registry.js';
import { nodeCliServices } from '../cli/node-services.js';
import type { Decision } from '../decision/types.js';
import { loadPolicy } from '../policy/load-policy.js';
import type { LoadedPolicyWithCertificates } from '../policy/load-policy.js';
import { parseSarifReport } from '../rules/vulnerabilities/parse-sarif.js';
import { buildSampleImage } from '../demo/sample-image.js';
import { GOLDEN, golden } from '../test-support/golden.js';
import { writeE2ePolicy } from '../test-support/e2e-policy.js';
import { E2E_LAYOUTS, E2E_SUBJECT, E2E_TARGET, NOW } from '../test-support/notation-layouts.js';
import { pushE2eLayout } from '../test-support/registry-layouts.js';
import { evaluate } from './evaluate.js';
import { MaterialCache } from './material-cache.js';

const clock = (): Date => NOW;
const services = nodeCliServices({ clock, env: {}, homeDir: os.tmpdir() });
const registryOptions = { plainHttp: true };

let registry: TestRegistry;
let work: string;
let policy: LoadedPolicyWithCertificates;

async function writePolicy(
  name: string,
  rules = '',
  identities?: readonly string[],
): Promise<LoadedPolicyWithCertificates> {
  const file = await writeE2ePolicy(work, {
    name,
    rules,
    file: `${name}.yaml`,
    ...(identities === undefined ? {} : { identities }),
  });
  return loadPolicy(file, {
    reader: { readFile: async (f) => new Uint8Array(await readFile(f)) },
    now: clock,
  });
}

/** Copy a notation layout into the registry as `e2e/<layout>`; returns `host/e2e/<layout>:v1`. */
function pushLayout(layout: string): Promise<string> {
  return pushE2eLayout(registry.host, work, layout, `e2e/${layout}`);
}

async function decide(
  reference: string,
  loaded: LoadedPolicyWithCertificates = policy,
  cache?: MaterialCache,
): Promise<Decision> {
  return evaluate(reference, {
    policy: loaded,
    verifier: await services.policyVerifier(loaded),
    openTarget: (ref) => services.openTarget(ref, registryOptions),
    clock,
    ...(cache === undefined ? {} : { cache }),
  });
}

function check(decision: Decision, id: string) {
  return decision.checks.find((c) => c.id === id);
}

beforeAll(async () => {
  registry = await startRegistry();
  work = await mkdtemp(path.join(os.tmpdir(), 'scs-evaluate-e2e-'));
  policy = await writePolicy('e2e');
});

afterAll(async () => {
  await registry.stop();
});

describe('notation’s e2e-valid-signature in the registry', () => {
  it('is allowed under its trust anchor, bound to the digest the tag names', async () => {
    const reference = await pushLayout('e2e-valid-signature');
    const decision = await decide(reference);
    expect(decision.reasons).toEqual([]);
    expect(decision.allowed).toBe(true);
    expect(decision.subject.digest).toBe(E2E_TARGET.digest);
    expect(check(decision, 'reference')?.evidence).toMatchObject({ tag: 'v1', digest: E2E_TARGET.digest });
    const signature = check(decision, 'signature');
    expect(signature?.status).toBe('pass');
    expect(signature?.reason).toContain(`signed by ${E2E_SUBJECT}`);
    expect(signature?.evidence).toMatchObject({
      level: 'strict',
      signatures: [
        { verified: true, signer: { subject: E2E_SUBJECT }, envelopeType: 'application/jose+json' },
      ],
    });
  });
});

describe('a policy trusting "*" written explicitly', () => {
  it('allows any signer chaining to the store, as notation does, and still denies the unsigned image', async () => {
    const star = await writePolicy('star', '', ['*']);
    expect(star.warnings.map((w) => w.path)).toEqual(['spec.scopes[0].signature.trustedIdentities[0]']);
    expect((await decide(await pushLayout('e2e-valid-signature'), star)).allowed).toBe(true);
    expect((await decide(await pushLayout('e2e'), star)).allowed).toBe(false);
  });
});

describe('notation’s e2e-expired-signature in the registry', () => {
  it('is denied with the expiry as the reason', async () => {
    const decision = await decide(await pushLayout('e2e-expired-signature'));
    expect(decision.allowed).toBe(false);
    expect(decision.reasons[0]).toContain(
      'digital signature has expired on "Tue, 27 Jun 2023 13:21:21 +0800"',
    );
  });
});

describe('notation’s e2e-invalid-signature in the registry', () => {
  it('is denied: the signature blob is not an envelope', async () => {
    const decision = await decide(await pushLayout('e2e-invalid-signature'));
    expect(decision.allowed).toBe(false);
    expect(decision.reasons[0]).toContain(
      'signature envelope format with media type "application/vnd.oci.image.layer.v1.tar" is not supported',
    );
  });
});

describe('notation’s unsigned e2e image in the registry', () => {
  it('is denied as not signed', async () => {
    const decision = await decide(await pushLayout('e2e'));
    expect(decision.allowed).toBe(false);
    expect(decision.reasons).toEqual([
      'no trusted signature: the image is not signed (no Notary Project signature is attached); scope "e2e" requires one',
    ]);
  });
});

describe('the OCI layout backend', () => {
  it('gives the same decision as the registry for the same image', async () => {
    const copy = path.join(work, 'layout-direct');
    await cp(path.join(E2E_LAYOUTS, 'e2e-valid-signature'), copy, { recursive: true });
    const decision = await decide(`oci:${copy}:v1`);
    expect(decision.allowed).toBe(true);
    expect(decision.subject).toEqual({
      reference: `oci:${copy}:v1`,
      repository: 'local/layout-direct',
      digest: E2E_TARGET.digest,
    });
  });
});

describe('when stored bytes were changed after signing', () => {
  it('denies: the envelope no longer matches its digest, so the signature cannot be read', async () => {
    const copy = path.join(work, 'layout-tampered-envelope');
    await cp(path.join(E2E_LAYOUTS, 'e2e-valid-signature'), copy, { recursive: true });
    // The JWS envelope of e2e-valid-signature, edited in place (same file name, other bytes).
    const envelope = path.join(
      copy,
      'blobs',
      'sha256',
      'c9af07e038b2b1a463e648986ad7273157511ffeba0b689f33e5472bae471f50',
    );
    const bytes = await readFile(envelope);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 10) ^ 1, bytes.length - 10);
    await writeFile(envelope, bytes);
    const decision = await decide(`oci:${copy}:v1`);
    expect(decision.allowed).toBe(false);
    expect(decision.reasons[0]).toMatch(
      /^no trusted signature: none of the 1 attached signature\(s\) could be read \(the signature could not be fetched: /,
    );
  });
});

describe('when the reference cannot be used', () => {
  it('denies a tag that does not exist, with the registry’s answer', async () => {
    const decision = await decide(`${registry.host}/e2e/nothing:v9`);
    expect(decision.allowed).toBe(false);
    expect(check(decision, 'reference')?.status).toBe('fail');
    expect(decision.subject.digest).toBeUndefined();
  });

  it('denies a malformed reference', async () => {
    const decision = await decide('https://not a reference');
    expect(decision.allowed).toBe(false);
    expect(decision.reasons[0]).toMatch(/^the reference cannot be used: /);
  });

  it('denies an unreachable registry instead of hanging or passing', async () => {
    const decision = await decide('127.0.0.1:1/e2e/app:v1');
    expect(decision.allowed).toBe(false);
    expect(check(decision, 'reference')?.error?.message).toBeDefined();
  });
});

describe('SBOM and report referrers of a signed image', () => {
  it('are fetched, parsed and judged; a report of another image is rejected', async () => {
    const reference = await pushLayout('e2e-valid-signature');
    const { store } = await openStore(reference, { plainHttp: true });
    const subject = await store.resolve('v1');
    await store.attach({
      subject,
      artifactType: 'application/spdx+json',
      layers: [{ mediaType: 'application/spdx+json', content: golden(...GOLDEN.ratifySpdx) }],
      annotations: { 'org.opencontainers.image.created': '2026-11-26T00:00:00Z' },
    });
    // alpine-310's SARIF names another image (its imageID), so it must not count.
    await store.attach({
      subject,
      artifactType: 'application/sarif+json',
      layers: [
        { mediaType: 'application/sarif+json', content: golden(...GOLDEN.trivy('alpine-310.sarif.golden')) },
      ],
    });
    const strict = await writePolicy(
      'with-documents',
      `      sbom: { required: true, formats: [spdx], deniedPackages: [{ name: busybox, versions: "<1.36", reason: "CVE-2022-48174" }] }
      vulnerabilities: { required: true, maxSeverity: HIGH }
`,
    );
    const decision = await decide(reference, strict);
    expect(decision.allowed).toBe(false);
    expect(check(decision, 'sbom')?.status).toBe('pass');
    expect(check(decision, 'sbom-packages')?.reason).toContain('busybox 1.35.0-r29 (CVE-2022-48174)');
    expect(check(decision, 'vulnerability-report')?.reason).toContain('it describes another image');
    expect(parseSarifReport(golden(...GOLDEN.trivy('alpine-310.sarif.golden'))).imageId).toBeDefined();
  });
});

describe('a forged referrers tag-schema index', () => {
  it('cannot lend another image’s SBOM or signature: the listed manifests must name this image as subject', async () => {
    const signedRef = await pushLayout('e2e-valid-signature');
    const { store } = await openStore(signedRef, { plainHttp: true });
    const signed = await store.resolve('v1');
    const sbom = await store.attach({
      subject: signed,
      artifactType: 'application/spdx+json',
      layers: [{ mediaType: 'application/spdx+json', content: golden(...GOLDEN.ratifySpdx) }],
    });
    const signatures = (await store.referrers(signed)).filter(
      (d) => d.artifactType === 'application/vnd.cncf.notary.signature',
    );
    // Another image in the same repository, whose tag-schema index lists the first image's referrers.
    const other = buildSampleImage({ file: 'x.txt', text: 'another image\n' });
    await store.pushBlob(other.config.bytes, other.config.mediaType);
    await store.pushBlob(other.layer.bytes, other.layer.mediaType);
    const otherDescriptor = await store.pushManifest(other.manifest.bytes, other.manifest.mediaType, {
      tag: 'other',
    });
    const forged = new TextEncoder().encode(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [...signatures, sbom],
      }),
    );
    await store.pushManifest(forged, 'application/vnd.oci.image.index.v1+json', {
      tag: otherDescriptor.digest.replace(':', '-'),
    });
    const withSbom = await writePolicy('forged', '      sbom: { required: true, formats: [spdx] }\n');
    const decision = await decide(signedRef.replace(':v1', ':other'), withSbom);
    expect(decision.allowed).toBe(false);
    expect(check(decision, 'signature')?.reason).toContain(`its subject is ${E2E_TARGET.digest}`);
    expect(check(decision, 'sbom')?.status).toBe('fail');
    expect(check(decision, 'sbom')?.reason).toContain('the referrers index is wrong or tampered with');
  });
});

describe('a deadline', () => {
  it('turns a decision that takes too long into a denial saying so', async () => {
    const reference = await pushLayout('e2e-valid-signature');
    const slow = await services.policyVerifier(policy);
    const decision = await evaluate(reference, {
      policy,
      verifier: {
        verify: async (request) => {
          await new Promise((r) => setTimeout(r, 300));
          return slow.verify(request);
        },
      },
      openTarget: (ref) => services.openTarget(ref, registryOptions),
      clock,
      timeoutMs: 100,
    });
    expect(decision.allowed).toBe(false);
    expect(decision.reasons).toEqual(['the decision did not finish within 100 ms, so the image is denied']);
  });
});

describe('a repeated decision with a shared cache', () => {
  it('is the same decision', async () => {
    const reference = await pushLayout('e2e-valid-signature');
    const cache = new MaterialCache({ referrersTtlMs: 60_000 });
    const first = await decide(reference, policy, cache);
    const second = await decide(reference, policy, cache);
    expect(second).toEqual(first);
    expect(cache.size).toBeGreaterThan(0);
  });
});
