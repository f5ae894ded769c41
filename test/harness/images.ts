import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { run } from './binaries.js';
import type { TestRegistry } from './registry.js';

/**
 * Builds a small real image into an OCI image layout with `umoci` (init, new, unpack, add
 * files, repack), tagged `tag`. Returns the layout directory.
 */
export async function makeUmociImage(
  options: { dir?: string; tag?: string; files?: Record<string, string>; cmd?: string } = {},
): Promise<{ layoutDir: string; tag: string }> {
  const tag = options.tag ?? 'v1';
  const layoutDir = options.dir ?? path.join(await mkdtemp(path.join(os.tmpdir(), 'scs-layout-')), 'layout');
  const work = await mkdtemp(path.join(os.tmpdir(), 'scs-bundle-'));
  const rootless = process.getuid?.() !== 0 ? ['--rootless'] : [];
  try {
    // An existing layout gets a further tag: init refuses to overwrite it.
    if (!existsSync(path.join(layoutDir, 'oci-layout'))) await run('umoci', ['init', '--layout', layoutDir]);
    const image = `${layoutDir}:${tag}`;
    await run('umoci', ['new', '--image', image]);
    const bundle = path.join(work, 'bundle');
    await run('umoci', ['unpack', ...rootless, '--image', image, bundle]);
    const files = options.files ?? { 'hello.txt': `hello from ${tag}\n` };
    for (const [name, content] of Object.entries(files)) {
      const target = path.join(bundle, 'rootfs', name);
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, content);
    }
    await run('umoci', ['repack', '--image', image, bundle]);
    await run('umoci', ['config', '--image', image, `--config.cmd=${options.cmd ?? '/hello.txt'}`]);
    return { layoutDir, tag };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** `skopeo copy --preserve-digests oci:<layout>:<tag> docker://<registry>/<repository>:<tag>`. */
export async function skopeoPush(
  registry: TestRegistry,
  layoutDir: string,
  tag: string,
  repository: string,
): Promise<void> {
  await run('skopeo', [
    'copy',
    '--quiet',
    '--preserve-digests',
    ...registry.skopeoArgs('dest'),
    `oci:${layoutDir}:${tag}`,
    `docker://${registry.host}/${repository}:${tag}`,
  ]);
}

/** `skopeo inspect --raw` of a reference in the registry: the manifest bytes as served. */
export async function skopeoInspectRaw(registry: TestRegistry, reference: string): Promise<string> {
  return run('skopeo', [
    'inspect',
    '--raw',
    ...registry.skopeoArgs('src').map(toPlainFlag),
    `docker://${registry.host}/${reference}`,
  ]);
}

/** `skopeo inspect` (parsed) of a reference in the registry. */
export async function skopeoInspect(
  registry: TestRegistry,
  reference: string,
): Promise<Record<string, unknown>> {
  const out = await run('skopeo', [
    'inspect',
    ...registry.skopeoArgs('src').map(toPlainFlag),
    `docker://${registry.host}/${reference}`,
  ]);
  return JSON.parse(out) as Record<string, unknown>;
}

/** `inspect` takes `--cert-dir`/`--creds`/`--tls-verify` without the `src-` prefix. */
function toPlainFlag(flag: string): string {
  return flag.replace(/^--src-/, '--');
}
