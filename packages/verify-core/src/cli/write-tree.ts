import path from 'node:path';
import { VerifyCoreError } from '../errors.js';
import type { ExportedFile } from '../export/notation-export.js';
import type { CliFileSystem } from './cli-io.js';

/**
 * Write `files` under `outDir` all or nothing: into a new sibling directory first, renamed into
 * place at the end. `outDir` must not exist or be empty (nothing is overwritten).
 */
export async function writeTree(
  fs: CliFileSystem,
  outDir: string,
  files: readonly ExportedFile[],
): Promise<void> {
  const existing = await fs.stat(outDir);
  if (existing !== undefined) {
    if (!existing.isDirectory || (await fs.readdir(outDir)).length > 0) {
      throw new VerifyCoreError(
        'USAGE',
        `${outDir} already exists and is not an empty directory; choose a new --out directory (nothing is overwritten)`,
      );
    }
  }
  const parent = path.dirname(path.resolve(outDir));
  if ((await fs.stat(parent))?.isDirectory !== true) {
    throw new VerifyCoreError(
      'USAGE',
      `the parent directory ${parent} of --out does not exist; create it first`,
    );
  }
  const staging = await fs.mkdtemp(path.join(parent, `.${path.basename(outDir)}.tmp-`));
  try {
    for (const file of files) {
      const target = path.join(staging, ...file.path.split('/'));
      await fs.mkdir(path.dirname(target));
      await fs.writeFile(target, file.content, file.mode === undefined ? {} : { mode: file.mode });
    }
    if (existing !== undefined) await fs.rm(outDir);
    await fs.rename(staging, outDir);
  } catch (error) {
    await fs.rm(staging).catch(() => undefined);
    throw error;
  }
}
