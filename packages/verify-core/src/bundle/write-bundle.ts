import path from 'node:path';
import { VerifyCoreError } from '../errors.js';
import { type DirectoryFileSystem, outParent, replaceDirectory } from '../files/replace-directory.js';
import type { CompiledBundle } from './bundle-options.js';

/** The file operations the writer needs (the CLI's file system satisfies it; tests pass their own). */
export type BundleFileSystem = DirectoryFileSystem;

/** Which files were written where. */
export interface WrittenBundle {
  dir: string;
  files: string[];
  /** True when a previous bundle was replaced (--force). */
  replaced: boolean;
}

const SAFE_PATH = /^(?!\/)(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9._/-]+$/;

/**
 * Write the bundle all or nothing: into a new sibling directory first, renamed into place at the
 * end. An existing non-empty `outDir` is replaced only with `force` (the old one is moved aside
 * and deleted after the new one is in place); files holding a private key get mode 0600.
 */
export async function writeBundle(
  fs: BundleFileSystem,
  outDir: string,
  bundle: CompiledBundle,
  options: { force?: boolean } = {},
): Promise<WrittenBundle> {
  const target = path.resolve(outDir);
  const existing = await fs.stat(target);
  if (existing !== undefined && !existing.isDirectory) {
    throw new VerifyCoreError('USAGE', `${outDir} exists and is not a directory; choose another --out`);
  }
  const nonEmpty = existing !== undefined && (await fs.readdir(target)).length > 0;
  if (nonEmpty && options.force !== true) {
    throw new VerifyCoreError(
      'USAGE',
      `${outDir} is not empty; pass --force to replace it, or choose a new --out directory (nothing was written)`,
    );
  }
  await outParent(fs, target);
  const files = [...bundle.files.keys()].sort();
  for (const file of files) {
    if (!SAFE_PATH.test(file)) throw new VerifyCoreError('BUG', `the bundle holds an unsafe path: ${file}`);
  }
  await replaceDirectory(
    fs,
    target,
    files.map((file) => ({
      path: file,
      content: bundle.files.get(file) ?? '',
      mode: bundle.privateFiles.has(file) ? 0o600 : 0o644,
    })),
  );
  return { dir: target, files, replaced: nonEmpty };
}
