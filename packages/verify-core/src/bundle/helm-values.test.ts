import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { sharedPath } from '../../../../test/harness/paths.js';
import { RATIFY_CHART } from './bundle-options.js';
import { compileBundle } from './compile-bundle.js';
import { SCS_IMAGE, loadTestPolicy, productionPolicy, testTls } from './test-support/bundle-fixtures.js';

/** Every key path of a values document, e.g. `provider.timeout.validationTimeoutSeconds`. */
function keyPaths(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [prefix];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) =>
    keyPaths(v, prefix === '' ? k : `${prefix}.${k}`),
  );
}

function hasPath(values: unknown, path: string): boolean {
  let node: unknown = values;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object' || !(key in (node as Record<string, unknown>)))
      return false;
    node = (node as Record<string, unknown>)[key];
  }
  return true;
}

const RATIFY_VALUES = sharedPath('schemas', 'ratify', 'charts', 'ratify', 'values.yaml');
const RATIFY_CHART_YAML = sharedPath('schemas', 'ratify', 'charts', 'ratify', 'Chart.yaml');
// ../shared carries the Gatekeeper chart's CRDs but not its values.yaml.
const GATEKEEPER_VALUES = sharedPath('schemas', 'gatekeeper', 'charts', 'gatekeeper', 'values.yaml');

describe('the Helm values files', () => {
  it('pin the Ratify chart version that ../shared/schemas holds', () => {
    expect((parse(readFileSync(RATIFY_CHART_YAML, 'utf8')) as { version: string }).version).toBe(
      RATIFY_CHART.version,
    );
  });

  it("use only keys that exist in the Ratify chart's values.yaml", async () => {
    const bundle = compileBundle(await loadTestPolicy(productionPolicy()), {
      engine: 'ratify',
      azureClientId: 'client-1',
    });
    const written = parse(bundle.files.get('values/ratify.yaml') ?? '') as unknown;
    const chart = parse(readFileSync(RATIFY_VALUES, 'utf8')) as unknown;
    const paths = keyPaths(written);
    expect(paths).toContain('notation.enabled');
    expect(paths.filter((p) => !hasPath(chart, p))).toEqual([]);
    expect(written).toMatchObject({
      notation: { enabled: false },
      azureWorkloadIdentity: { clientId: 'client-1' },
      provider: { timeout: { validationTimeoutSeconds: 5 } },
    });
  });

  it.skipIf(!existsSync(GATEKEEPER_VALUES))(
    "use only keys that exist in the Gatekeeper chart's values.yaml (skipped: ../shared has no Gatekeeper values.yaml)",
    async () => {
      const bundle = compileBundle(await loadTestPolicy(productionPolicy()), {
        engine: 'scs',
        scs: { image: SCS_IMAGE, tls: await testTls() },
      });
      const chart = parse(readFileSync(GATEKEEPER_VALUES, 'utf8')) as unknown;
      const paths = keyPaths(parse(bundle.files.get('values/gatekeeper.yaml') ?? ''));
      expect(paths.filter((p) => !hasPath(chart, p))).toEqual([]);
    },
  );

  it('turn external data on, fail closed, and give the webhook the provider timeout plus a margin', async () => {
    const loaded = await loadTestPolicy(productionPolicy());
    const values = parse(
      compileBundle(loaded, {
        engine: 'scs',
        providerTimeoutSeconds: 8,
        scs: { image: SCS_IMAGE, tls: await testTls() },
      }).files.get('values/gatekeeper.yaml') ?? '',
    ) as Record<string, unknown>;
    expect(values).toEqual({
      enableExternalData: true,
      validatingWebhookFailurePolicy: 'Fail',
      validatingWebhookTimeoutSeconds: 10,
      externaldataProviderResponseCacheTTL: '30s',
      controllerManager: { exemptNamespaces: ['kube-system'] },
      postInstall: { labelNamespace: { extraNamespaces: ['kube-system'] } },
    });
    const ratify =
      compileBundle(loaded, { engine: 'ratify', azureClientId: 'c' }).files.get('values/gatekeeper.yaml') ??
      '';
    expect(parse(ratify)).toMatchObject({
      validatingWebhookTimeoutSeconds: 7,
      mutatingWebhookTimeoutSeconds: 3,
    });
    expect(ratify).toMatch(/validatingWebhookFailurePolicy: Fail +- fail closed/);
  });
});
