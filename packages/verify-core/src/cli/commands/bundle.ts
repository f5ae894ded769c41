import type { BundleEngine, BundleOptions } from '../../bundle/bundle-options.js';
import { BUNDLE_ENGINES, DEFAULT_NAMESPACE, SCS_PROVIDER } from '../../bundle/bundle-options.js';
import { compileBundle } from '../../bundle/compile-bundle.js';
import type { ProviderTls } from '../../bundle/provider-tls.js';
import { checkProviderTls, generateProviderTls } from '../../bundle/provider-tls.js';
import { writeBundle } from '../../bundle/write-bundle.js';
import { VerifyCoreError } from '../../errors.js';
import { loadPolicy } from '../../policy/load-policy.js';
import type { CliCommandContext } from '../command.js';
import { progress } from '../command.js';
import { flag, outputOption, parseCommandArgs, stringOption } from '../parse-args.js';

export const BUNDLE_USAGE = [
  'scs bundle --policy <scs-policy.yaml> --engine ratify|scs --out <dir> [--force]',
  '    [--namespace gatekeeper-system] [--timeout <seconds>] [--azure-client-id <id>]',
  '    scs engine:    --image <registry/scs@sha256:…> [--tls-cert <pem> --tls-key <pem> --ca <pem>] [--replicas <n>] [--no-client-auth] [--no-mutation]',
  '                   [--redis-secret <Secret with url and key> [--redis-port 6379]]',
  '    ratify engine: [--registry-auth azure-workload-identity|anonymous]',
  '    [--output text|json]',
].join('\n');

function usage(message: string): VerifyCoreError {
  return new VerifyCoreError('USAGE', `scs bundle: ${message}. Usage: ${BUNDLE_USAGE}`);
}

function wholeNumber(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw usage(`--${name} ${value} is not a whole number`);
  return Number(value);
}

async function readText(ctx: CliCommandContext, file: string, role: string): Promise<string> {
  try {
    return Buffer.from(await ctx.fs.readFile(file)).toString('utf8');
  } catch (error) {
    throw new VerifyCoreError('USAGE', `${role} ${file} cannot be read; check the path`, { cause: error });
  }
}

/**
 * `scs bundle`: compile the policy into the cluster policy bundle (Gatekeeper template,
 * constraint and provider; Ratify CRs or the scs provider's Deployment; Helm values) and write it
 * all or nothing. Exit 0 written, 2 usage or policy error.
 */
export async function bundleCommand(args: readonly string[], ctx: CliCommandContext): Promise<number> {
  const parsed = parseCommandArgs(
    'bundle',
    args,
    {
      policy: { type: 'string' },
      engine: { type: 'string' },
      out: { type: 'string' },
      force: { type: 'boolean' },
      namespace: { type: 'string' },
      timeout: { type: 'string' },
      'azure-client-id': { type: 'string' },
      image: { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      ca: { type: 'string' },
      replicas: { type: 'string' },
      'no-client-auth': { type: 'boolean' },
      'no-mutation': { type: 'boolean' },
      'redis-secret': { type: 'string' },
      'redis-port': { type: 'string' },
      'registry-auth': { type: 'string' },
      output: { type: 'string', short: 'o' },
    },
    { min: 0, max: 0, usage: BUNDLE_USAGE },
  );
  const output = outputOption(parsed, 'bundle', ['text', 'json'] as const);
  const policyFile = stringOption(parsed, 'policy');
  const engine = stringOption(parsed, 'engine');
  const out = stringOption(parsed, 'out');
  if (policyFile === undefined) throw usage('--policy <file> is required');
  if (engine === undefined) throw usage(`--engine is required (${BUNDLE_ENGINES.join(' or ')})`);
  if (!(BUNDLE_ENGINES as readonly string[]).includes(engine)) {
    throw usage(`--engine ${engine} is not supported; use ${BUNDLE_ENGINES.join(' or ')}`);
  }
  if (out === undefined) throw usage('--out <dir> is required');
  const namespace = stringOption(parsed, 'namespace') ?? DEFAULT_NAMESPACE;
  const tlsFiles = ['tls-cert', 'tls-key', 'ca'].map((name) => [name, stringOption(parsed, name)] as const);
  const scsOnly = [
    'image',
    'replicas',
    'no-client-auth',
    'no-mutation',
    'redis-secret',
    'redis-port',
    ...tlsFiles.map(([name]) => name),
  ].filter((name) => parsed.values[name] !== undefined);
  const registryAuth = stringOption(parsed, 'registry-auth');
  if (engine === 'ratify' && scsOnly.length > 0) {
    throw usage(
      `--${scsOnly.join(', --')} only apply to --engine scs (Ratify's chart makes its own provider certificate)`,
    );
  }
  if (engine === 'scs' && registryAuth !== undefined)
    throw usage('--registry-auth only applies to --engine ratify');
  if (registryAuth !== undefined && !['azure-workload-identity', 'anonymous'].includes(registryAuth)) {
    throw usage(`--registry-auth ${registryAuth} is not supported; use azure-workload-identity or anonymous`);
  }

  const loaded = await loadPolicy(policyFile, { reader: ctx.fs, now: ctx.clock });
  const options: BundleOptions = {
    engine: engine as BundleEngine,
    namespace,
    ...(stringOption(parsed, 'timeout') === undefined
      ? {}
      : { providerTimeoutSeconds: wholeNumber(stringOption(parsed, 'timeout'), 'timeout') ?? 0 }),
    ...(stringOption(parsed, 'azure-client-id') === undefined
      ? {}
      : { azureClientId: stringOption(parsed, 'azure-client-id') ?? '' }),
  };
  if (engine === 'ratify') {
    options.ratify = {
      registryAuth: registryAuth === 'anonymous' ? 'anonymous' : 'azureWorkloadIdentity',
    };
  } else {
    const image = stringOption(parsed, 'image');
    if (image === undefined)
      throw usage('--engine scs needs --image <registry/scs@sha256:…>, the scs image to run');
    const given = tlsFiles.filter(([, file]) => file !== undefined);
    let tls: ProviderTls;
    if (given.length === 0) {
      progress(ctx, `generating a CA and a serving certificate for ${SCS_PROVIDER.name}.${namespace}.svc`);
      tls = await generateProviderTls({ service: SCS_PROVIDER.name, namespace, now: ctx.clock() });
    } else if (given.length === 3) {
      const [certificatePem, privateKeyPem, caCertificatePem] = await Promise.all([
        readText(ctx, tlsFiles[0]?.[1] ?? '', '--tls-cert'),
        readText(ctx, tlsFiles[1]?.[1] ?? '', '--tls-key'),
        readText(ctx, tlsFiles[2]?.[1] ?? '', '--ca'),
      ]);
      tls = { certificatePem, privateKeyPem, caCertificatePem };
      checkProviderTls(tls, { service: SCS_PROVIDER.name, namespace, now: ctx.clock() });
    } else {
      throw usage(
        'pass all of --tls-cert, --tls-key and --ca, or none of them (a CA and certificate are then generated)',
      );
    }
    const replicas = wholeNumber(stringOption(parsed, 'replicas'), 'replicas');
    const redisSecret = stringOption(parsed, 'redis-secret');
    const redisPort = wholeNumber(stringOption(parsed, 'redis-port'), 'redis-port');
    if (redisPort !== undefined && redisSecret === undefined) {
      throw usage('--redis-port needs --redis-secret (the Secret holding the Redis URL and cache key)');
    }
    options.scs = {
      image,
      tls,
      clientAuth: !flag(parsed, 'no-client-auth'),
      mutation: !flag(parsed, 'no-mutation'),
      ...(redisSecret === undefined
        ? {}
        : { redis: { secretName: redisSecret, ...(redisPort === undefined ? {} : { port: redisPort }) } }),
      ...(replicas === undefined ? {} : { replicas }),
    };
  }

  const bundle = compileBundle(loaded, options);
  const written = await writeBundle(ctx.fs, out, bundle, { force: flag(parsed, 'force') });
  if (output === 'json') {
    ctx.out.stdout(
      `${JSON.stringify(
        {
          out: written.dir,
          engine,
          replaced: written.replaced,
          files: written.files,
          privateFiles: [...bundle.privateFiles].sort(),
          notes: bundle.notes,
        },
        null,
        2,
      )}\n`,
    );
  } else {
    ctx.out.stdout(
      `${written.replaced ? 'replaced' : 'wrote'} the ${engine} bundle of policy "${loaded.policy.metadata.name}" in ${out} (${written.files.length} files):\n${written.files
        .map((f) => `  ${f}${bundle.privateFiles.has(f) ? '   (holds a private key, mode 0600)' : ''}`)
        .join('\n')}\n`,
    );
    for (const note of bundle.notes) ctx.out.stderr(`note: ${note}\n`);
    ctx.out.stdout(
      `install it as ${out}/INSTALL.md says (helm with values/, then kubectl apply -k ${out})\n`,
    );
  }
  return 0;
}
