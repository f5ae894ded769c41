/**
 * The seed's two admission outcomes, replayed against the provider over real TLS: notation's
 * signed and unsigned images in the real harness registry (distribution 2.8), the provider
 * started in process, a Gatekeeper-shaped client posting ProviderRequests. The answers are
 * checked against the contract the bundle's ConstraintTemplate reads (its JSON schema, its
 * fixture and the Rego view).
 */
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { startRegistry } from '@scs/test/harness';
import type { TestRegistry } from '@scs/test/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderResponse } from '../bundle/external-data.js';
import { PROVIDER_RESPONSE_SCHEMA, regoView } from '../bundle/external-data.js';
import { E2E_TARGET } from '../test-support/notation-layouts.js';
import type { RunningProvider } from './start-provider.js';
import { pushE2eLayout } from '../test-support/registry-layouts.js';
import { writeE2ePolicy } from '../test-support/e2e-policy.js';
import {
  httpsRequest,
  providerPki,
  providerRequest,
  recordingLogger,
  startTestProvider,
} from './test-support/provider-kit.js';

const FIXTURE = fileURLToPath(new URL('../bundle/testdata/provider-response.json', import.meta.url));
const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as ProviderResponse;
const validate = new Ajv2020({ strict: false, allErrors: true }).compile(PROVIDER_RESPONSE_SCHEMA);

let registry: TestRegistry;
let work: string;
let pki: Awaited<ReturnType<typeof providerPki>>;
let provider: RunningProvider & { url: string };
const logger = recordingLogger();
let signed: string;
let unsigned: string;

beforeAll(async () => {
  registry = await startRegistry();
  work = await mkdtemp(path.join(os.tmpdir(), 'scs-provider-e2e-'));
  pki = await providerPki();
  signed = await pushE2eLayout(registry.host, work, 'e2e-valid-signature', 'seed/signed');
  unsigned = await pushE2eLayout(registry.host, work, 'e2e', 'seed/unsigned');
  provider = await startTestProvider(
    { policyFile: await writeE2ePolicy(work, { name: 'seed', file: 'seed.yaml' }), pki, clientCa: true },
    logger,
  );
});

afterAll(async () => {
  await provider.close();
  await registry.stop();
});

const gatekeeper = () => ({ ca: pki.caCertPem, cert: pki.client.certPem, key: pki.client.keyPem });

async function verify(keys: unknown[]): Promise<ProviderResponse> {
  const answer = await httpsRequest(`${provider.url}/verify`, gatekeeper(), { body: providerRequest(keys) });
  expect(answer.status).toBe(200);
  return answer.json() as ProviderResponse;
}

describe('the seed, at admission through the provider', () => {
  it('denies the unsigned image with "no trusted signature" and admits the signed one', async () => {
    const response = await verify([unsigned, signed]);
    expect(validate(response)).toBe(true);
    const [first, second] = response.response.items;
    expect(first?.key).toBe(unsigned);
    expect(first?.error).toBeUndefined();
    expect(first?.value?.isSuccess).toBe(false);
    expect(first?.value?.verifierReports.map((r) => r.message)).toEqual([
      'no trusted signature: the image is not signed (no Notary Project signature is attached); scope "e2e" requires one',
    ]);
    expect(second?.key).toBe(signed);
    expect(second?.value?.isSuccess).toBe(true);
    expect(second?.value?.verifierReports[0]).toMatchObject({
      subject: `${registry.host}/seed/signed@${E2E_TARGET.digest}`,
      isSuccess: true,
      name: 'verifier-notation',
      message: 'signature verification success',
    });
    // What the template's Rego receives: the signed image admitted, the unsigned one not.
    const view = regoView(response);
    expect(view.system_error).toBe('');
    expect(view.errors).toEqual([]);
    expect(view.responses.map(([key, value]) => [key, (value as { isSuccess: boolean }).isSuccess])).toEqual([
      [unsigned, false],
      [signed, true],
    ]);
  });

  it('answers in the shape of the bundle’s fixture, an image that cannot be judged as an error item', async () => {
    const unreachable = '127.0.0.1:1/seed/app:v1';
    const response = await verify([signed, unsigned, unreachable]);
    expect(validate(response)).toBe(true);
    expect(Object.keys(response).sort()).toEqual(Object.keys(fixture).sort());
    expect(Object.keys(response.response).sort()).toEqual(Object.keys(fixture.response).sort());
    expect(response.response.idempotent).toBe(fixture.response.idempotent);
    response.response.items.forEach((item, i) => {
      const expected = fixture.response.items[i];
      expect(Object.keys(item).sort()).toEqual(Object.keys(expected ?? {}).sort());
      if (item.value !== undefined) {
        expect(Object.keys(item.value).sort()).toEqual(Object.keys(expected?.value ?? {}).sort());
        expect(Object.keys(item.value.verifierReports[0] ?? {}).sort()).toEqual(
          Object.keys(expected?.value?.verifierReports[0] ?? {}).sort(),
        );
      }
    });
    expect(response.response.items[2]?.error).toMatch(/^127\.0\.0\.1:1\/seed\/app:v1 cannot be resolved: /);
  });

  it('judges a key that carries the namespace ([ns]image) and echoes it as sent', async () => {
    const key = `[team-a]${signed}`;
    const response = await verify([key, `[Not_A_Namespace]${signed}`]);
    expect(response.response.items[0]).toMatchObject({ key, value: { isSuccess: true } });
    expect(response.response.items[1]?.error).toContain('is not a Kubernetes namespace name');
  });

  it('pins a tag to its digest on /mutate, and leaves a digest reference as it is (idempotent)', async () => {
    const pinned = `${signed}@${E2E_TARGET.digest}`;
    const answer = await httpsRequest(`${provider.url}/mutate`, gatekeeper(), {
      body: providerRequest([signed, pinned, 'not a reference']),
    });
    expect(answer.status).toBe(200);
    const response = answer.json() as {
      response: { idempotent: boolean; items: { key: string; value?: unknown; error?: string }[] };
    };
    expect(response.response.idempotent).toBe(true);
    expect(response.response.items.slice(0, 2)).toEqual([
      { key: signed, value: pinned },
      { key: pinned, value: pinned },
    ]);
    expect(response.response.items[2]?.error).toContain('it contains whitespace');
  });

  it('logs one JSON-ready line per judged key with the request’s trace id', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const answer = await httpsRequest(`${provider.url}/verify`, gatekeeper(), {
      body: providerRequest([unsigned]),
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    expect(answer.headers['x-trace-id']).toBe(traceId);
    const lines = logger.records.filter((r) => r.fields.traceId === traceId);
    expect(lines.map((r) => [r.message, r.fields.outcome ?? r.fields.status])).toEqual([
      ['verify', 'denied'],
      ['request', 200],
    ]);
    expect(lines[0]?.fields.reason).toContain('no trusted signature');
  });
});

describe('mutual TLS with Gatekeeper’s CA', () => {
  it('answers Gatekeeper’s certificate', async () => {
    expect((await verify([signed])).response.items[0]?.value?.isSuccess).toBe(true);
  });

  it('refuses /verify without a client certificate (403), but lets the kubelet probes through', async () => {
    const noCert = { ca: pki.caCertPem };
    const refused = await httpsRequest(`${provider.url}/verify`, noCert, { body: providerRequest([signed]) });
    expect(refused.status).toBe(403);
    expect((refused.json() as ProviderResponse).response.systemError).toContain('needs a client certificate');
    expect((await httpsRequest(`${provider.url}/healthz`, noCert)).status).toBe(200);
    expect((await httpsRequest(`${provider.url}/readyz`, noCert)).status).toBe(200);
  });

  it('closes the connection of a client certificate from another CA, before any answer', async () => {
    const impostor = { ca: pki.caCertPem, cert: pki.stranger.certPem, key: pki.stranger.keyPem };
    await expect(
      httpsRequest(`${provider.url}/verify`, impostor, { body: providerRequest([signed]) }),
    ).rejects.toThrow(/socket hang up|ECONNRESET|EPIPE/);
    expect(
      logger.records.some((r) => r.message === 'refused a client certificate not signed by the client CA'),
    ).toBe(true);
  });

  it('speaks TLS 1.3 only', async () => {
    const answer = httpsRequestWithMaxVersion(`${provider.url}/healthz`, pki.caCertPem);
    await expect(answer).rejects.toThrow(/version|protocol|alert/i);
  });
});

function httpsRequestWithMaxVersion(url: string, ca: string): Promise<number> {
  return import('node:https').then(
    (https) =>
      new Promise((resolve, reject) => {
        const request = https.request(url, { ca, agent: false, maxVersion: 'TLSv1.2' }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
        request.once('error', reject);
        request.end();
      }),
  );
}
