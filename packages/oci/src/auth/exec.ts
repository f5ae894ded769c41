import { spawn } from 'node:child_process';

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
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

/** `node:child_process` implementation. Rejects with the spawn error (e.g. ENOENT). */
export const nodeExec: Exec = {
  run: (command, args, input, { timeoutMs }) =>
    new Promise<ExecResult>((resolve, reject) => {
      const child = spawn(command, [...args], { stdio: ['pipe', 'pipe', 'pipe'], timeout: timeoutMs });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      child.on('error', reject);
      child.on('close', (code, signal) => {
        resolve({
          exitCode: code ?? (signal !== null ? 128 : 1),
          stdout: Buffer.concat(stdout).toString('utf8'),
          stderr: Buffer.concat(stderr).toString('utf8'),
        });
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(input);
    }),
};
