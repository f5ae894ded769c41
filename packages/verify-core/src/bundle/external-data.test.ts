import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { renderRatifyResponse } from '../render/render-ratify.js';
import { sampleDecision } from '../test-support/sample-decisions.js';
import { admissionRego, CHECKED_KINDS } from './admission-template.js';
import type { ProviderResponse } from './external-data.js';
import { PROVIDER_RESPONSE_SCHEMA, regoView } from './external-data.js';

const FIXTURE = fileURLToPath(new URL('./testdata/provider-response.json', import.meta.url));
const fixture = (): ProviderResponse => JSON.parse(readFileSync(FIXTURE, 'utf8')) as ProviderResponse;
const validate = new Ajv2020({ strict: false, allErrors: true }).compile(PROVIDER_RESPONSE_SCHEMA);
const rego = admissionRego('scs-provider');

describe('the provider response the template reads', () => {
  it('is pinned by the fixture: a signed image, an unsigned one and an error item, in the documented shape', () => {
    const response = fixture();
    expect(validate(response)).toBe(true);
    expect(
      response.response.items.map((i) => [i.value?.isSuccess ?? 'error', i.key.split('/').pop()]),
    ).toEqual([
      [true, 'app@sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9'],
      [false, 'app:unsigned'],
      ['error', 'app:v1'],
    ]);
  });

  it.each([
    [
      'a value without isSuccess',
      (r: ProviderResponse) => {
        const v = r.response.items[0]?.value as Record<string, unknown>;
        delete v.isSuccess;
        v.allowed = true;
      },
    ],
    [
      'an item with neither value nor error',
      (r: ProviderResponse) => {
        delete r.response.items[2]?.error;
      },
    ],
    [
      'a system error that is not a string',
      (r: ProviderResponse) => {
        (r.response as Record<string, unknown>).systemError = { code: 1 };
      },
    ],
    [
      'an unknown envelope field',
      (r: ProviderResponse) => {
        (r.response as Record<string, unknown>).cacheHint = 'x';
      },
    ],
  ])('rejects %s', (_what, mutate) => {
    const response = fixture();
    mutate(response);
    expect(validate(response)).toBe(false);
  });

  it('is what scs renders for a decision (renderRatifyResponse), allowed or denied', () => {
    for (const decision of [sampleDecision(), sampleDecision({ signed: false })]) {
      const response: ProviderResponse = {
        apiVersion: 'externaldata.gatekeeper.sh/v1beta1',
        kind: 'ProviderResponse',
        response: {
          idempotent: true,
          items: [{ key: decision.subject.reference, value: renderRatifyResponse(decision) as never }],
          systemError: '',
        },
      };
      expect(validate(response), JSON.stringify(validate.errors)).toBe(true);
      expect(response.response.items[0]?.value?.isSuccess).toBe(decision.allowed);
    }
  });

  it('reaches Rego as Gatekeeper passes it: responses, errors and system_error', () => {
    const view = regoView(fixture());
    expect(
      view.responses.map(([key, value]) => [
        key.split('/').pop(),
        (value as { isSuccess: boolean }).isSuccess,
      ]),
    ).toEqual([
      ['app@sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9', true],
      ['app:unsigned', false],
    ]);
    expect(view.errors).toEqual([
      [
        'unreachable.example.com/team/app:v1',
        'cannot resolve unreachable.example.com/team/app:v1: the registry did not answer within the deadline',
      ],
    ]);
    expect(view.system_error).toBe('');
  });
});

describe('the template Rego', () => {
  it('reads exactly the fields of the documented shape', () => {
    const view = regoView(fixture()) as unknown as Record<string, unknown>;
    const read = [...rego.matchAll(/response\.([a-z_]+)/g)].map((m) => m[1] ?? '');
    expect(new Set(read)).toEqual(new Set(['responses', 'errors', 'system_error']));
    for (const field of read) expect(view).toHaveProperty(field);
    const value = fixture().response.items[1]?.value as Record<string, unknown>;
    for (const field of ['isSuccess', 'verifierReports']) {
      expect(rego).toContain(`.${field}`);
      expect(value).toHaveProperty(field);
    }
    expect(rego).toContain('object.get(report, "message"');
    expect((value.verifierReports as Record<string, unknown>[])[0]).toHaveProperty('message');
  });

  it('asks the named provider once for every image of containers, initContainers and ephemeralContainers', () => {
    expect(rego.replace(/#.*$/gm, '').match(/external_data\(/g)).toHaveLength(1);
    expect(rego).toContain('external_data({"provider": "scs-provider", "keys": keys})');
    expect(rego).toContain('container_fields := ["containers", "initContainers", "ephemeralContainers"]');
  });

  it('finds the pod spec of every checked kind', () => {
    const kinds = CHECKED_KINDS.flatMap((k) => k.kinds);
    for (const kind of kinds.filter((k) => k !== 'Pod' && k !== 'CronJob'))
      expect(rego).toMatch(new RegExp(`workloads := \\{[^}]*"${kind}"`));
    expect(rego).toContain('pod_spec = input.review.object.spec {\n  input.review.object.kind == "Pod"');
    expect(rego).toContain(
      'input.review.object.spec.jobTemplate.spec.template.spec {\n  input.review.object.kind == "CronJob"',
    );
  });

  it('admits only on isSuccess == true and names each failing image with its reason', () => {
    expect(rego).toMatch(
      /verified\(image\) \{\n\s+answers\[image\]\.isSuccess == true\n\s+not problems\[image\]\n\}/,
    );
    expect(rego).toContain('image := keys[_]; not verified(image)');
    expect(rego).toContain('"provider error: %v"');
    expect(rego).toContain('"the verification provider gave no answer for this image"');
    expect(rego).toContain('response.system_error != ""');
  });

  it('defines a rule more than once only with = (OPA refuses := redeclarations)', () => {
    const heads = [...rego.matchAll(/^([a-z_]+)(?:\([^)]*\))? :=/gm)].map((m) => m[1]);
    expect(heads.length).toBeGreaterThan(3);
    expect(heads.filter((h, i) => heads.indexOf(h) !== i)).toEqual([]);
    for (const head of new Set(heads)) expect(rego).not.toMatch(new RegExp(`^${head}(\\([^)]*\\))? = `, 'm'));
    expect(rego.match(/^pod_spec = /gm)).toHaveLength(3);
  });

  it('keeps braces balanced (a cheap syntax guard, there is no OPA here)', () => {
    const stripped = rego.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/#.*$/gm, '');
    for (const [open, close] of [
      ['{', '}'],
      ['[', ']'],
      ['(', ')'],
    ] as const) {
      expect(stripped.split(open).length).toBe(stripped.split(close).length);
    }
  });
});
