import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { sharedPath } from '../../../../test/harness/paths.js';
import { compileBundle } from './compile-bundle.js';
import { MUTATION_PROVIDER_NAME, PINNED_FIELDS } from './image-pinning.js';
import {
  SCS_IMAGE,
  bundleObjects,
  loadTestPolicy,
  objectOf,
  productionPolicy,
  testTls,
} from './test-support/bundle-fixtures.js';
import type { ManifestValidator } from './test-support/manifest-validator.js';
import { ASSIGN_EXAMPLES, ASSIGN_SCHEMA, loadManifestValidator } from './test-support/manifest-validator.js';

type Json = Record<string, unknown>;

/** The Assign objects of an upstream file in ../shared (lines of Helm template syntax dropped). */
function upstreamAssigns(segments: readonly string[]): Json[] {
  const text = readFileSync(sharedPath('schemas', ...segments), 'utf8')
    .split('\n')
    .filter((line) => !line.includes('{{'))
    .join('\n');
  return parseAllDocuments(text)
    .map((d) => d.toJS() as Json | null)
    .filter((o): o is Json => o !== null && o.kind === 'Assign');
}

/** Every field path of a value (`spec.parameters.assign.externalData.provider`); array items as `[]`. */
function fieldPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => fieldPaths(v, `${prefix}[]`));
  if (value === null || typeof value !== 'object') return [prefix];
  return Object.entries(value as Json).flatMap(([k, v]) =>
    fieldPaths(v, prefix === '' ? k : `${prefix}.${k}`),
  );
}

/** The field paths a JSON schema allows (`properties`, array `items`); `match` is not entered. */
function schemaPaths(schema: Json, prefix = ''): string[] {
  const properties = schema.properties as Record<string, Json> | undefined;
  const items = schema.items as Json | undefined;
  if (items !== undefined) return schemaPaths(items, `${prefix}[]`);
  if (properties === undefined || prefix === 'spec.match') return [prefix];
  return Object.entries(properties).flatMap(([k, v]) => schemaPaths(v, prefix === '' ? k : `${prefix}.${k}`));
}

let validator: ManifestValidator;
beforeAll(() => {
  validator = loadManifestValidator();
});

async function scsBundle(admission?: string, mutation?: boolean) {
  return compileBundle(await loadTestPolicy(productionPolicy(admission === undefined ? {} : { admission })), {
    engine: 'scs',
    scs: { image: SCS_IMAGE, tls: await testTls(), ...(mutation === undefined ? {} : { mutation }) },
  });
}

const assignsOf = (bundle: Awaited<ReturnType<typeof scsBundle>>) =>
  bundleObjects(bundle)
    .filter((o) => o.object.kind === 'Assign')
    .map((o) => o.object as Json & { spec: Json });

describe('tag -> digest at admission (engine scs)', () => {
  it('pins the images of containers, init containers and ephemeral containers of Pods, at the locations Ratify’s chart uses', async () => {
    const ours = assignsOf(await scsBundle());
    expect(ours.map((a) => a.spec.location)).toEqual([
      'spec.containers[name:*].image',
      'spec.initContainers[name:*].image',
      'spec.ephemeralContainers[name:*].image',
    ]);
    const ratifyPodLocations = upstreamAssigns(ASSIGN_EXAMPLES[4] ?? [])
      .filter(
        (a) =>
          JSON.stringify((a.spec as Json).applyTo) ===
          JSON.stringify([{ groups: [''], kinds: ['Pod'], versions: ['v1'] }]),
      )
      .map((a) => (a.spec as Json).location);
    expect(new Set(ratifyPodLocations)).toEqual(new Set(ours.map((a) => a.spec.location)));
    for (const assign of ours) {
      expect(assign.spec.applyTo).toEqual([{ groups: [''], kinds: ['Pod'], versions: ['v1'] }]);
      expect(assign.spec.match).toMatchObject({
        scope: 'Namespaced',
        kinds: [{ apiGroups: [''], kinds: ['Pod'] }],
      });
      expect(assign.spec.parameters).toEqual({
        assign: {
          externalData: {
            provider: MUTATION_PROVIDER_NAME,
            dataSource: 'ValueAtLocation',
            failurePolicy: 'Fail',
          },
        },
      });
      expect(validator.problems(assign)).toEqual([]);
    }
    expect(ours.map((a) => (a.metadata as Json).name)).toEqual(PINNED_FIELDS.map((f) => f.name));
  });

  it('never mutates a workload’s pod template (its owner’s spec stays as written)', async () => {
    const kinds = assignsOf(await scsBundle()).flatMap((a) =>
      (a.spec.applyTo as { kinds: string[] }[]).flatMap((t) => t.kinds),
    );
    expect(new Set(kinds)).toEqual(new Set(['Pod']));
  });

  it('asks the mutation Provider on /mutate, with the verify Provider’s timeout and CA', async () => {
    const bundle = await scsBundle();
    const verify = objectOf(bundle, 'Provider', 'scs-provider');
    const mutate = objectOf(bundle, 'Provider', MUTATION_PROVIDER_NAME);
    expect(mutate.spec).toEqual({
      ...verify.spec,
      url: 'https://scs-provider.gatekeeper-system.svc:8443/mutate',
    });
    expect(validator.problems(mutate)).toEqual([]);
  });

  it('matches the namespaces the constraint matches', async () => {
    const bundle = await scsBundle(
      '{ includedNamespaces: [team-a, kube-system], excludedNamespaces: [team-a-sandbox] }',
    );
    const constraint = objectOf(bundle, 'ScsImageVerification').spec.match as Json;
    for (const assign of assignsOf(bundle)) {
      const match = assign.spec.match as Json;
      expect([match.namespaces, match.excludedNamespaces]).toEqual([
        constraint.namespaces,
        constraint.excludedNamespaces,
      ]);
    }
    expect(constraint.namespaces).toEqual(['team-a', 'kube-system']);
  });

  it.each([
    ['deny', 'Fail'],
    ['warn', 'Ignore'],
    ['dryrun', 'Ignore'],
  ])('refuses a Pod it cannot pin only when the policy denies (%s: %s)', async (action, failurePolicy) => {
    const bundle = await scsBundle(`{ enforcementAction: ${action} }`);
    for (const assign of assignsOf(bundle)) {
      expect(assign.spec.parameters).toMatchObject({ assign: { externalData: { failurePolicy } } });
    }
  });

  it('is left out on request', async () => {
    const bundle = await scsBundle(undefined, false);
    expect(assignsOf(bundle)).toEqual([]);
    expect(bundleObjects(bundle).filter((o) => o.object.kind === 'Provider')).toHaveLength(1);
    expect(bundle.notes.join('\n')).not.toContain('pinned');
  });
});

describe('the Assign schema the bundle tests validate against (no Assign CRD in ../shared)', () => {
  const upstream = ASSIGN_EXAMPLES.flatMap((segments) => upstreamAssigns(segments));

  it('allows only fields that the upstream Assign objects in ../shared use', () => {
    expect(upstream.length).toBeGreaterThanOrEqual(10);
    const used = new Set(upstream.flatMap((a) => fieldPaths(a)));
    const allowed = schemaPaths(ASSIGN_SCHEMA as unknown as Json).filter((p) => p !== 'spec.match');
    expect(allowed.filter((p) => ![...used].some((u) => u === p || u.startsWith(`${p}.`)))).toEqual([]);
  });

  it('accepts the upstream Assign objects that Gatekeeper’s own tests apply', () => {
    const applied = [ASSIGN_EXAMPLES[0], ASSIGN_EXAMPLES[2]].flatMap((s) => upstreamAssigns(s ?? []));
    expect(applied.map((a) => (a.metadata as Json).name)).toEqual([
      'a-sidecar-injection',
      'b-assign-image',
      'k8sexternalip',
    ]);
    for (const assign of applied) expect(validator.problems(assign)).toEqual([]);
  });

  it.each<[string, (a: Json & { spec: Json }) => void, RegExp]>([
    [
      'an unknown externalData field',
      (a) => ((a.spec.parameters as Json).assign = { externalData: { provider: 'p', providerName: 'p' } }),
      /must NOT have additional properties/,
    ],
    [
      'a failure policy Gatekeeper does not know',
      (a) =>
        ((a.spec.parameters as Json).assign = { externalData: { provider: 'p', failurePolicy: 'Deny' } }),
      /must be equal to one of the allowed values/,
    ],
    ['no applyTo', (a) => delete a.spec.applyTo, /must have required property 'applyTo'/],
    [
      'a namespace Gatekeeper would refuse',
      (a) => ((a.spec.match as Json).excludedNamespaces = ['Kube_System']),
      /must match pattern/,
    ],
    [
      'a namespace on a cluster-scoped object',
      (a) => ((a.metadata as Json).namespace = 'gatekeeper-system'),
      /a cluster-scoped object has metadata.namespace/,
    ],
  ])('rejects %s', async (_what, spoil, message) => {
    const assign = structuredClone(assignsOf(await scsBundle())[0]) as Json & { spec: Json };
    spoil(assign);
    expect(validator.problems(assign).join('\n')).toMatch(message);
  });
});
