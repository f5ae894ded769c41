import path from 'node:path';
import { VerifyCoreError } from '../../errors.js';
import type { CliCommandContext } from '../command.js';
import { outputOption, parseCommandArgs, stringOption } from '../parse-args.js';
import { writeTree } from '../write-tree.js';

export const CERT_USAGE = 'scs cert generate-test <name> [--out <dir>] [--days <n>] [--output text|json]';

/**
 * `scs cert generate-test <name>`: an RSA key and a self-signed code-signing certificate
 * (`CN=<name>,O=Notary,L=Seattle,ST=WA,C=US`), for tests and the demo, written to `--out`
 * (default `./<name>`) as `<name>.key` (mode 0600) and `<name>.crt`. Never for production.
 */
export async function certGenerateTest(args: readonly string[], ctx: CliCommandContext): Promise<number> {
  const parsed = parseCommandArgs(
    'cert generate-test',
    args,
    { out: { type: 'string' }, days: { type: 'string' }, output: { type: 'string', short: 'o' } },
    { min: 1, max: 1, usage: CERT_USAGE },
  );
  const output = outputOption(parsed, 'cert generate-test', ['text', 'json'] as const);
  const name = parsed.positionals[0] ?? '';
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name)) {
    throw new VerifyCoreError(
      'USAGE',
      `scs cert generate-test: "${name}" is not a usable name (letters, digits, "_", "." and "-")`,
    );
  }
  const daysText = stringOption(parsed, 'days') ?? '365';
  const days = Number(daysText);
  if (!Number.isSafeInteger(days) || days < 1 || days > 3650) {
    throw new VerifyCoreError(
      'USAGE',
      `scs cert generate-test: --days ${daysText} is not a number from 1 to 3650`,
    );
  }
  const out = stringOption(parsed, 'out') ?? path.join(ctx.cwd, name);
  const generated = await ctx.services.generateTestCertificate(name, { days });
  const encoder = new TextEncoder();
  await writeTree(ctx.fs, out, [
    { path: `${name}.crt`, content: encoder.encode(generated.certificatePem) },
    { path: `${name}.key`, content: encoder.encode(generated.keyPem), mode: 0o600 },
  ]);
  const files = { key: path.join(out, `${name}.key`), certificate: path.join(out, `${name}.crt`) };
  if (output === 'json')
    ctx.out.stdout(`${JSON.stringify({ subject: generated.subject, ...files }, null, 2)}\n`);
  else
    ctx.out.stdout(
      `Generated a test key and certificate for ${generated.subject}\n  key:         ${files.key}\n  certificate: ${files.certificate}\n`,
    );
  return 0;
}
