import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import decisionSchema from '../../schema/decision.schema.json' with { type: 'json' };
import { renderDecisionJson } from '../render/render-json.js';
import { IMAGE_DIGEST, NOW, sampleDecision, trustedSignature } from '../test-support/sample-decisions.js';
import { buildDecision } from './build-decision.js';

const validate = new Ajv2020({ allErrors: true, strict: true, strictRequired: false }).compile(
  decisionSchema,
);

describe('a decision', () => {
  it('is allowed when every check passes or is skipped', () => {
    const decision = sampleDecision({ report: 'mariner-1.0.json.golden' });
    expect(decision.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(decision.allowed).toBe(true);
    expect(decision.reasons).toEqual([]);
    expect(decision.subject).toEqual({
      reference: 'registry.example.com/team/app:v1',
      repository: 'registry.example.com/team/app',
      digest: IMAGE_DIGEST,
    });
  });

  it('is denied when one check fails, with that check’s reason', () => {
    const decision = sampleDecision({ report: 'debian-buster.json.golden' });
    expect(decision.allowed).toBe(false);
    expect(decision.reasons).toEqual([
      '1 finding above the policy (the allowed maximum is HIGH): CVE-2019-18224 (CRITICAL in libidn2-0 2.0.5-1)',
    ]);
  });

  it('is denied without a trusted signature', () => {
    const decision = sampleDecision({ signed: false, report: 'mariner-1.0.json.golden' });
    expect(decision.allowed).toBe(false);
    expect(decision.reasons[0]).toContain('no signature');
  });

  it('lists checks in a fixed order whatever order they were made in', () => {
    expect(sampleDecision({ reverse: true })).toEqual(sampleDecision());
    expect(sampleDecision().checks.map((c) => c.id)).toEqual([
      'reference',
      'scope',
      'signature',
      'sbom',
      'sbom-packages',
      'sbom-licenses',
      'vulnerability-report',
      'vulnerabilities',
    ]);
  });

  describe('when a required check is missing (fail closed)', () => {
    it('is denied even though nothing failed', () => {
      const decision = buildDecision({
        reference: { requested: 'r.example.com/a:1', repository: 'r.example.com/a', digest: IMAGE_DIGEST },
        policy: { name: 'p', digest: IMAGE_DIGEST },
        evaluatedAt: NOW,
        checks: [trustedSignature()],
      });
      expect(decision.allowed).toBe(false);
      expect(decision.reasons).toEqual([
        'the decision is incomplete (a required check is missing), so the image is denied',
      ]);
    });
  });

  describe('when the digest is unknown', () => {
    it('is denied', () => {
      const decision = buildDecision({
        reference: { requested: 'r.example.com/a:1', repository: 'r.example.com/a' },
        policy: { name: 'p', digest: IMAGE_DIGEST },
        evaluatedAt: NOW,
        checks: [],
      });
      expect(decision.allowed).toBe(false);
      expect(decision.subject.digest).toBeUndefined();
    });
  });

  it('matches the published JSON schema, allowed or denied', () => {
    for (const decision of [
      sampleDecision(),
      sampleDecision({ report: 'debian-buster.json.golden', signed: false }),
    ]) {
      const valid = validate(JSON.parse(renderDecisionJson(decision)));
      expect(validate.errors ?? []).toEqual([]);
      expect(valid).toBe(true);
    }
  });

  it('the schema rejects a decision with an unknown check or a wrong evidence shape', () => {
    const bad = JSON.parse(renderDecisionJson(sampleDecision())) as {
      checks: { id: string; evidence: unknown }[];
    };
    bad.checks[0]!.id = 'made-up';
    expect(validate(bad)).toBe(false);
    const wrongEvidence = JSON.parse(renderDecisionJson(sampleDecision())) as {
      checks: { id: string; evidence: unknown }[];
    };
    wrongEvidence.checks.find((c) => c.id === 'vulnerabilities')!.evidence = { counts: 'many' };
    expect(validate(wrongEvidence)).toBe(false);
  });
});
