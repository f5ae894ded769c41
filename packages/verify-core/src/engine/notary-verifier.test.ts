import { readFileSync } from 'node:fs';
import { createRevocationChecker } from '@scs/notary';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../policy/parse-policy.js';
import type { PolicyScope } from '../policy/types.js';
import { E2E_IDENTITY, singleScopePolicy } from '../test-support/e2e-policy.js';
import {
  E2E_CERT,
  E2E_SUBJECT,
  E2E_TARGET,
  NOW,
  layoutSignatures,
} from '../test-support/notation-layouts.js';
import { policySignatureVerifier, policyTrustStore } from './notary-verifier.js';

/** The e2e certificate names no CRL or OCSP server: revocation must conclude without the network. */
const revocationChecker = createRevocationChecker({
  fetch: (url) => Promise.reject(new Error(`no network in this test (asked ${url})`)),
});

function scope(level: string, identity = E2E_IDENTITY): PolicyScope {
  const { policy } = parsePolicy(singleScopePolicy({ level, identities: [identity] }), { now: NOW });
  return policy.spec.scopes[0]!;
}

const verifier = policySignatureVerifier({
  trustStore: policyTrustStore(new Map([['ca:e2e', [new Uint8Array(readFileSync(E2E_CERT))]]])),
  clock: () => NOW,
  services: { revocationChecker },
});

function verify(layout: string, level = 'strict', identity?: string) {
  return verifier.verify({
    artifactReference: `localhost:5000/e2e@${E2E_TARGET.digest}`,
    artifact: E2E_TARGET,
    scope: scope(level, identity),
    signatures: layoutSignatures(layout),
  });
}

describe('verifying notation’s signed layouts under an scs scope', () => {
  it('accepts e2e-valid-signature under its trust anchor, with the signer as evidence', async () => {
    const result = await verify('e2e-valid-signature');
    expect(result.verified).toBe(true);
    expect(result.signatures).toHaveLength(1);
    const [signature] = result.signatures;
    expect(signature).toMatchObject({
      digest: 'sha256:90ceaff260d657d797c408ac73564a9c7bb9d86055877c2a811f0e63b8c6524f',
      envelopeType: 'application/jose+json',
      verified: true,
      signer: { subject: E2E_SUBJECT, issuer: E2E_SUBJECT },
    });
    expect(signature?.signer?.sha256).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(signature?.validations.map((v) => [v.type, v.status])).toContainEqual(['integrity', 'pass']);
    expect(signature?.validations.map((v) => [v.type, v.status])).toContainEqual(['authenticity', 'pass']);
  });

  it('rejects e2e-expired-signature under strict with notation’s expiry message', async () => {
    const result = await verify('e2e-expired-signature');
    expect(result.verified).toBe(false);
    expect(result.signatures[0]?.failure).toContain(
      'digital signature has expired on "Tue, 27 Jun 2023 13:21:21 +0800"',
    );
  });

  it('accepts e2e-expired-signature under permissive, with the expiry as a warning', async () => {
    const result = await verify('e2e-expired-signature', 'permissive');
    expect(result.verified).toBe(true);
    expect(result.warnings.join(' ')).toContain('expiry');
  });

  it('rejects e2e-invalid-signature: its envelope format is not supported', async () => {
    const result = await verify('e2e-invalid-signature');
    expect(result.verified).toBe(false);
    expect(result.signatures[0]?.failure).toContain(
      'signature envelope format with media type "application/vnd.oci.image.layer.v1.tar" is not supported',
    );
  });

  it('rejects a signer that is not a trusted identity', async () => {
    const result = await verify(
      'e2e-valid-signature',
      'strict',
      'x509.subject: CN=e2e,O=Notary,L=Seattle,ST=WA,C=USB',
    );
    expect(result.verified).toBe(false);
    expect(result.message).toContain('does not match the X.509 trusted identities');
  });

  it('reports an unsigned image as such', async () => {
    const result = await verifier.verify({
      artifactReference: `localhost:5000/e2e@${E2E_TARGET.digest}`,
      artifact: E2E_TARGET,
      scope: scope('strict'),
      signatures: [],
    });
    expect(result.verified).toBe(false);
    expect(result.message).toContain('no signature is associated with');
  });
});
