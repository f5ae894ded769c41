/**
 * Test support: decisions assembled from the real rules over ../shared/golden, with the
 * signature evidence of notation's e2e certificate (`CN=e2e,O=Notary,L=Seattle,ST=WA,C=US`).
 * The engine builds the same shapes; these let the renderers be tested before it exists.
 */
import { buildDecision } from '../decision/build-decision.js';
import type { Check, Decision, SignatureCheck } from '../decision/types.js';
import { parseSpdx } from '../rules/sbom/parse-sbom.js';
import { sbomChecks } from '../rules/sbom/sbom-checks.js';
import { parseTrivyReport } from '../rules/vulnerabilities/parse-trivy.js';
import { vulnerabilityChecks } from '../rules/vulnerabilities/vulnerability-checks.js';
import { TRIVY_REPORT_ARTIFACT_TYPE } from '../rules/vulnerabilities/vulnerability-report.js';
import { GOLDEN, golden } from './golden.js';

export const IMAGE_DIGEST = 'sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9';
export const SIGNATURE_DIGEST = 'sha256:3829708b0000000000000000000000000000000000000000000000000000beef';
export const NOW = new Date('2026-11-27T00:00:00Z');

const E2E_SIGNER = {
  subject: 'CN=e2e,O=Notary,L=Seattle,ST=WA,C=US',
  issuer: 'CN=e2e,O=Notary,L=Seattle,ST=WA,C=US',
  serialNumber: '01',
  sha256: 'sha256:0000000000000000000000000000000000000000000000000000000000000e2e',
  notBefore: '2022-01-01T00:00:00.000Z',
  notAfter: '2122-01-01T00:00:00.000Z',
};

export function trustedSignature(): SignatureCheck {
  return {
    id: 'signature',
    status: 'pass',
    reason: 'signed by CN=e2e,O=Notary,L=Seattle,ST=WA,C=US (trusted under strict)',
    evidence: {
      level: 'strict',
      signatures: [
        {
          digest: SIGNATURE_DIGEST,
          envelopeType: 'application/jose+json',
          verified: true,
          signer: E2E_SIGNER,
          signingTime: '2023-06-27T05:20:21.000Z',
          validations: [
            { type: 'integrity', action: 'enforce', status: 'pass', message: 'the signature is intact' },
            {
              type: 'authenticity',
              action: 'enforce',
              status: 'pass',
              message: 'the certificate chains to ca:e2e',
            },
          ],
        },
      ],
    },
  };
}

export function unsigned(): SignatureCheck {
  return {
    id: 'signature',
    status: 'fail',
    reason: 'no signature is attached to the image; the policy requires a trusted signature',
    evidence: { level: 'strict', signatures: [] },
  };
}

function base(signature: SignatureCheck): Check[] {
  return [
    {
      id: 'reference',
      status: 'pass',
      reason: `registry.example.com/team/app:v1 resolved to ${IMAGE_DIGEST}`,
      evidence: {
        requested: 'registry.example.com/team/app:v1',
        repository: 'registry.example.com/team/app',
        digest: IMAGE_DIGEST,
        tag: 'v1',
      },
    },
    {
      id: 'scope',
      status: 'pass',
      reason: 'scope "apps" applies to registry.example.com/team/app',
      evidence: { policy: 'production', scope: 'apps', matched: 'registry.example.com/team/app' },
    },
    signature,
  ];
}

/** A decision over a signed image with the Syft SBOM and the given Trivy golden report. */
export function sampleDecision(
  options: { report?: string; signed?: boolean; reverse?: boolean; maxSeverity?: 'LOW' | 'HIGH' } = {},
): Decision {
  const checks = [
    ...base(options.signed === false ? unsigned() : trustedSignature()),
    ...sbomChecks(
      {
        required: true,
        formats: ['spdx'],
        signed: false,
        deniedPackages: [{ name: 'busybox', versions: '<1.30' }],
        deniedLicenses: ['AGPL-3.0*'],
      },
      [
        {
          digest: 'sha256:5b0b000000000000000000000000000000000000000000000000000000000000',
          artifactType: 'application/spdx+json',
          document: parseSpdx(golden(...GOLDEN.ratifySpdx)),
        },
      ],
    ),
    ...vulnerabilityChecks(
      {
        required: true,
        formats: ['trivy', 'sarif'],
        signed: false,
        maxSeverity: options.maxSeverity ?? 'HIGH',
        ignoreUnfixed: false,
        unknownSeverity: 'CRITICAL',
        deniedIds: [],
        exceptions: [
          { id: 'CVE-2019-1549', reason: 'not | reachable', expires: '2099-01-01' },
          { id: 'CVE-2019-1551', reason: 'fixed upstream', expires: '2099-01-01' },
        ],
      },
      [
        {
          digest: 'sha256:7e9a000000000000000000000000000000000000000000000000000000000000',
          artifactType: TRIVY_REPORT_ARTIFACT_TYPE,
          document: parseTrivyReport(golden(...GOLDEN.trivy(options.report ?? 'alpine-310.json.golden'))),
        },
      ],
      { manifestDigest: IMAGE_DIGEST },
      NOW,
    ),
  ];
  if (options.reverse === true) checks.reverse();
  return buildDecision({
    reference: {
      requested: 'registry.example.com/team/app:v1',
      repository: 'registry.example.com/team/app',
      digest: IMAGE_DIGEST,
      tag: 'v1',
    },
    policy: {
      name: 'production',
      digest: 'sha256:1234000000000000000000000000000000000000000000000000000000000000',
    },
    scope: 'apps',
    evaluatedAt: NOW,
    checks,
  });
}
