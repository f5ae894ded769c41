import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (the directory holding pnpm-workspace.yaml). */
export const repoRoot: string = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The read-only reference data (`../shared` beside the checkout), or `$SCS_SHARED`.
 * Throws with the fix when it is missing, rather than letting a test skip.
 */
export function sharedDir(): string {
  const dir = process.env.SCS_SHARED ?? path.resolve(repoRoot, '../shared');
  if (!existsSync(path.join(dir, 'vectors', 'INDEX.md'))) {
    throw new Error(
      `the shared reference data was not found at ${dir}: check out the repository beside ../shared, or set SCS_SHARED to its path`,
    );
  }
  return dir;
}

/** A path inside the shared reference data, e.g. `sharedPath('vectors', 'INDEX.md')`. */
export function sharedPath(...segments: string[]): string {
  return path.join(sharedDir(), ...segments);
}
