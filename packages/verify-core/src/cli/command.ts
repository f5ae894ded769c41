import type { CliFileSystem, CliOutput } from './cli-io.js';
import type { CliServices } from './services.js';

/** What every command receives. */
export interface CliCommandContext {
  out: CliOutput;
  fs: CliFileSystem;
  clock: () => Date;
  cwd: string;
  services: CliServices;
  /** Show progress lines on stderr. */
  verbose: boolean;
}

export type CliCommand = (args: readonly string[], ctx: CliCommandContext) => Promise<number>;

/** A progress line on stderr, when it helps a person (a terminal, or --verbose). */
export function progress(ctx: CliCommandContext, message: string): void {
  if (ctx.verbose || ctx.out.interactive) ctx.out.stderr(`… ${message}\n`);
}
