import { describe, expect, it } from 'vitest';
import { buildDecision } from '../decision/build-decision.js';
import { renderRatifyResponse } from '../render/render-ratify.js';
import { IMAGE_DIGEST, NOW, sampleDecision, trustedSignature } from '../test-support/sample-decisions.js';
import { judgementCodec, judgementOf, resolutionCodec } from './judgement.js';

describe('the judgement of a decision', () => {
  it('is a verdict in Ratify’s shape for an allowed image', () => {
    const reference = {
      requested: 'registry.example.com/team/app:v1',
      repository: 'registry.example.com/team/app',
      digest: IMAGE_DIGEST,
    };
    const decision = buildDecision({
      reference,
      policy: { name: 'p', digest: `sha256:${'0'.repeat(64)}` },
      evaluatedAt: NOW,
      scope: 'apps',
      checks: [
        { id: 'reference', status: 'pass', reason: 'resolved', evidence: reference },
        { id: 'scope', status: 'pass', reason: 'applies', evidence: { policy: 'p', scope: 'apps' } },
        trustedSignature(),
      ],
    });
    expect(decision.allowed).toBe(true);
    const judgement = judgementOf(decision);
    expect(judgement).toEqual({ kind: 'verdict', allowed: true, value: renderRatifyResponse(decision) });
    expect(judgement.kind === 'verdict' && judgement.value.isSuccess).toBe(true);
  });

  it('is a verdict for an image denied by the rules (the template shows the failed reports)', () => {
    const decision = sampleDecision({ signed: false });
    expect(decision.allowed).toBe(false);
    expect(judgementOf(decision)).toEqual({
      kind: 'verdict',
      allowed: false,
      value: renderRatifyResponse(decision),
    });
  });

  it('is an error when a check could not run (the image could not be judged)', () => {
    const reason = 'registry.example.com/app:v1 could not be resolved: connect ECONNREFUSED';
    const decision = buildDecision({
      reference: { requested: 'registry.example.com/app:v1', repository: 'registry.example.com/app' },
      policy: { name: 'p', digest: `sha256:${'0'.repeat(64)}` },
      evaluatedAt: NOW,
      checks: [
        {
          id: 'reference',
          status: 'fail',
          reason,
          evidence: { requested: 'registry.example.com/app:v1', repository: 'registry.example.com/app' },
          error: { code: 'NETWORK', message: 'connect ECONNREFUSED' },
        },
      ],
    });
    expect(judgementOf(decision)).toEqual({ kind: 'error', error: reason });
  });
});

describe('judgements in the shared cache', () => {
  it('round-trip', () => {
    const verdict = judgementOf(sampleDecision({ signed: false }));
    expect(judgementCodec.decode(judgementCodec.encode(verdict))).toEqual(verdict);
    expect(judgementCodec.decode(judgementCodec.encode({ kind: 'error', error: 'x' }))).toEqual({
      kind: 'error',
      error: 'x',
    });
  });

  it.each([
    ['not JSON', '{'],
    ['another kind', '{"kind":"allow"}'],
    ['an empty error', '{"kind":"error","error":""}'],
    [
      'allowed with a failing value',
      '{"kind":"verdict","allowed":true,"value":{"version":"0.1.0","isSuccess":false,"verifierReports":[]}}',
    ],
    [
      'a value without reports',
      '{"kind":"verdict","allowed":false,"value":{"version":"0.1.0","isSuccess":false}}',
    ],
    [
      'a report without a message',
      '{"kind":"verdict","allowed":true,"value":{"version":"0.1.0","isSuccess":true,"verifierReports":[{"isSuccess":true,"name":"n","type":"t"}]}}',
    ],
  ])('refuse %s', (_what, text) => {
    expect(judgementCodec.decode(text)).toBeUndefined();
  });

  it('keep tag resolutions only with a well-formed digest', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const resolved = {
      kind: 'digest',
      digest,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      size: 517,
    };
    expect(resolutionCodec.decode(JSON.stringify(resolved))).toEqual(resolved);
    expect(resolutionCodec.decode(JSON.stringify({ ...resolved, digest: 'sha256:zz' }))).toBeUndefined();
    expect(
      resolutionCodec.decode(JSON.stringify({ ...resolved, digest: `md5:${'a'.repeat(32)}` })),
    ).toBeUndefined();
    expect(resolutionCodec.decode(JSON.stringify({ ...resolved, size: -1 }))).toBeUndefined();
  });
});
