import { readFileSync } from 'node:fs';
import AjvDraft04, { type ValidateFunction } from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { sharedPath } from '../../../../test/harness/paths.js';
import { buildDecision } from '../decision/build-decision.js';
import { parseSpdx } from '../rules/sbom/parse-sbom.js';
import { sbomChecks } from '../rules/sbom/sbom-checks.js';
import { GOLDEN, golden } from '../test-support/golden.js';
import { IMAGE_DIGEST, NOW, sampleDecision, unsigned } from '../test-support/sample-decisions.js';
import { renderDecisionJson } from './render-json.js';
import { renderDecisionMarkdown } from './render-markdown.js';
import { renderRatifyResponse } from './render-ratify.js';
import { renderDecisionSarif } from './render-sarif.js';

describe('the JSON renderer', () => {
  it('gives the same bytes for the same decision, with sorted keys', () => {
    const a = renderDecisionJson(sampleDecision());
    expect(renderDecisionJson(sampleDecision({ reverse: true }))).toBe(a);
    expect(a.endsWith('}\n')).toBe(true);
    const top = Object.keys(JSON.parse(a) as object);
    expect(top).toEqual([...top].sort());
  });

  it('round-trips to the decision', () => {
    const decision = sampleDecision({ report: 'debian-buster.json.golden' });
    expect(JSON.parse(renderDecisionJson(decision))).toEqual(decision);
  });
});

describe('the Markdown renderer', () => {
  it('states the verdict, the reasons and the blocking CVE', () => {
    const md = renderDecisionMarkdown(sampleDecision({ report: 'debian-buster.json.golden' }));
    expect(md).toContain(`## ❌ DENIED: \`registry.example.com/team/app@${IMAGE_DIGEST}\``);
    expect(md).toContain('**Why it is denied:**');
    expect(md).toContain('| vulnerabilities | ❌ fail | 1 finding above the policy');
    expect(md).toContain('| CVE-2019-18224 | CRITICAL | libidn2-0 | 2.0.5-1 | 2.0.5-1+deb10u1 |');
    expect(md).toContain(
      '| CRITICAL | HIGH | MEDIUM | LOW | UNKNOWN |\n|---|---|---|---|---|\n| 1 | 0 | 0 | 1 | 0 |',
    );
  });

  it('shows an allowed image with its signer and escapes table pipes', () => {
    const md = renderDecisionMarkdown(sampleDecision({ maxSeverity: 'LOW' }));
    expect(md.startsWith('## ✅ ALLOWED')).toBe(true);
    expect(md).not.toContain('Why it is denied');
    expect(md).toContain('CN=e2e,O=Notary,L=Seattle,ST=WA,C=US');
    // The exception reason "not | reachable" must not break the excepted table.
    expect(md).toContain('not \\| reachable');
  });

  it('bounds long tables', () => {
    const md = renderDecisionMarkdown(sampleDecision({ report: 'alpine-39.json.golden' }), { maxRows: 1 });
    expect(md).toContain('… and 1 more (see the JSON decision).');
  });
});

/** The official SARIF 2.1.0 JSON schema (draft-04), as Ratify's schema validator test data carries it. */
const validateSarif = ((): ValidateFunction => {
  const ajv = new AjvDraft04.default({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats.default(ajv, ['uri', 'uri-reference', 'date-time']);
  return ajv.compile(
    JSON.parse(
      readFileSync(sharedPath('schemas', 'ratify', 'test', 'testdata', 'sarif-2.1.0-rtm.5.json'), 'utf8'),
    ) as object,
  );
})();

/** A denial with every kind of SARIF result: a failed check, denied packages and licenses. */
function deniedSbomDecision() {
  return buildDecision({
    reference: {
      requested: 'registry.example.com/team/app:1.0',
      repository: 'registry.example.com/team/app',
      digest: IMAGE_DIGEST,
    },
    policy: { name: 'production', digest: `sha256:${'1'.repeat(64)}` },
    evaluatedAt: NOW,
    checks: [
      unsigned(),
      ...sbomChecks(
        {
          required: true,
          formats: ['spdx'],
          signed: false,
          deniedPackages: [{ name: 'busybox', versions: '<1.36' }],
          deniedLicenses: ['GPL-2.0-only'],
        },
        [
          {
            digest: `sha256:${'5'.repeat(64)}`,
            artifactType: 'application/spdx+json',
            document: parseSpdx(golden(...GOLDEN.ratifySpdx)),
          },
        ],
      ),
    ],
  });
}

describe('the SARIF renderer', () => {
  it.each([
    ['a denial for blocking findings', () => sampleDecision({ report: 'alpine-39.json.golden' })],
    ['a denial for denied packages and licenses of an unsigned image', deniedSbomDecision],
    ['an allowed image', () => sampleDecision()],
  ])('writes valid SARIF 2.1.0 (the official schema) for %s', (_name, decision) => {
    const log = JSON.parse(renderDecisionSarif(decision(), { toolVersion: '0.1.0' })) as unknown;
    const valid = validateSarif(log);
    expect(validateSarif.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('writes a valid location URI for a policy path with spaces or non-ASCII characters', () => {
    const log = JSON.parse(
      renderDecisionSarif(sampleDecision({ report: 'alpine-39.json.golden' }), {
        locationUri: 'policies/prod ü/scs-policy.yaml',
      }),
    ) as {
      runs: { results: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[];
    };
    expect(validateSarif(log)).toBe(true);
    expect(log.runs[0]?.results[0]?.locations[0]?.physicalLocation.artifactLocation.uri).toBe(
      'policies/prod%20%C3%BC/scs-policy.yaml',
    );
  });

  it('has results of every kind in the denied-SBOM case (so the schema saw them)', () => {
    const log = JSON.parse(renderDecisionSarif(deniedSbomDecision())) as {
      runs: { results: { ruleId: string }[] }[];
    };
    expect(new Set(log.runs[0]?.results.map((r) => r.ruleId))).toEqual(
      new Set(['scs/signature', 'scs/sbom-packages', 'scs/sbom-licenses']),
    );
  });

  it('reports each failed check and each blocking finding, with stable fingerprints', () => {
    const log = JSON.parse(
      renderDecisionSarif(sampleDecision({ report: 'alpine-39.json.golden' }), {
        locationUri: 'scs-policy.yaml',
      }),
    ) as {
      version: string;
      runs: {
        tool: { driver: { rules: { id: string }[] } };
        results: {
          ruleId: string;
          level: string;
          message: { text: string };
          ruleIndex: number;
          partialFingerprints: { scsDecision: string };
        }[];
      }[];
    };
    expect(log.version).toBe('2.1.0');
    const run = log.runs[0]!;
    expect(run.results.map((r) => [r.ruleId, r.level])).toEqual([
      ['scs/vulnerabilities', 'error'],
      ['scs/vulnerabilities', 'error'],
      ['scs/vulnerabilities', 'error'],
    ]);
    expect(run.results[1]!.message.text).toMatch(/^CVE-\d+-\d+ \(CRITICAL\) in /);
    for (const r of run.results) expect(run.tool.driver.rules[r.ruleIndex]!.id).toBe(r.ruleId);
    const again = JSON.parse(
      renderDecisionSarif(sampleDecision({ report: 'alpine-39.json.golden' }), {
        locationUri: 'scs-policy.yaml',
      }),
    ) as typeof log;
    expect(again.runs[0]!.results.map((r) => r.partialFingerprints.scsDecision)).toEqual(
      run.results.map((r) => r.partialFingerprints.scsDecision),
    );
    expect(new Set(run.results.map((r) => r.partialFingerprints.scsDecision)).size).toBe(3);
  });

  it('has no results for an allowed image', () => {
    const log = JSON.parse(renderDecisionSarif(sampleDecision())) as { runs: { results: unknown[] }[] };
    expect(log.runs[0]!.results).toEqual([]);
  });
});

describe('the Ratify response', () => {
  it('is successful exactly when the decision allows, with notation issuer extensions', () => {
    const response = renderRatifyResponse(sampleDecision());
    expect(response.isSuccess).toBe(true);
    const notation = response.verifierReports.find((r) => r.type === 'notation');
    expect(notation).toMatchObject({
      subject: `registry.example.com/team/app@${IMAGE_DIGEST}`,
      isSuccess: true,
      name: 'verifier-notation',
      artifactType: 'application/vnd.cncf.notary.signature',
      extensions: {
        Issuer: 'CN=e2e,O=Notary,L=Seattle,ST=WA,C=US',
        SN: 'CN=e2e,O=Notary,L=Seattle,ST=WA,C=US',
      },
    });
    expect(response.verifierReports.map((r) => r.type)).toEqual(['notation', 'sbom', 'vulnerabilityreport']);
    expect(response.verifierReports.find((r) => r.type === 'vulnerabilityreport')?.extensions).toMatchObject({
      createdAt: '2021-08-25T12:20:30.000000005Z',
      scanner: 'Trivy dev',
    });
  });

  it('fails the vulnerability report when a finding blocks, and the notation report when unsigned', () => {
    const response = renderRatifyResponse(
      sampleDecision({ report: 'debian-buster.json.golden', signed: false }),
    );
    expect(response.isSuccess).toBe(false);
    expect(response.verifierReports.find((r) => r.type === 'notation')).toMatchObject({ isSuccess: false });
    const vuln = response.verifierReports.find((r) => r.type === 'vulnerabilityreport');
    expect(vuln?.isSuccess).toBe(false);
    expect(vuln?.message).toContain('CVE-2019-18224');
  });
});
