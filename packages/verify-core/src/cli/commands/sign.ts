import { VerifyCoreError } from '../../errors.js';
import type { CliCommandContext } from '../command.js';
import { progress } from '../command.js';
import { outputOption, parseCommandArgs, stringOption, stringsOption } from '../parse-args.js';
import { REGISTRY_OPTIONS, registryOptions } from '../registry-options.js';
import { parseAnnotations } from './attach.js';

export const SIGN_USAGE =
  'scs sign <reference> --key <key.pem> --cert <cert.pem> [--signature-format jws|cose] [--expiry <days>d] [--user-metadata k=v]...\n' +
  '       scs sign <reference> --azure-key-id https://<vault>.vault.azure.net/keys/<name>/<version> [--azure-ca-certs <bundle.pem>]';

/** `scs sign`: a Notary Project signature of the image, pushed as a referrer. */
export async function signCommand(args: readonly string[], ctx: CliCommandContext): Promise<number> {
  const parsed = parseCommandArgs(
    'sign',
    args,
    {
      key: { type: 'string', short: 'k' },
      cert: { type: 'string', short: 'c' },
      'azure-key-id': { type: 'string' },
      'azure-ca-certs': { type: 'string' },
      'signature-format': { type: 'string' },
      expiry: { type: 'string', short: 'e' },
      'user-metadata': { type: 'string', multiple: true, short: 'm' },
      output: { type: 'string', short: 'o' },
      ...REGISTRY_OPTIONS,
    },
    { min: 1, max: 1, usage: SIGN_USAGE },
  );
  const output = outputOption(parsed, 'sign', ['text', 'json'] as const);
  const format = stringOption(parsed, 'signature-format') ?? 'jws';
  if (format !== 'jws' && format !== 'cose') {
    throw new VerifyCoreError(
      'USAGE',
      `scs sign: --signature-format ${format} is not supported; use jws or cose`,
    );
  }
  const keyFile = stringOption(parsed, 'key');
  const certFile = stringOption(parsed, 'cert');
  const azureKeyId = stringOption(parsed, 'azure-key-id');
  if (azureKeyId !== undefined && (keyFile !== undefined || certFile !== undefined)) {
    throw new VerifyCoreError(
      'USAGE',
      `scs sign takes --key with --cert, or --azure-key-id, not both. Usage: ${SIGN_USAGE}`,
    );
  }
  if (azureKeyId === undefined && (keyFile === undefined || certFile === undefined)) {
    throw new VerifyCoreError(
      'USAGE',
      `scs sign needs --key and --cert (PEM files), or --azure-key-id. Usage: ${SIGN_USAGE}`,
    );
  }
  let expiresInSeconds: number | undefined;
  const expiry = stringOption(parsed, 'expiry');
  if (expiry !== undefined) {
    const match = /^(\d+)([hd])$/.exec(expiry);
    if (match === null || Number(match[1]) === 0) {
      throw new VerifyCoreError('USAGE', `scs sign: --expiry ${expiry} is not a duration such as 24h or 90d`);
    }
    expiresInSeconds = Number(match[1]) * (match[2] === 'h' ? 3600 : 86400);
  }
  const read = async (file: string, what: string): Promise<string> => {
    try {
      return Buffer.from(await ctx.fs.readFile(file)).toString('utf8');
    } catch (error) {
      throw new VerifyCoreError('USAGE', `cannot read the ${what} file ${file}; check the path`, {
        cause: error,
      });
    }
  };
  const key =
    keyFile !== undefined && certFile !== undefined
      ? { keyPem: await read(keyFile, 'key'), certificatePem: await read(certFile, 'certificate') }
      : undefined;
  const caBundleFile = stringOption(parsed, 'azure-ca-certs');
  if (caBundleFile !== undefined && azureKeyId === undefined) {
    throw new VerifyCoreError('USAGE', 'scs sign: --azure-ca-certs goes with --azure-key-id');
  }
  const azureCaCertificates = caBundleFile === undefined ? undefined : await read(caBundleFile, 'CA bundle');
  const registry = await registryOptions(parsed, ctx);
  const reference = parsed.positionals[0] ?? '';
  const target = await ctx.services.openTarget(reference, registry);
  progress(ctx, `resolving ${reference}`);
  const subject = await target.store.resolve(target.digest ?? target.tag ?? 'latest');
  if (target.digest === undefined) {
    ctx.out.stderr(
      `warning: ${reference} is a tag; the signature is bound to its digest ${subject.digest}\n`,
    );
  }
  progress(ctx, `signing ${subject.digest} (${format})`);
  const signed = await ctx.services.sign(target, subject, {
    ...(key === undefined ? {} : { key }),
    ...(azureKeyId === undefined ? {} : { azureKeyId }),
    ...(azureCaCertificates === undefined ? {} : { azureCaCertificates }),
    format,
    ...(expiresInSeconds === undefined ? {} : { expiresInSeconds }),
    userMetadata: parseAnnotations(stringsOption(parsed, 'user-metadata')),
  });
  if (output === 'json') {
    ctx.out.stdout(
      `${JSON.stringify({ reference: `${target.repository}@${subject.digest}`, signature: signed.signature, signer: signed.signer, format }, null, 2)}\n`,
    );
  } else {
    ctx.out.stdout(
      `Successfully signed ${target.repository}@${subject.digest}\nSignature: ${signed.signature.digest} (${format}, by ${signed.signer})\n`,
    );
  }
  return 0;
}
