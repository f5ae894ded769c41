import { VerifyCoreError } from '../errors.js';
import type { CliCommandContext } from './command.js';
import type { OptionSpec, ParsedCommand } from './parse-args.js';
import { flag, stringOption } from './parse-args.js';
import type { RegistryOptions } from './services.js';

/** Options every command that reaches a registry accepts. */
export const REGISTRY_OPTIONS: Record<string, OptionSpec> = {
  'plain-http': { type: 'boolean' },
  'ca-file': { type: 'string' },
};

export async function registryOptions(
  parsed: ParsedCommand,
  ctx: CliCommandContext,
): Promise<RegistryOptions> {
  const caFile = stringOption(parsed, 'ca-file');
  if (caFile !== undefined && (await ctx.fs.stat(caFile))?.isFile !== true) {
    throw new VerifyCoreError(
      'USAGE',
      `--ca-file ${caFile} is not a readable file; give the PEM of the registry's CA`,
    );
  }
  return { plainHttp: flag(parsed, 'plain-http'), ...(caFile === undefined ? {} : { caFile }) };
}
