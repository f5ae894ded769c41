import { spawn } from 'node:child_process';

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** True when the program was killed for running longer than `timeoutMs`. */
  timedOut?: boolean;
}

/** Run a program with some standard input. Injected so tests need no real helper binaries. */
export interface Exec {
  run(
    command: string,
    args: readonly string[],
    input: string,
    options: { timeoutMs: number },
  ): Promise<ExecResult>;
}

export interface NodeExecOptions {
  /** The environment of the programs run (default: this process's). Its PATH finds them. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Output kept per stream: a credential helper answers a few hundred bytes. */
const MAX_OUTPUT_BYTES = 1024 * 1024;

/**
 * The `node:child_process` implementation: the program is looked up on the PATH of `env`, killed
 * (SIGKILL) after `timeoutMs`, its output capped. Rejects with the spawn error (e.g. ENOENT).
 */
export function createNodeExec(options: NodeExecOptions = {}): Exec {
  return {
    run: (command, args, input, { timeoutMs }) =>
      new Promise<ExecResult>((resolve, reject) => {
        // Its own process group, so a timeout stops what it started too (a shell's `sleep`).
        const child = spawn(command, [...args], {
          stdio: ['pipe', 'pipe', 'pipe'],
          detached: true,
          ...(options.env !== undefined ? { env: { ...options.env } } : {}),
        });
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        const collect = (into: Buffer[]) => (chunk: Buffer) => {
          if (into.reduce((n, b) => n + b.byteLength, 0) < MAX_OUTPUT_BYTES) into.push(chunk);
        };
        let timedOut = false;
        const timer = setTimeout(() => {
          timedOut = true;
          try {
            if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
          } catch {
            child.kill('SIGKILL');
          }
        }, timeoutMs);
        child.stdout.on('data', collect(stdout));
        child.stderr.on('data', collect(stderr));
        child.on('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
        child.on('close', (code, signal) => {
          clearTimeout(timer);
          resolve({
            exitCode: code ?? (signal !== null ? 128 : 1),
            stdout: Buffer.concat(stdout).toString('utf8'),
            stderr: Buffer.concat(stderr).toString('utf8'),
            ...(timedOut ? { timedOut } : {}),
          });
        });
        child.stdin.on('error', () => undefined);
        child.stdin.end(input);
      }),
  };
}

/** `createNodeExec()`: programs run with this process's environment. */
export const nodeExec: Exec = createNodeExec();
