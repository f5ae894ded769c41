import { VerifyCoreError } from '../../errors.js';
import { buildNotationExport } from '../../export/notation-export.js';
import { loadPolicy } from '../../policy/load-policy.js';
import type { CliCommandContext } from '../command.js';
import { progress } from '../command.js';
import { outputOption, parseCommandArgs, stringOption } from '../parse-args.js';
import { writeTree } from '../write-tree.js';

export const TRUSTPOLICY_CHECK_USAGE = 'scs trustpolicy check <trustpolicy.json> [--output text|json]';
export const TRUSTPOLICY_EXPORT_USAGE =
  'scs trustpolicy export <scs-policy.yaml> --out <dir> [--output text|json]';

/** `scs trustpolicy check <file>`: notation's validation and messages. Exit 0 valid, 2 invalid. */
export async function trustPolicyCheck(args: readonly string[], ctx: CliCommandContext): Promise<number> {
  const parsed = parseCommandArgs(
    'trustpolicy check',
    args,
    { output: { type: 'string', short: 'o' } },
    { min: 1, max: 1, usage: TRUSTPOLICY_CHECK_USAGE },
  );
  const output = outputOption(parsed, 'trustpolicy check', ['text', 'json'] as const);
  const file = parsed.positionals[0] ?? '';
  let content: Uint8Array;
  try {
    content = await ctx.fs.readFile(file);
  } catch (error) {
    throw new VerifyCoreError('USAGE', `the trust policy file ${file} cannot be read; check the path`, {
      cause: error,
    });
  }
  try {
    const statements = ctx.services.checkNotationTrustPolicy(content);
    if (output === 'json') ctx.out.stdout(`${JSON.stringify({ valid: true, file, statements }, null, 2)}\n`);
    else ctx.out.stdout(`${file}: valid trust policy (statements: ${statements.join(', ')})\n`);
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (output === 'json')
      ctx.out.stdout(`${JSON.stringify({ valid: false, file, error: message }, null, 2)}\n`);
    else ctx.out.stderr(`error: ${file}: ${message}\n`);
    return 2;
  }
}

/**
 * `scs trustpolicy export <policy> --out <dir>`: the notation `trustpolicy.json` and trust store
 * layout with the same signature rules as the policy, written all or nothing.
 */
export async function trustPolicyExport(args: readonly string[], ctx: CliCommandContext): Promise<number> {
  const parsed = parseCommandArgs(
    'trustpolicy export',
    args,
    { out: { type: 'string' }, output: { type: 'string', short: 'o' } },
    { min: 1, max: 1, usage: TRUSTPOLICY_EXPORT_USAGE },
  );
  const output = outputOption(parsed, 'trustpolicy export', ['text', 'json'] as const);
  const out = stringOption(parsed, 'out');
  if (out === undefined)
    throw new VerifyCoreError(
      'USAGE',
      `scs trustpolicy export needs --out <dir>. Usage: ${TRUSTPOLICY_EXPORT_USAGE}`,
    );
  const loaded = await loadPolicy(parsed.positionals[0] ?? '', { reader: ctx.fs, now: ctx.clock });
  const exported = await buildNotationExport(loaded, {
    azureKeyVault: (store) => {
      progress(
        ctx,
        `reading the certificate of trust store ${store.type}:${store.name} from Azure Key Vault`,
      );
      return ctx.services.azureKeyVaultCertificates(store);
    },
  });
  await writeTree(ctx.fs, out, exported.files);
  if (output === 'json') {
    ctx.out.stdout(
      `${JSON.stringify({ out, files: exported.files.map((f) => f.path), trustPolicy: exported.trustPolicy }, null, 2)}\n`,
    );
  } else {
    ctx.out.stdout(
      `wrote ${exported.files.length} files to ${out}:\n${exported.files.map((f) => `  ${f.path}`).join('\n')}\n`,
    );
    ctx.out.stdout(
      `use them with notation (copy them into its configuration directory, ~/.config/notation on Linux), or with scs verify <image> --trust-policy ${out}/trustpolicy.json --trust-store ${out}/truststore\n`,
    );
  }
  return 0;
}
