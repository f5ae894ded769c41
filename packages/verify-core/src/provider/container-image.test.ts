/**
 * The Dockerfile cannot be built here (no Docker engine), so what can be checked without one is:
 * the runtime stage runs the CLI as the user and on the port the bundle's Deployment expects, and
 * every file the CLI loads at run time is copied into the image, not deleted by the build, and
 * comes from production dependencies only (the build installs with `--prod`).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../../../test/harness/paths.js';
import { SCS_PROVIDER } from '../bundle/bundle-options.js';
import { sampleProviderObjects } from '../bundle/test-support/bundle-fixtures.js';

const DOCKERFILE = path.join(repoRoot, 'packages', 'verify-core', 'Dockerfile');
const dockerfile = readFileSync(DOCKERFILE, 'utf8');
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));
const runtimeStage = instructions.slice(instructions.findLastIndex((l) => l.startsWith('FROM ')));

/** Repository paths the build stage copies from the build context. */
const copied = instructions
  .filter((l) => l.startsWith('COPY ') && !l.includes('--from='))
  .flatMap((l) => l.split(/\s+/).slice(1, -1));

/** What the build deletes before the runtime stage copies the tree. */
function deletedByBuild(file: string): boolean {
  return (
    file.endsWith('.test.ts') ||
    /\/(testdata|test-support)\//.test(file) ||
    file === 'packages/oci/src/test-support.ts'
  );
}

const WORKSPACE: Record<string, string> = {
  '@scs/oci': 'packages/oci',
  '@scs/notary': 'packages/notary',
  '@scs/verify-core': 'packages/verify-core',
};

interface Closure {
  files: Set<string>;
  /** npm package imported at run time -> the workspace packages importing it. */
  packages: Map<string, Set<string>>;
}

/** The files and npm packages loaded at run time from `entry` (type-only imports are erased). */
function runtimeClosure(entry: string): Closure {
  const closure: Closure = { files: new Set(), packages: new Map() };
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (closure.files.has(file)) continue;
    closure.files.add(file);
    if (!/\.(ts|js)$/.test(file)) continue;
    const owner = Object.values(WORKSPACE).find((dir) => file.startsWith(`${dir}/`)) ?? '';
    const source = readFileSync(path.join(repoRoot, file), 'utf8');
    const specifiers = [
      ...source.matchAll(/^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\s+from\s+)?'([^']+)'/gm),
      ...source.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g),
    ].map((m) => m[1] ?? '');
    for (const specifier of specifiers) {
      if (specifier.startsWith('.')) {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
        pending.push(existsSync(path.join(repoRoot, target)) ? target : target.replace(/\.js$/, '.ts'));
      } else if (WORKSPACE[specifier] !== undefined) {
        pending.push(`${WORKSPACE[specifier]}/src/index.ts`);
      } else if (!specifier.startsWith('node:')) {
        const name = specifier.startsWith('@')
          ? specifier.split('/').slice(0, 2).join('/')
          : (specifier.split('/')[0] ?? '');
        const importers = closure.packages.get(name) ?? new Set<string>();
        closure.packages.set(name, importers.add(owner));
      }
    }
  }
  return closure;
}

describe('the scs container image (Dockerfile, not built here)', () => {
  it('runs the scs CLI as UID 65532 on the port the bundle’s Deployment uses', () => {
    expect(runtimeStage[0]).toMatch(/^FROM gcr\.io\/distroless\/nodejs20-debian12:nonroot$/);
    expect(runtimeStage).toContain('USER 65532:65532');
    expect(runtimeStage).toContain(`EXPOSE ${SCS_PROVIDER.port}`);
    expect(runtimeStage).toContain('ENTRYPOINT ["/nodejs/bin/node", "/scs/packages/verify-core/bin/scs.js"]');
    expect(sampleProviderObjects().podSecurityContext).toMatchObject({ runAsUser: 65532, runAsGroup: 65532 });
  });

  it('copies every file the CLI loads at run time, and deletes none of them', () => {
    const closure = runtimeClosure('packages/verify-core/bin/scs.js');
    const files = [...closure.files];
    expect(files).toContain('packages/verify-core/src/cli/main.ts');
    expect(files).toContain('packages/verify-core/src/provider/start-provider.ts');
    expect(files).toContain('packages/verify-core/schema/scs-policy.schema.json');
    expect(files.length).toBeGreaterThan(100);
    const notCopied = files.filter((f) => !copied.some((c) => f === c || f.startsWith(`${c}/`)));
    expect(notCopied).toEqual([]);
    expect(files.filter(deletedByBuild)).toEqual([]);
  });

  it('loads npm packages only from the production dependencies of the workspace package importing them', () => {
    const closure = runtimeClosure('packages/verify-core/bin/scs.js');
    const problems: string[] = [];
    for (const [name, importers] of closure.packages) {
      for (const dir of importers) {
        const manifest = JSON.parse(readFileSync(path.join(repoRoot, dir, 'package.json'), 'utf8')) as {
          dependencies?: Record<string, string>;
        };
        if (manifest.dependencies?.[name] === undefined) problems.push(`${dir} loads ${name}`);
      }
    }
    expect(problems).toEqual([]);
    expect([...closure.packages.keys()]).toEqual(expect.arrayContaining(['tsx', 'yaml', 'ajv', 'ioredis']));
  });
});
