import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Pod } from 'kubernetes-models/v1/Pod';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { ReplicaSet } from 'kubernetes-models/apps/v1/ReplicaSet';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { sharedPath } from '../../../../test/harness/paths.js';
import { admissionRego, CHECKED_KINDS } from './admission-template.js';
import type { ProviderResponse } from './external-data.js';
import { regoView } from './external-data.js';

/**
 * There is no OPA here (and no trustworthy Rego evaluator on the npm registry), so the template's
 * Rego is pinned from both sides: what it reads of the admitted object is checked against real
 * Kubernetes objects (kubernetes-models validators), and what it reads of `external_data(...)`
 * against the fixture, `regoView` and the upstream templates in ../shared/schemas that Gatekeeper
 * and Ratify run against the same builtin.
 */

const FIXTURE = fileURLToPath(new URL('./testdata/provider-response.json', import.meta.url));
const fixture = (): ProviderResponse => JSON.parse(readFileSync(FIXTURE, 'utf8')) as ProviderResponse;
const rego = admissionRego('scs-provider');

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

/** The pod spec rules of the Rego: `pod_spec = <path> { <condition> }`, with the kinds each applies to. */
function podSpecRules(): { path: string[]; kinds: string[] }[] {
  const workloads = JSON.parse(`[${/^workloads := \{([^}]*)\}$/m.exec(rego)?.[1] ?? ''}]`) as string[];
  return [...rego.matchAll(/^pod_spec = input\.review\.object\.([\w.]+) \{\n {2}(.+)\n\}$/gm)].map((m) => {
    const condition = m[2] ?? '';
    const kind = /^input\.review\.object\.kind == "(\w+)"$/.exec(condition)?.[1];
    if (kind === undefined && condition !== 'workloads[input.review.object.kind]') {
      throw new Error(`a pod_spec rule this test does not know: ${condition}`);
    }
    return { path: (m[1] ?? '').split('.'), kinds: kind === undefined ? workloads : [kind] };
  });
}

const containerFields = (): string[] =>
  JSON.parse(`[${/^container_fields := \[([^\]]*)\]$/m.exec(rego)?.[1] ?? ''}]`) as string[];

function at(value: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>(
    (node, key) =>
      node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined,
    value,
  );
}

/** The images the Rego's `images` rule collects from `object` (its paths, its fields). */
function imagesOf(object: { kind?: string }): string[] {
  const rules = podSpecRules().filter((r) => r.kinds.includes(object.kind ?? ''));
  if (rules.length > 1) throw new Error(`${String(object.kind)}: two pod_spec rules would conflict`);
  const spec = rules[0] === undefined ? undefined : at(object, rules[0].path);
  const images = containerFields().flatMap((field) =>
    ((at(spec, [field]) ?? []) as { image?: string }[]).map((c) => c.image ?? ''),
  );
  return [...new Set(images)].sort();
}

const IMAGES = {
  app: 'registry.example.com/team/app:1.0',
  init: 'registry.example.com/team/init@sha256:' + 'a'.repeat(64),
  debug: 'registry.example.com/team/debug:1',
};
const metadata = { name: 'app', namespace: 'team-a' };
const podSpec = (ephemeral: boolean) => ({
  containers: [
    { name: 'app', image: IMAGES.app },
    { name: 'sidecar', image: IMAGES.app },
  ],
  initContainers: [{ name: 'init', image: IMAGES.init }],
  ...(ephemeral ? { ephemeralContainers: [{ name: 'debug', image: IMAGES.debug }] } : {}),
});
const template = { metadata: { labels: { app: 'app' } }, spec: podSpec(true) };
const selector = { matchLabels: { app: 'app' } };

/** One real object of every kind the constraint matches, each valid for kubernetes-models. */
function sampleObjects(): { kind: string; toJSON(): unknown; validate(): void }[] {
  return [
    new Pod({ metadata, spec: podSpec(true) }),
    new Deployment({ metadata, spec: { selector, template } }),
    new StatefulSet({ metadata, spec: { selector, serviceName: 'app', template } }),
    new DaemonSet({ metadata, spec: { selector, template } }),
    new ReplicaSet({ metadata, spec: { selector, template } }),
    new Job({
      metadata,
      spec: { template: { ...template, spec: { ...podSpec(true), restartPolicy: 'Never' } } },
    }),
    new CronJob({
      metadata,
      spec: {
        schedule: '0 * * * *',
        jobTemplate: {
          spec: { template: { ...template, spec: { ...podSpec(true), restartPolicy: 'Never' } } },
        },
      },
    }),
  ];
}

describe('what the Rego reads of the admitted object', () => {
  it('handles exactly the kinds the constraint matches, each with one pod spec rule', () => {
    const handled = podSpecRules().flatMap((r) => r.kinds);
    expect([...handled].sort()).toEqual(CHECKED_KINDS.flatMap((k) => k.kinds).sort());
    expect(new Set(handled).size).toBe(handled.length);
  });

  it('collects the image of every container, init container and ephemeral container, as written', () => {
    expect(rego).toContain(
      'images := {image | field := container_fields[_]; image := pod_spec[field][_].image}',
    );
    expect(rego).toContain('keys := sort(images)');
    expect(containerFields()).toEqual(['containers', 'initContainers', 'ephemeralContainers']);
  });

  it.each(sampleObjects().map((o) => [o.kind, o] as const))(
    'finds every image of a real %s where Kubernetes puts it',
    (_kind, object) => {
      object.validate();
      const json = JSON.parse(JSON.stringify(object)) as { kind: string };
      expect(imagesOf(json)).toEqual([IMAGES.app, IMAGES.debug, IMAGES.init].sort());
    },
  );

  it('asks nothing for a kind it does not check', () => {
    expect(imagesOf({ kind: 'ReplicationController', ...{ spec: { template } } })).toEqual([]);
  });
});

/** The Rego of an upstream ConstraintTemplate in ../shared/schemas. */
function upstreamRego(...segments: string[]): string {
  const template = parse(readFileSync(sharedPath('schemas', ...segments), 'utf8')) as {
    spec: { targets: { rego: string }[] };
  };
  return template.spec.targets[0]?.rego ?? '';
}

describe('what the Rego reads of external_data, beside the upstream templates', () => {
  const upstream = {
    gatekeeper: upstreamRego(
      'gatekeeper',
      'test',
      'externaldata',
      'dummy-provider',
      'policy',
      'template.yaml',
    ),
    ratify: upstreamRego('ratify', 'library', 'default', 'template.yaml'),
  };
  const fieldsRead = (text: string, variable: string): Set<string> =>
    new Set([...text.matchAll(new RegExp(`\\b${variable}\\.([a-z_]+)`, 'g'))].map((m) => m[1] ?? ''));

  it('calls the builtin the way Gatekeeper’s and Ratify’s templates do', () => {
    for (const text of Object.values(upstream))
      expect(text).toMatch(/external_data\(\{"provider": "[\w-]+", "keys": \w+\}\)/);
    expect(rego).toMatch(/response := external_data\(\{"provider": "scs-provider", "keys": keys\}\)/);
  });

  it('reads only the result fields the upstream templates read, and all of them', () => {
    const theirs = new Set([
      ...fieldsRead(upstream.gatekeeper, 'response'),
      ...fieldsRead(upstream.ratify, 'remote_data'),
    ]);
    expect(theirs).toEqual(new Set(['errors', 'system_error', 'responses']));
    expect(fieldsRead(rego, 'response')).toEqual(theirs);
  });

  it('reads errors and responses as [image, message] and [image, value] pairs, as the upstream templates do', () => {
    // Gatekeeper's dummy provider template: the error text is errs[1]; Ratify's: the image is
    // subject_validation[0] and its verdict subject_validation[1].isSuccess.
    expect(upstream.gatekeeper).toMatch(/errs := response\.errors\[_\][\s\S]*errs\[1\]/);
    expect(upstream.ratify).toMatch(
      /subject_validation := remote_data\.responses\[_\][\s\S]*subject_validation\[1\]\.isSuccess/,
    );
    expect(upstream.ratify).toContain('subject_validation[0]');
    expect(rego).toContain('image := response.responses[i][0]; value := response.responses[i][1]');
    expect(rego).toContain('image := response.errors[i][0]; message := response.errors[i][1]');
    expect(rego).toContain('answers[image].isSuccess == true');
    // regoView (what the provider tests check the answers against) builds the same pairs.
    const view = JSON.parse(JSON.stringify(regoView(fixture()))) as Record<string, unknown[][]>;
    expect(view.responses?.map((pair) => [pair.length, typeof pair[0], typeof pair[1]])).toEqual([
      [2, 'string', 'object'],
      [2, 'string', 'object'],
    ]);
    expect(view.errors?.map((pair) => [pair.length, typeof pair[0], typeof pair[1]])).toEqual([
      [2, 'string', 'string'],
    ]);
  });
});
