/** Test support: the CLI's context over the real file system with output captured in memory. */
import type { CliCommandContext } from '../cli/command.js';
import { memoryOutput, nodeFileSystem } from '../cli/node-io.js';
import type { CliServices } from '../cli/services.js';
import { NOW } from './notation-layouts.js';

export type TestCliContext = CliCommandContext & { out: ReturnType<typeof memoryOutput> };

/** Services a command must not reach: any call fails the test, naming the service. */
export function unusedServices(command: string): CliServices {
  return new Proxy({} as CliServices, {
    get: (_target, name) => () => {
      throw new Error(`service ${String(name)} is not used by ${command}`);
    },
  });
}

/** A context at `NOW` in the current directory, not verbose; override any part. */
export function cliContext(
  overrides: Partial<CliCommandContext> & { services: CliServices },
): TestCliContext {
  return {
    fs: nodeFileSystem,
    clock: () => NOW,
    cwd: process.cwd(),
    verbose: false,
    ...overrides,
    out: memoryOutput(),
  };
}
