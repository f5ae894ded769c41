import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { renderRatifyResponse } from '../render/render-ratify.js';
import { sampleDecision } from '../test-support/sample-decisions.js';
import type { ProviderResponse } from './external-data.js';
import { PROVIDER_RESPONSE_SCHEMA, regoView } from './external-data.js';

const FIXTURE = fileURLToPath(new URL('./testdata/provider-response.json', import.meta.url));
const fixture = (): ProviderResponse => JSON.parse(readFileSync(FIXTURE, 'utf8')) as ProviderResponse;
const validate = new Ajv2020({ strict: false, allErrors: true }).compile(PROVIDER_RESPONSE_SCHEMA);

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
