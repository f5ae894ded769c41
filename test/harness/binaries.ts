import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** The Debian package that ships each binary the tests run for real. */
const PACKAGES: Record<string, string> = {
  'docker-registry': 'docker-registry',
  skopeo: 'skopeo',
  umoci: 'umoci',
  'redis-server': 'redis-server',
  openssl: 'openssl',
  htpasswd: 'apache2-utils',
  kubectl: 'kubectl',
};

/**
 * The absolute path of a binary the tests need. A missing binary is a failure with the exact
 * install command, never a skip.
 */
export function requireBinary(name: string): string {
  for (const dir of (process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  const pkg = PACKAGES[name] ?? name;
  throw new Error(`the test binary "${name}" is not installed: run \`apt-get install -y ${pkg}\` (as root)`);
}

/** Runs a binary to completion; a non-zero exit throws with its stderr. */
export async function run(
  name: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<string> {
  const file = requireBinary(name);
  const outcome = await execFileAsync(file, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    maxBuffer: 64 * 1024 * 1024,
    encoding: 'utf8',
  }).then(
    ({ stdout }) => ({ stdout }),
    (error: unknown) => ({ stderr: (error as { stderr?: string }).stderr?.trim() ?? '' }),
  );
  if ('stdout' in outcome) return outcome.stdout;
  // The error of execFile is not kept: it repeats the command line, which may hold a password.
  throw new Error(`${name} ${redactArgs(args).join(' ')} failed: ${outcome.stderr || 'no output'}`);
}

/** The arguments with the password of any `--…creds=user:password` masked, for messages. */
export function redactArgs(args: readonly string[]): string[] {
  return args.map((arg) => arg.replace(/^(--[a-z-]*creds=[^:]*:).*$/, '$1***'));
}
