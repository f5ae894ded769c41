/**
 * The `scs` command (`pnpm scs …`, or the package's `scs` bin): wires the real process, file
 * system, clock and services, then runs the CLI. Nothing else reads `process`.
 */
import os from 'node:os';
import { nodeFileSystem, processOutput } from './node-io.js';
import { nodeCliServices } from './node-services.js';
import { runCli } from './run-cli.js';

const clock = (): Date => new Date();
process.exitCode = await runCli(process.argv.slice(2), {
  out: processOutput(),
  fs: nodeFileSystem,
  clock,
  cwd: process.cwd(),
  services: nodeCliServices({ clock, env: process.env, homeDir: os.homedir() }),
  verbose: process.argv.includes('--verbose') || process.argv.includes('-v'),
});
