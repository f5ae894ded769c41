import { mkdir, mkdtemp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeFileSystem } from '../cli/node-io.js';
import { VerifyCoreError } from '../errors.js';
import { rejectionOf } from '../test-support/thrown.js';
import type { CompiledBundle } from './bundle-options.js';
import type { BundleFileSystem } from './write-bundle.js';
import { writeBundle } from './write-bundle.js';

function bundle(files: Record<string, string>, privateFiles: string[] = []): CompiledBundle {
  return { files: new Map(Object.entries(files)), privateFiles: new Set(privateFiles), notes: [] };
}

async function workdir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'scs-bundle-write-'));
}

function rejection(promise: Promise<unknown>): Promise<Error> {
  return rejectionOf(Error, promise);
}

describe('writing a bundle', () => {
  it('writes every file, private ones with mode 0600, and leaves no staging directory', async () => {
    const dir = await workdir();
    const out = path.join(dir, 'bundle');
    const written = await writeBundle(
      nodeFileSystem,
      out,
      bundle({ 'kustomization.yaml': 'k', 'values/gatekeeper.yaml': 'v', 'secret-x.yaml': 's' }, [
        'secret-x.yaml',
      ]),
    );
    expect(written.files).toEqual(['kustomization.yaml', 'secret-x.yaml', 'values/gatekeeper.yaml']);
    expect(await readFile(path.join(out, 'values', 'gatekeeper.yaml'), 'utf8')).toBe('v');
    expect((await stat(path.join(out, 'secret-x.yaml'))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(out, 'kustomization.yaml'))).mode & 0o777).toBe(0o644);
    expect(await readdir(dir)).toEqual(['bundle']);
  });

  it('refuses a non-empty directory without --force, and changes nothing', async () => {
    const dir = await workdir();
    const out = path.join(dir, 'bundle');
    await mkdir(out);
    await writeFile(path.join(out, 'mine.txt'), 'keep');
    const error = await rejection(writeBundle(nodeFileSystem, out, bundle({ 'kustomization.yaml': 'k' })));
    expect(error).toBeInstanceOf(VerifyCoreError);
    expect(error.message).toMatch(/is not empty; pass --force to replace it/);
    expect(await readdir(out)).toEqual(['mine.txt']);
    expect(await readdir(dir)).toEqual(['bundle']);
  });

  it('replaces a previous bundle with --force, leaving only the new files', async () => {
    const dir = await workdir();
    const out = path.join(dir, 'bundle');
    await writeBundle(nodeFileSystem, out, bundle({ 'old.yaml': 'old' }));
    const written = await writeBundle(nodeFileSystem, out, bundle({ 'new.yaml': 'new' }), { force: true });
    expect(written.replaced).toBe(true);
    expect(await readdir(out)).toEqual(['new.yaml']);
    expect(await readdir(dir)).toEqual(['bundle']);
  });

  it('writes nothing when a write fails midway, and keeps the previous bundle', async () => {
    const dir = await workdir();
    const out = path.join(dir, 'bundle');
    await writeBundle(nodeFileSystem, out, bundle({ 'old.yaml': 'old' }));
    let writes = 0;
    const failing: BundleFileSystem = {
      ...nodeFileSystem,
      writeFile: (file, content, options) => {
        writes += 1;
        return writes === 2
          ? Promise.reject(new Error('disk full'))
          : nodeFileSystem.writeFile(file, content, options);
      },
    };
    const error = await rejection(
      writeBundle(failing, out, bundle({ 'a.yaml': 'a', 'b.yaml': 'b', 'c.yaml': 'c' }), { force: true }),
    );
    expect(error.message).toBe('disk full');
    expect(await readdir(out)).toEqual(['old.yaml']);
    expect(await readdir(dir)).toEqual(['bundle']);
  });

  it('refuses an --out whose parent does not exist, or that is a file', async () => {
    const dir = await workdir();
    expect(
      (
        await rejection(
          writeBundle(nodeFileSystem, path.join(dir, 'no', 'bundle'), bundle({ 'a.yaml': 'a' })),
        )
      ).message,
    ).toMatch(/the parent directory .* of --out does not exist/);
    await writeFile(path.join(dir, 'file'), 'x');
    expect(
      (await rejection(writeBundle(nodeFileSystem, path.join(dir, 'file'), bundle({ 'a.yaml': 'a' }))))
        .message,
    ).toMatch(/exists and is not a directory/);
  });
});
