import { describe, expect, it } from 'vitest';
import { DEFAULT_REQUEST_LIMITS, parseProviderKey, parseProviderRequest } from './provider-request.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const request = (body: unknown): Uint8Array => bytes(JSON.stringify(body));
const limits = DEFAULT_REQUEST_LIMITS;

describe('a ProviderRequest body', () => {
  it('gives its keys, in order, duplicates kept', () => {
    const body = request({
      apiVersion: 'externaldata.gatekeeper.sh/v1beta1',
      kind: 'ProviderRequest',
      request: { keys: ['b/app:1', 'a/app:1', 'b/app:1'] },
    });
    expect(parseProviderRequest(body, limits)).toEqual({ ok: true, keys: ['b/app:1', 'a/app:1', 'b/app:1'] });
  });

  it('accepts Gatekeeper’s older v1alpha1 and an empty or absent key list (Go omits empty lists)', () => {
    const v1alpha1 = { apiVersion: 'externaldata.gatekeeper.sh/v1alpha1', kind: 'ProviderRequest' };
    expect(parseProviderRequest(request({ ...v1alpha1, request: { keys: [] } }), limits)).toEqual({
      ok: true,
      keys: [],
    });
    expect(parseProviderRequest(request({ ...v1alpha1, request: {} }), limits)).toEqual({
      ok: true,
      keys: [],
    });
  });

  it.each([
    ['not JSON', bytes('{"kind":'), 400, /^the request body is not JSON \(/],
    ['not UTF-8', new Uint8Array([0xc3, 0x28]), 400, /^the request body is not UTF-8 text/],
    ['a JSON string', request('keys'), 400, /^the request body must be a JSON object/],
    [
      'another apiVersion',
      request({ apiVersion: 'v1', kind: 'ProviderRequest' }),
      400,
      /^apiVersion must be externaldata\.gatekeeper\.sh\/v1beta1 or externaldata\.gatekeeper\.sh\/v1alpha1, got "v1"$/,
    ],
    [
      'no kind',
      request({ apiVersion: 'externaldata.gatekeeper.sh/v1beta1' }),
      400,
      /^kind must be ProviderRequest, got nothing$/,
    ],
    [
      'no request',
      request({ apiVersion: 'externaldata.gatekeeper.sh/v1beta1', kind: 'ProviderRequest' }),
      400,
      /^request must be an object/,
    ],
    [
      'keys as a string',
      request({
        apiVersion: 'externaldata.gatekeeper.sh/v1beta1',
        kind: 'ProviderRequest',
        request: { keys: 'a/app:1' },
      }),
      400,
      /^request\.keys must be an array/,
    ],
    [
      'a number key',
      request({
        apiVersion: 'externaldata.gatekeeper.sh/v1beta1',
        kind: 'ProviderRequest',
        request: { keys: ['a/app:1', 7] },
      }),
      400,
      /^request\.keys\[1\] must be a string \(an image reference\), got number$/,
    ],
    [
      'an empty key',
      request({
        apiVersion: 'externaldata.gatekeeper.sh/v1beta1',
        kind: 'ProviderRequest',
        request: { keys: [''] },
      }),
      400,
      /^request\.keys\[0\] is empty/,
    ],
  ])('refuses %s with %i naming what is wrong', (_what, body, status, message) => {
    const parsed = parseProviderRequest(body, limits);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.status).toBe(status);
      expect(parsed.message).toMatch(message);
    }
  });

  it('refuses more keys than the limit (413) and a body above the byte limit (413)', () => {
    const keys = Array.from({ length: 4 }, (_, i) => `a/app:${i}`);
    const body = request({
      apiVersion: 'externaldata.gatekeeper.sh/v1beta1',
      kind: 'ProviderRequest',
      request: { keys },
    });
    expect(parseProviderRequest(body, { ...limits, maxKeys: 3 })).toEqual({
      ok: false,
      status: 413,
      message:
        'request.keys holds 4 keys, more than the 3 this provider judges in one request; split the request',
    });
    expect(parseProviderRequest(body, { ...limits, maxBodyBytes: 10 })).toMatchObject({
      ok: false,
      status: 413,
    });
  });
});

describe('a key', () => {
  it('is an image reference, normalised like docker does', () => {
    expect(parseProviderKey('nginx:1.25', limits)).toEqual({
      image: 'nginx:1.25',
      reference: { registry: 'docker.io', repository: 'library/nginx', tag: '1.25' },
    });
  });

  it('may carry the namespace of the pod as a [namespace] prefix', () => {
    expect(parseProviderKey('[team-a]registry.example.com/app@sha256:' + 'a'.repeat(64), limits)).toEqual({
      namespace: 'team-a',
      image: 'registry.example.com/app@sha256:' + 'a'.repeat(64),
      reference: { registry: 'registry.example.com', repository: 'app', digest: 'sha256:' + 'a'.repeat(64) },
    });
  });

  it.each([
    ['[team-a registry.example.com/app:1', /has no "\]"/],
    ['[Team_A]registry.example.com/app:1', /"Team_A" is not a Kubernetes namespace name/],
    ['[team-a]', /it is empty/],
    [
      'oci:/var/lib/images:v1',
      /names an OCI layout directory; the admission provider judges registry images only/,
    ],
    ['Team/App:1', /must be lowercase/],
    ['registry.example.com/app:1 ; rm -rf', /whitespace/],
    ['x'.repeat(3000), /is longer than 2048 characters/],
  ])('%s cannot be judged', (key, message) => {
    const parsed = parseProviderKey(key, limits);
    expect('error' in parsed && parsed.error).toMatch(message);
  });
});
