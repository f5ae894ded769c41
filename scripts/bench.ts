/**
 * `pnpm bench`: runs every `packages/<name>/bench/*.bench.ts` in turn (each a plain script that
 * prints its figures and writes `bench-results/<name>.json`), then prints where the files are.
 * `pnpm bench oci` runs only the benchmarks of packages whose name contains `oci`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../test/harness/paths.js';

const filter = process.argv[2];
const packagesDir = path.join(repoRoot, 'packages');
const benches = readdirSync(packagesDir)
  .filter((name) => filter === undefined || name.includes(filter))
  .flatMap((name) => {
    const dir = path.join(packagesDir, name, 'bench');
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((file) => file.endsWith('.bench.ts'))
      .sort()
      .map((file) => path.join(dir, file));
  });

if (benches.length === 0) {
  console.error(`no benchmark found${filter ? ` for "${filter}"` : ''} under packages/*/bench/*.bench.ts`);
  process.exit(2);
}

let failed = 0;
for (const bench of benches) {
  console.log(`\n=== ${path.relative(repoRoot, bench)}`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', bench], { cwd: repoRoot, stdio: 'inherit' });
  if (result.status !== 0) {
    failed++;
    console.error(
      `benchmark ${path.relative(repoRoot, bench)} failed with exit code ${String(result.status)}`,
    );
  }
}
console.log(`\nfigures written to ${path.join(repoRoot, 'bench-results')}/`);
process.exit(failed === 0 ? 0 : 1);
