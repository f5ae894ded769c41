import type { CliCommandContext } from '../command.js';
import { progress } from '../command.js';
import { flag, outputOption, parseCommandArgs } from '../parse-args.js';
import { REGISTRY_OPTIONS, registryOptions } from '../registry-options.js';

export const COPY_USAGE = 'scs copy <source> <destination> [--referrers] [--output text|json]';

/** `scs copy`: an image (and with --referrers its whole referrer graph) between registries and layouts. */
export async function copyCommand(args: readonly string[], ctx: CliCommandContext): Promise<number> {
  const parsed = parseCommandArgs(
    'copy',
    args,
    {
      referrers: { type: 'boolean', short: 'r' },
      output: { type: 'string', short: 'o' },
      ...REGISTRY_OPTIONS,
    },
    { min: 2, max: 2, usage: COPY_USAGE },
  );
  const output = outputOption(parsed, 'copy', ['text', 'json'] as const);
  const [source = '', destination = ''] = parsed.positionals;
  const registry = await registryOptions(parsed, ctx);
  progress(
    ctx,
    `copying ${source} to ${destination}${flag(parsed, 'referrers') ? ' with its referrers' : ''}`,
  );
  const result = await ctx.services.copy(source, destination, {
    referrers: flag(parsed, 'referrers'),
    registry,
  });
  if (output === 'json') {
    ctx.out.stdout(
      `${JSON.stringify({ source, destination, digest: result.root.digest, mediaType: result.root.mediaType, copied: result.copied, skipped: result.skipped }, null, 2)}\n`,
    );
  } else {
    ctx.out.stdout(
      `Copied ${source} => ${destination}\nDigest: ${result.root.digest} (${result.copied} copied, ${result.skipped} already present)\n`,
    );
  }
  return 0;
}
