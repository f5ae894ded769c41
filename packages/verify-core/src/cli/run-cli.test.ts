import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type TestCliContext, cliContext, unusedServices } from '../test-support/cli-context.js';
import { writeE2ePolicy } from '../test-support/e2e-policy.js';
import { E2E_CERT } from '../test-support/notation-layouts.js';
import { runCli } from './run-cli.js';

function context(): TestCliContext {
  return cliContext({ services: unusedServices('this command') });
}

async function policyDir(identities?: readonly string[]): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'scs-cli-'));
  await writeE2ePolicy(dir, identities === undefined ? {} : { identities });
  return dir;
}

describe('scs with no or unknown commands', () => {
  it('prints help on stderr and exits 2 without arguments', async () => {
    const ctx = context();
    expect(await runCli([], ctx)).toBe(2);
    expect(ctx.out.err).toContain('Usage: scs <command>');
  });

  it('names an unknown command', async () => {
    const ctx = context();
    expect(await runCli(['verfy'], ctx)).toBe(2);
    expect(ctx.out.err).toBe(`error: unknown command "verfy". Run 'scs --help' for the list of commands.\n`);
  });

  it('asks for the subcommand of a group', async () => {
    const ctx = context();
    expect(await runCli(['policy'], ctx)).toBe(2);
    expect(ctx.out.err).toContain('scs policy needs a subcommand: policy check');
  });

  it('prints the version', async () => {
    const ctx = context();
    expect(await runCli(['--version'], ctx)).toBe(0);
    expect(ctx.out.out).toMatch(/^scs \d+\.\d+\.\d+\n$/);
  });
});

describe('--verbose', () => {
  it('is accepted by every command, not only those that reach a registry', async () => {
    const dir = await policyDir();
    const ctx = context();
    expect(ctx.verbose).toBe(false);
    expect(await runCli(['policy', 'check', path.join(dir, 'scs-policy.yaml'), '--verbose'], ctx)).toBe(0);
    expect(ctx.verbose).toBe(true);
    const short = context();
    expect(await runCli(['trustpolicy', 'check', path.join(dir, 'nothing.json'), '-v'], short)).toBe(2);
    expect(short.out.err).toContain('cannot be read');
    expect(short.out.err).not.toContain('Unknown option');
  });
});

describe('scs policy check', () => {
  it('accepts a valid policy and exits 0', async () => {
    const dir = await policyDir();
    const ctx = context();
    expect(await runCli(['policy', 'check', path.join(dir, 'scs-policy.yaml')], ctx)).toBe(0);
    expect(ctx.out.out).toContain('valid policy "e2e", scope e2e (*)');
    expect(ctx.out.err).toBe('');
  });

  it('warns about trustedIdentities: ["*"]', async () => {
    const dir = await policyDir(['*']);
    const ctx = context();
    expect(await runCli(['policy', 'check', path.join(dir, 'scs-policy.yaml')], ctx)).toBe(0);
    expect(ctx.out.err).toContain(
      ':11: spec.scopes[0].signature.trustedIdentities[0]: scope "e2e" trusts any signing certificate that chains to its trust stores',
    );
  });

  it('lists every problem with file, line and fix, and exits 2', async () => {
    const dir = await policyDir([]);
    const file = path.join(dir, 'scs-policy.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('e2e.crt]', 'missing.crt]'));
    const ctx = context();
    expect(await runCli(['policy', 'check', file], ctx)).toBe(2);
    expect(ctx.out.err).toContain(`error: ${file}:11:`);
    expect(ctx.out.err).toContain('has no trusted identities');
    expect(ctx.out.err).toContain('Fix: list the signing certificate subjects');
  });

  it('reports in JSON with --output json', async () => {
    const dir = await policyDir(['*']);
    const ctx = context();
    expect(
      await runCli(['policy', 'check', path.join(dir, 'scs-policy.yaml'), '--output', 'json'], ctx),
    ).toBe(0);
    const report = JSON.parse(ctx.out.out) as {
      valid: boolean;
      warnings: { path: string }[];
      digest: string;
    };
    expect(report.valid).toBe(true);
    expect(report.warnings.map((w) => w.path)).toEqual(['spec.scopes[0].signature.trustedIdentities[0]']);
    expect(report.digest).toMatch(/^sha256:/);
  });

  it('rejects an unknown option as a usage error', async () => {
    const ctx = context();
    expect(await runCli(['policy', 'check', 'x.yaml', '--strict'], ctx)).toBe(2);
    expect(ctx.out.err).toContain("scs policy check: Unknown option '--strict'");
  });
});

describe('scs verify arguments', () => {
  it('needs a policy', async () => {
    const ctx = context();
    expect(await runCli(['verify', 'oci:./layout'], ctx)).toBe(2);
    expect(ctx.out.err).toContain('scs verify needs a policy');
  });

  it('refuses --policy with --trust-policy', async () => {
    const ctx = context();
    expect(
      await runCli(['verify', 'r.example.com/a:1', '--policy', 'p.yaml', '--trust-policy', 't.json'], ctx),
    ).toBe(2);
    expect(ctx.out.err).toContain('not both');
  });

  it('refuses an output format it does not know', async () => {
    const ctx = context();
    expect(await runCli(['verify', 'r.example.com/a:1', '--policy', 'p.yaml', '--output', 'xml'], ctx)).toBe(
      2,
    );
    expect(ctx.out.err).toContain('use one of text, json, markdown, sarif, ratify');
  });
});

describe('scs trustpolicy export', () => {
  it('writes trustpolicy.json and the x509 trust store layout', async () => {
    const dir = await policyDir();
    const out = path.join(dir, 'notation');
    const ctx = context();
    expect(
      await runCli(['trustpolicy', 'export', path.join(dir, 'scs-policy.yaml'), '--out', out], ctx),
    ).toBe(0);
    const trustPolicy = JSON.parse(await readFile(path.join(out, 'trustpolicy.json'), 'utf8')) as unknown;
    expect(trustPolicy).toEqual({
      version: '1.0',
      trustPolicies: [
        {
          name: 'e2e',
          registryScopes: ['*'],
          signatureVerification: { level: 'strict' },
          trustStores: ['ca:e2e'],
          trustedIdentities: ['x509.subject: CN=e2e,O=Notary,L=Seattle,ST=WA,C=US'],
        },
      ],
    });
    const files = await readdir(path.join(out, 'truststore', 'x509', 'ca', 'e2e'));
    expect(files).toHaveLength(1);
    const exported = new X509Certificate(
      await readFile(path.join(out, 'truststore', 'x509', 'ca', 'e2e', files[0]!)),
    );
    expect(exported.fingerprint256).toBe(new X509Certificate(await readFile(E2E_CERT)).fingerprint256);
  });

  it('never overwrites a non-empty directory and leaves nothing behind', async () => {
    const dir = await policyDir();
    const out = path.join(dir, 'notation');
    expect(
      await runCli(['trustpolicy', 'export', path.join(dir, 'scs-policy.yaml'), '--out', out], context()),
    ).toBe(0);
    const ctx = context();
    expect(
      await runCli(['trustpolicy', 'export', path.join(dir, 'scs-policy.yaml'), '--out', out], ctx),
    ).toBe(2);
    expect(ctx.out.err).toContain('already exists and is not an empty directory');
    expect((await readdir(dir)).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('writes nothing for an invalid policy', async () => {
    const dir = await policyDir([]);
    const out = path.join(dir, 'notation');
    expect(
      await runCli(['trustpolicy', 'export', path.join(dir, 'scs-policy.yaml'), '--out', out], context()),
    ).toBe(2);
    expect(await readdir(dir)).toEqual(['e2e.crt', 'scs-policy.yaml']);
  });
});

describe('scs attach with a file it cannot read', () => {
  it('exits 2 naming the file before reaching any registry (nothing is attached)', async () => {
    const dir = await policyDir();
    const ctx = context();
    const code = await runCli(
      [
        'attach',
        'registry.example.com/team/app:1.0',
        `${path.join(dir, 'scs-policy.yaml')}:application/yaml`,
        path.join(dir, 'missing.spdx.json'),
        '--artifact-type',
        'application/vnd.example.config+json',
      ],
      ctx,
    );
    // The services would fail the test with "service … is not used" had attach reached them.
    expect(ctx.out.err).toBe(
      `error: cannot read ${path.join(dir, 'missing.spdx.json')}; check the path (nothing was attached)\n`,
    );
    expect(code).toBe(2);
  });
});
