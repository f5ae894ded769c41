import path from 'node:path';
import { formatDemoTable, runDemo } from '../../demo/run-demo.js';
import { renderDecisionJson } from '../../render/render-json.js';
import type { CliCommandContext } from '../command.js';
import { outputOption, parseCommandArgs, stringOption } from '../parse-args.js';

export const DEMO_USAGE =
  'scs demo [--dir <empty dir>] [--image <registry>/scs@sha256:<digest>] [--output text|json]';

/**
 * `scs demo`: the seed's story offline (OCI layout, test certificate, sign, attach, policy,
 * decide). Exit 0 when every case came out as expected, 1 otherwise.
 */
export async function demoCommand(args: readonly string[], ctx: CliCommandContext): Promise<number> {
  const parsed = parseCommandArgs(
    'demo',
    args,
    {
      dir: { type: 'string' },
      image: { type: 'string' },
      output: { type: 'string', short: 'o' },
    },
    { min: 0, max: 0, usage: DEMO_USAGE },
  );
  const output = outputOption(parsed, 'demo', ['text', 'json'] as const);
  const dir = stringOption(parsed, 'dir');
  const started = Date.now();
  const image = stringOption(parsed, 'image');
  const result = await runDemo(ctx, {
    ...(dir === undefined ? {} : { dir: path.resolve(ctx.cwd, dir) }),
    ...(image === undefined ? {} : { image }),
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (output === 'json') {
    ctx.out.stdout(
      `${JSON.stringify(
        {
          dir: result.dir,
          policy: result.policyFile,
          asExpected: result.asExpected,
          cases: result.cases.map((c) => ({
            tag: c.tag,
            story: c.story,
            expected: c.expected,
            decision: JSON.parse(renderDecisionJson(c.decision)) as unknown,
          })),
          bundle: result.bundle,
        },
        null,
        2,
      )}\n`,
    );
  } else {
    ctx.out.stdout(
      [
        `scs demo: the supply chain story, offline, on an OCI image layout (${seconds}s)`,
        '',
        formatDemoTable(result),
        '',
        `Files in ${result.dir}:`,
        `  policy       ${result.policyFile}`,
        `  layout       ${result.layout} (oci:${result.layout}:<tag>)`,
        `  decisions    ${path.join(result.dir, 'decisions')}/<tag>.json`,
        `  signing key  ${path.join(result.dir, 'keys')}/scs-demo.{key,crt} (test only)`,
        `  bundle       ${result.bundle.dir} (${result.bundle.files.length} files: Gatekeeper + the scs provider, install as its INSTALL.md says)`,
        ...result.bundle.privateFiles.map(
          (f) => `               ${f} holds the provider's TLS private key (mode 0600)`,
        ),
        ...(result.bundle.placeholderImage
          ? [
              `               its provider image ${result.bundle.image} is a placeholder: pass --image <registry>/scs@sha256:<digest>`,
            ]
          : []),
        '',
        `Try: pnpm scs verify oci:${result.layout}:signed --policy ${result.policyFile}`,
        `     pnpm scs discover oci:${result.layout}:signed`,
        '',
      ].join('\n'),
    );
    if (!result.asExpected)
      ctx.out.stderr('error: a demo case did not come out as expected (see the table)\n');
  }
  return result.asExpected ? 0 : 1;
}
