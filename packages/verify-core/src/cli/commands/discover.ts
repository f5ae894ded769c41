import type { Descriptor } from '@scs/oci';
import { VerifyCoreError } from '../../errors.js';
import type { CliCommandContext } from '../command.js';
import { progress } from '../command.js';
import { outputOption, parseCommandArgs, stringOption } from '../parse-args.js';
import { REGISTRY_OPTIONS, registryOptions } from '../registry-options.js';
import type { ReferrerNode } from '../services.js';

export const DISCOVER_USAGE =
  'scs discover <reference> [--artifact-type <type>] [--depth <n>] [--output text|json]';

interface DiscoverJson {
  reference: string;
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  artifactType?: string;
  referrers?: DiscoverJson[];
}

function toJson(
  repository: string,
  descriptor: Descriptor,
  referrers: readonly ReferrerNode[] | undefined,
): DiscoverJson {
  return {
    reference: `${repository}@${descriptor.digest}`,
    mediaType: descriptor.mediaType,
    digest: descriptor.digest,
    size: descriptor.size,
    ...(descriptor.annotations === undefined ? {} : { annotations: descriptor.annotations }),
    ...(descriptor.artifactType === undefined ? {} : { artifactType: descriptor.artifactType }),
    ...(referrers === undefined
      ? {}
      : { referrers: referrers.map((r) => toJson(repository, r.descriptor, r.referrers)) }),
  };
}

/** The tree `oras discover` prints: referrers grouped by artifact type, then their digests. */
export function formatReferrerTree(root: string, nodes: readonly ReferrerNode[]): string {
  const lines = [root];
  const walk = (children: readonly ReferrerNode[], indent: string): void => {
    const groups = new Map<string, ReferrerNode[]>();
    for (const child of children) {
      const type = child.descriptor.artifactType ?? child.descriptor.mediaType;
      groups.set(type, [...(groups.get(type) ?? []), child]);
    }
    const types = [...groups.keys()];
    types.forEach((type, i) => {
      const lastType = i === types.length - 1;
      lines.push(`${indent}${lastType ? '└── ' : '├── '}${type}`);
      const inner = `${indent}${lastType ? '    ' : '│   '}`;
      const members = groups.get(type) ?? [];
      members.forEach((member, j) => {
        const last = j === members.length - 1;
        lines.push(`${inner}${last ? '└── ' : '├── '}${member.descriptor.digest}`);
        walk(member.referrers, `${inner}${last ? '    ' : '│   '}`);
      });
    });
  };
  walk(nodes, '');
  return `${lines.join('\n')}\n`;
}

/** `scs discover <ref>`: the referrer tree of an image (signatures, SBOMs, reports and their own referrers). */
export async function discoverCommand(args: readonly string[], ctx: CliCommandContext): Promise<number> {
  const parsed = parseCommandArgs(
    'discover',
    args,
    {
      'artifact-type': { type: 'string' },
      depth: { type: 'string' },
      output: { type: 'string', short: 'o' },
      ...REGISTRY_OPTIONS,
    },
    { min: 1, max: 1, usage: DISCOVER_USAGE },
  );
  const output = outputOption(parsed, 'discover', ['text', 'json'] as const);
  const depthText = stringOption(parsed, 'depth') ?? '8';
  const depth = Number(depthText);
  if (!Number.isSafeInteger(depth) || depth < 1 || depth > 32) {
    throw new VerifyCoreError('USAGE', `scs discover: --depth ${depthText} is not a number from 1 to 32`);
  }
  const registry = await registryOptions(parsed, ctx);
  const reference = parsed.positionals[0] ?? '';
  const target = await ctx.services.openTarget(reference, registry);
  progress(ctx, `resolving ${reference}`);
  const subject = await target.store.resolve(target.digest ?? target.tag ?? 'latest');
  progress(ctx, `listing referrers of ${subject.digest}`);
  const artifactType = stringOption(parsed, 'artifact-type');
  const tree = await ctx.services.discover(target, subject, {
    depth,
    ...(artifactType === undefined ? {} : { artifactType }),
  });
  if (output === 'json') {
    ctx.out.stdout(`${JSON.stringify(toJson(target.repository, subject, tree), null, 2)}\n`);
  } else {
    ctx.out.stdout(formatReferrerTree(`${target.repository}@${subject.digest}`, tree));
  }
  return 0;
}
