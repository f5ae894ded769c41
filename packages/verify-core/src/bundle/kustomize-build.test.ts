import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { nodeFileSystem } from '../cli/node-io.js';
import type { BundleOptions } from './bundle-options.js';
import { compileBundle } from './compile-bundle.js';
import {
  SCS_IMAGE,
  bundleObjects,
  loadTestPolicy,
  parseYamlStream,
  productionPolicy,
  testTls,
} from './test-support/bundle-fixtures.js';
import { writeBundle } from './write-bundle.js';

const run = promisify(execFile);

describe('kubectl kustomize builds the written bundle', () => {
  it.each(['scs', 'ratify'] as const)('for the %s engine, with every object once', async (engine) => {
    const options: BundleOptions =
      engine === 'scs'
        ? { engine, scs: { image: SCS_IMAGE, tls: await testTls() } }
        : { engine, azureClientId: 'client-1' };
    const bundle = compileBundle(await loadTestPolicy(productionPolicy()), options);
    const dir = path.join(await mkdtemp(path.join(os.tmpdir(), 'scs-bundle-kustomize-')), 'bundle');
    await writeBundle(nodeFileSystem, dir, bundle);
    const { stdout } = await run('kubectl', ['kustomize', dir], { maxBuffer: 16 * 1024 * 1024 });
    const built = parseYamlStream(stdout).map(
      (o) => `${String(o.kind)}/${(o.metadata as { name: string }).name}`,
    );
    const expected = bundleObjects(bundle).map(
      (o) => `${String(o.object.kind)}/${(o.object.metadata as { name: string }).name}`,
    );
    expect([...built].sort()).toEqual([...expected].sort());
  });
});
