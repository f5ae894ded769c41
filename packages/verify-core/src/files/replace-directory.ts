import path from 'node:path';
import { VerifyCoreError } from '../errors.js';

/** The file operations an all-or-nothing directory write needs (the CLI's file system satisfies it). */
export interface DirectoryFileSystem {
  writeFile(file: string, content: Uint8Array | string, options?: { mode?: number }): Promise<void>;
  mkdir(dir: string): Promise<void>;
  /** Make a new empty directory whose name starts with `prefix`. */
  mkdtemp(prefix: string): Promise<string>;
  rename(from: string, to: string): Promise<void>;
  rm(target: string): Promise<void>;
  /** `undefined` when the path does not exist. */
  stat(target: string): Promise<{ isDirectory: boolean; isFile: boolean } | undefined>;
  readdir(dir: string): Promise<string[]>;
}

/** A file to write: its `/`-separated path relative to the directory, content and mode. */
export interface DirectoryFile {
  path: string;
  content: Uint8Array | string;
  mode?: number;
}

/** The parent of the `--out` directory `target`; a user error when it is not a directory. */
export async function outParent(fs: DirectoryFileSystem, target: string): Promise<string> {
  const parent = path.dirname(path.resolve(target));
  if ((await fs.stat(parent))?.isDirectory !== true) {
    throw new VerifyCoreError(
      'USAGE',
      `the parent directory ${parent} of --out does not exist; create it first`,
    );
  }
  return parent;
}

/**
 * Write `files` as the directory `target`, all or nothing: into a new sibling directory first,
 * renamed into place at the end. An existing `target` is moved aside just before and deleted once
 * the new one is in place; on any failure the staging directory is removed and the old `target`
 * put back. The caller decides whether an existing `target` may be replaced.
 */
export async function replaceDirectory(
  fs: DirectoryFileSystem,
  target: string,
  files: readonly DirectoryFile[],
): Promise<void> {
  const resolved = path.resolve(target);
  const parent = path.dirname(resolved);
  const existing = await fs.stat(resolved);
  const staging = await fs.mkdtemp(path.join(parent, `.${path.basename(resolved)}.tmp-`));
  let aside: string | undefined;
  try {
    for (const file of files) {
      const to = path.join(staging, ...file.path.split('/'));
      await fs.mkdir(path.dirname(to));
      await fs.writeFile(to, file.content, file.mode === undefined ? {} : { mode: file.mode });
    }
    if (existing !== undefined) {
      aside = await fs.mkdtemp(path.join(parent, `.${path.basename(resolved)}.old-`));
      await fs.rm(aside);
      await fs.rename(resolved, aside);
    }
    await fs.rename(staging, resolved);
  } catch (error) {
    await fs.rm(staging).catch(() => undefined);
    if (aside !== undefined && (await fs.stat(resolved)) === undefined) {
      await fs.rename(aside, resolved).catch(() => undefined);
    }
    throw error;
  }
  if (aside !== undefined) await fs.rm(aside);
}
