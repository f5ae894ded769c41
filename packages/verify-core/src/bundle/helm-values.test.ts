import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { sharedPath } from '../../../../test/harness/paths.js';
import { GATEKEEPER_CHART, RATIFY_CHART } from './bundle-options.js';
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
// ../shared carries the Gatekeeper chart's CRDs but not its values.yaml. What stands in for part
// of it: Ratify's helmfile, which installs the same Gatekeeper chart version with --set values.
const GATEKEEPER_VALUES = sharedPath('schemas', 'gatekeeper', 'charts', 'gatekeeper', 'values.yaml');
const RATIFY_HELMFILE = sharedPath('schemas', 'ratify', 'high-availability.helmfile.yaml');

/** The Gatekeeper release of Ratify's helmfile: its chart, version and the value names it sets. */
function helmfileGatekeeper(): { chart: string; version: string; set: { name: string }[] } {
  const helmfile = parse(readFileSync(RATIFY_HELMFILE, 'utf8')) as {
    releases: { name: string; chart: string; version: string; set: { name: string }[] }[];
  };
  const release = helmfile.releases.find((r) => r.name === 'gatekeeper');
  if (release === undefined) throw new Error(`${RATIFY_HELMFILE} has no gatekeeper release`);
  return release;
}

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

  it('set the Gatekeeper chart values that Ratify’s helmfile sets on the same chart version under the same names', async () => {
    const release = helmfileGatekeeper();
    expect([release.chart, release.version]).toEqual(['gatekeeper/gatekeeper', GATEKEEPER_CHART.version]);
    const upstream = new Set(release.set.map((s) => s.name));
    const loaded = await loadTestPolicy(productionPolicy());
    const written = [
      compileBundle(loaded, { engine: 'scs', scs: { image: SCS_IMAGE, tls: await testTls() } }),
      compileBundle(loaded, { engine: 'ratify', azureClientId: 'c' }),
    ].flatMap((b) => keyPaths(parse(b.files.get('values/gatekeeper.yaml') ?? '')));
    const shared = [...new Set(written.filter((p) => upstream.has(p)))].sort();
    expect(shared).toEqual([
      'enableExternalData',
      'externaldataProviderResponseCacheTTL',
      'mutatingWebhookTimeoutSeconds',
      'validatingWebhookTimeoutSeconds',
    ]);
    // Not set by the helmfile, so checked by nothing in ../shared (see the skipped test below).
    expect([...new Set(written.filter((p) => !upstream.has(p)))].sort()).toEqual([
      'controllerManager.exemptNamespaces',
      'postInstall.labelNamespace.extraNamespaces',
      'validatingWebhookFailurePolicy',
    ]);
  });

  it.skipIf(!existsSync(GATEKEEPER_VALUES))(
    "use only keys that exist in the Gatekeeper chart's values.yaml (skipped: ../shared/schemas/gatekeeper holds the chart's CRDs only, no values.yaml; validatingWebhookFailurePolicy, controllerManager.exemptNamespaces and postInstall.labelNamespace.extraNamespaces are checked by nothing here)",
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
      mutatingWebhookTimeoutSeconds: 10,
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
    // Without the scs engine's mutation, the chart's mutating webhook timeout is left alone.
    const unmutated = parse(
      compileBundle(loaded, {
        engine: 'scs',
        providerTimeoutSeconds: 8,
        scs: { image: SCS_IMAGE, tls: await testTls(), mutation: false },
      }).files.get('values/gatekeeper.yaml') ?? '',
    ) as Record<string, unknown>;
    expect(unmutated).not.toHaveProperty('mutatingWebhookTimeoutSeconds');
  });
});
