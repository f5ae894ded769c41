import { VerifyCoreError } from '../errors.js';
import type { ExportedFile } from '../export/notation-export.js';
import { outParent, replaceDirectory } from '../files/replace-directory.js';
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
  await outParent(fs, outDir);
  await replaceDirectory(fs, outDir, files);
}
