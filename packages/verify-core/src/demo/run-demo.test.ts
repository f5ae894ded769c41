/**
 * `scs demo` writes the cluster bundle of its policy, offline: checked here with the real CRD
 * schemas, `kubectl kustomize`, and the provider's own copy of the policy giving the same
 * decisions on the demo's images.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseYamlStream } from '../bundle/test-support/bundle-fixtures.js';
import type { ManifestValidator } from '../bundle/test-support/manifest-validator.js';
import { loadManifestValidator } from '../bundle/test-support/manifest-validator.js';
import { nodeCliServices } from '../cli/node-services.js';
import { evaluate } from '../engine/evaluate.js';
import { VerifyCoreError } from '../errors.js';
import { loadPolicy } from '../policy/load-policy.js';
import { cliContext } from '../test-support/cli-context.js';
import { NOW } from '../test-support/notation-layouts.js';
import { rejectionOf } from '../test-support/thrown.js';
import type { DemoResult } from './run-demo.js';
import { DEMO_PROVIDER_IMAGE, runDemo } from './run-demo.js';

const run = promisify(execFile);
const clock = (): Date => NOW;
const reader = { readFile: async (file: string) => new Uint8Array(await readFile(file)) };
const GIVEN_IMAGE = `registry.example.com/platform/scs@sha256:${'a'.repeat(64)}`;

async function workdir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'scs-demo-test-'));
}

function context(work: string) {
  return cliContext({ cwd: work, services: nodeCliServices({ clock, env: {}, homeDir: work }) });
}

/** The objects of the written bundle: every YAML manifest but kustomization.yaml and values/. */
async function bundleObjects(
  result: DemoResult,
): Promise<{ file: string; object: Record<string, unknown> }[]> {
  const manifests = result.bundle.files.filter(
    (f) => f.endsWith('.yaml') && f !== 'kustomization.yaml' && !f.startsWith('values/'),
  );
  return Promise.all(
    manifests.map(async (file) => ({
      file,
      object: parse(await readFile(path.join(result.bundle.dir, file), 'utf8')) as Record<string, unknown>,
    })),
  );
}

let validator: ManifestValidator;
let result: DemoResult;
beforeAll(async () => {
  validator = loadManifestValidator();
  result = await runDemo(context(await workdir()), { dir: path.join(await workdir(), 'demo') });
});

describe('when the demo has decided', () => {
  it('has written the bundle of its policy beside it: Gatekeeper and the scs provider, the TLS key private', async () => {
    expect(result.asExpected).toBe(true);
    expect(result.bundle.dir).toBe(path.join(result.dir, 'bundle'));
    expect(result.bundle.files).toEqual(
      expect.arrayContaining(['kustomization.yaml', 'INSTALL.md', 'values/gatekeeper.yaml']),
    );
    expect(result.bundle.privateFiles).toEqual(['secret-scs-provider-tls.yaml']);
    expect((await stat(path.join(result.bundle.dir, 'secret-scs-provider-tls.yaml'))).mode & 0o777).toBe(
      0o600,
    );
    const kinds = (await bundleObjects(result)).map((o) => o.object.kind).sort();
    expect(kinds).toEqual(
      expect.arrayContaining(['ConfigMap', 'ConstraintTemplate', 'Deployment', 'Provider', 'Secret']),
    );
  });

  it('writes objects the API server would accept (real CRD schemas) and that kubectl kustomize builds', async () => {
    const objects = await bundleObjects(result);
    const templates = objects.filter((o) => o.object.kind === 'ConstraintTemplate').map((o) => o.object);
    for (const { file, object } of objects) {
      expect({ file, problems: validator.problems(object, templates) }).toEqual({ file, problems: [] });
    }
    const { stdout } = await run('kubectl', ['kustomize', result.bundle.dir], {
      maxBuffer: 16 * 1024 * 1024,
    });
    expect(parseYamlStream(stdout)).toHaveLength(objects.length);
  });

  it('runs a placeholder provider image that can never pull, and says so', async () => {
    expect(result.bundle).toMatchObject({ image: DEMO_PROVIDER_IMAGE, placeholderImage: true });
    const deployment = (await bundleObjects(result)).find((o) => o.object.kind === 'Deployment');
    expect(JSON.stringify(deployment?.object)).toContain(`"image":"${DEMO_PROVIDER_IMAGE}"`);
  });

  it('serves the provider a copy of the policy that makes the same decisions on the demo images', async () => {
    const configMap = (await bundleObjects(result)).find((o) => o.object.kind === 'ConfigMap')?.object as
      { data: { 'policy.yaml': string } } | undefined;
    const served = path.join(await workdir(), 'served-policy.yaml');
    await writeFile(served, configMap?.data['policy.yaml'] ?? '');
    const loaded = await loadPolicy(served, { reader, now: clock });
    const services = nodeCliServices({ clock, env: {}, homeDir: os.tmpdir() });
    const verifier = await services.policyVerifier(loaded);
    for (const demoCase of result.cases) {
      const decision = await evaluate(`oci:${result.layout}:${demoCase.tag}`, {
        policy: loaded,
        verifier,
        openTarget: (ref) => services.openTarget(ref, { plainHttp: false }),
        clock,
      });
      expect({ tag: demoCase.tag, allowed: decision.allowed }).toEqual({
        tag: demoCase.tag,
        allowed: demoCase.decision.allowed,
      });
      expect(decision.reasons).toEqual(demoCase.decision.reasons);
    }
  });
});

describe('when a provider image is given', () => {
  it('runs it in the bundle', async () => {
    const given = await runDemo(context(await workdir()), {
      dir: path.join(await workdir(), 'demo'),
      image: GIVEN_IMAGE,
    });
    expect(given.bundle).toMatchObject({ image: GIVEN_IMAGE, placeholderImage: false });
    const deployment = await readFile(path.join(given.bundle.dir, 'deployment-scs-provider.yaml'), 'utf8');
    expect(deployment).toContain(`image: ${GIVEN_IMAGE}`);
  });

  it('refuses one not pinned by digest before writing anything', async () => {
    const dir = path.join(await workdir(), 'demo');
    const error = await rejectionOf(
      VerifyCoreError,
      runDemo(context(await workdir()), { dir, image: 'registry.example.com/platform/scs:latest' }),
    );
    expect(error.code).toBe('USAGE');
    expect(error.message).toContain(
      '--image registry.example.com/platform/scs:latest is not pinned by digest',
    );
    await expect(stat(dir)).rejects.toThrow();
  });
});
