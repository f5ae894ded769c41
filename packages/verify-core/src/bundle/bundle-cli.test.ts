import { copyFile, mkdir, mkdtemp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from '../cli/run-cli.js';
import { type TestCliContext, cliContext, unusedServices } from '../test-support/cli-context.js';
import { E2E_CERT } from '../test-support/notation-layouts.js';
import { SCS_IMAGE, productionPolicy, testTls } from './test-support/bundle-fixtures.js';

function context(): TestCliContext {
  return cliContext({ services: unusedServices('scs bundle') });
}

/** `scs bundle --engine scs` of `policy` into `out`, with the scs image. */
function scsEngine(policy: string, out: string): string[] {
  return ['bundle', '--policy', policy, '--engine', 'scs', '--image', SCS_IMAGE, '--out', out];
}

async function policyDir(): Promise<{ dir: string; policy: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'scs-bundle-cli-'));
  await mkdir(path.join(dir, 'keys'));
  await copyFile(E2E_CERT, path.join(dir, 'keys', 'e2e.crt'));
  await writeFile(path.join(dir, 'scs-policy.yaml'), productionPolicy());
  return { dir, policy: path.join(dir, 'scs-policy.yaml') };
}

describe('scs bundle', () => {
  it('writes the scs bundle, generating the provider TLS, and prints what it wrote', async () => {
    const { dir, policy } = await policyDir();
    const ctx = context();
    const out = path.join(dir, 'bundle');
    const code = await runCli(scsEngine(policy, out), ctx);
    expect(ctx.out.err).toMatch(/^note: Pod images are pinned to the digest their tag names at admission/m);
    expect(ctx.out.err).toMatch(/^note: secret-scs-provider-tls.yaml holds the provider's TLS private key/m);
    expect(code).toBe(0);
    expect(ctx.out.out).toMatch(/^wrote the scs bundle of policy "production" in .*bundle \(17 files\):/);
    expect(ctx.out.out).toContain('  secret-scs-provider-tls.yaml   (holds a private key, mode 0600)');
    expect((await readdir(out)).sort()).toContain('kustomization.yaml');
    expect((await stat(path.join(out, 'secret-scs-provider-tls.yaml'))).mode & 0o777).toBe(0o600);
  });

  it('leaves pod specs as written with --no-mutation: no mutation Provider, no Assign', async () => {
    const { dir, policy } = await policyDir();
    const ctx = context();
    const out = path.join(dir, 'bundle');
    expect(await runCli([...scsEngine(policy, out), '--no-mutation'], ctx)).toBe(0);
    expect(ctx.out.out).toMatch(/\(13 files\):/);
    const files = await readdir(out);
    expect(files.filter((f) => f.startsWith('assign-') || f.includes('mutation'))).toEqual([]);
    expect(ctx.out.err).not.toContain('pinned');
  });

  it('uses TLS files when given, checked against the service name', async () => {
    const { dir, policy } = await policyDir();
    const tls = await testTls();
    await writeFile(path.join(dir, 'tls.crt'), tls.certificatePem);
    await writeFile(path.join(dir, 'tls.key'), tls.privateKeyPem);
    await writeFile(path.join(dir, 'ca.crt'), tls.caCertificatePem);
    const files = [
      '--tls-cert',
      path.join(dir, 'tls.crt'),
      '--tls-key',
      path.join(dir, 'tls.key'),
      '--ca',
      path.join(dir, 'ca.crt'),
    ];
    const ctx = context();
    const out = path.join(dir, 'bundle');
    expect(await runCli([...scsEngine(policy, out), ...files, '-o', 'json'], ctx)).toBe(0);
    const provider = parse(await readFile(path.join(out, 'provider-scs-provider.yaml'), 'utf8')) as {
      spec: { caBundle: string };
    };
    expect(Buffer.from(provider.spec.caBundle, 'base64').toString()).toBe(tls.caCertificatePem);
    expect(JSON.parse(ctx.out.out)).toMatchObject({
      engine: 'scs',
      privateFiles: ['secret-scs-provider-tls.yaml'],
    });

    const wrongNamespace = context();
    const code = await runCli(
      [...scsEngine(policy, path.join(dir, 'b2')), '--namespace', 'other', ...files],
      wrongNamespace,
    );
    expect(code).toBe(2);
    expect(wrongNamespace.out.err).toMatch(/--tls-cert does not name scs-provider.other.svc/);
    expect(wrongNamespace.out.err).not.toContain(tls.privateKeyPem.split('\n')[1] ?? '#');
    await expect(stat(path.join(dir, 'b2'))).rejects.toThrow();
  });

  it('writes the ratify bundle with both Helm values files', async () => {
    const { dir, policy } = await policyDir();
    const ctx = context();
    const out = path.join(dir, 'bundle');
    expect(
      await runCli(
        ['bundle', '--policy', policy, '--engine', 'ratify', '--azure-client-id', 'client-1', '--out', out],
        ctx,
      ),
    ).toBe(0);
    expect(await readdir(path.join(out, 'values'))).toEqual(['gatekeeper.yaml', 'ratify.yaml']);
  });

  it('refuses to overwrite a bundle without --force, and replaces it with --force', async () => {
    const { dir, policy } = await policyDir();
    const out = path.join(dir, 'bundle');
    const args = ['bundle', '--policy', policy, '--engine', 'ratify', '--azure-client-id', 'c', '--out', out];
    expect(await runCli(args, context())).toBe(0);
    const again = context();
    expect(await runCli(args, again)).toBe(2);
    expect(again.out.err).toMatch(/is not empty; pass --force to replace it/);
    const forced = context();
    expect(await runCli([...args, '--force'], forced)).toBe(0);
    expect(forced.out.out).toMatch(/^replaced the ratify bundle/);
  });

  it.each([
    [['--engine', 'scs', '--out', 'x'], /--policy <file> is required/],
    [['--policy', 'p', '--out', 'x'], /--engine is required/],
    [['--policy', 'p', '--engine', 'kyverno', '--out', 'x'], /--engine kyverno is not supported/],
    [['--policy', 'p', '--engine', 'scs'], /--out <dir> is required/],
    [
      ['--policy', 'p', '--engine', 'ratify', '--out', 'x', '--image', SCS_IMAGE],
      /--image only apply to --engine scs/,
    ],
    [
      ['--policy', 'p', '--engine', 'ratify', '--out', 'x', '--no-mutation'],
      /--no-mutation only apply to --engine scs/,
    ],
    [
      ['--policy', 'p', '--engine', 'ratify', '--out', 'x', '--redis-secret', 'scs-redis'],
      /--redis-secret only apply to --engine scs/,
    ],
    [
      ['--policy', 'p', '--engine', 'scs', '--image', SCS_IMAGE, '--out', 'x', '--redis-port', '6380'],
      /--redis-port needs --redis-secret/,
    ],
    [
      ['--policy', 'p', '--engine', 'scs', '--out', 'x', '--registry-auth', 'anonymous'],
      /--registry-auth only applies to --engine ratify/,
    ],
    [
      ['--policy', 'p', '--engine', 'ratify', '--out', 'x', '--timeout', '5s'],
      /--timeout 5s is not a whole number/,
    ],
  ])('refuses bad arguments with a usage error (%#)', async (args, message) => {
    const { dir } = await policyDir();
    const ctx = context();
    const withPolicy = args.map((a) =>
      a === 'p' ? path.join(dir, 'scs-policy.yaml') : a === 'x' ? path.join(dir, 'out') : a,
    );
    expect(await runCli(['bundle', ...withPolicy], ctx)).toBe(2);
    expect(ctx.out.err).toMatch(message);
    await expect(stat(path.join(dir, 'out'))).rejects.toThrow();
  });

  it('refuses --engine scs without --image or with only some TLS files', async () => {
    const { dir, policy } = await policyDir();
    const noImage = context();
    expect(
      await runCli(['bundle', '--policy', policy, '--engine', 'scs', '--out', path.join(dir, 'o')], noImage),
    ).toBe(2);
    expect(noImage.out.err).toMatch(/--engine scs needs --image/);
    const partial = context();
    expect(await runCli([...scsEngine(policy, path.join(dir, 'o')), '--ca', policy], partial)).toBe(2);
    expect(partial.out.err).toMatch(/pass all of --tls-cert, --tls-key and --ca, or none/);
  });
});
