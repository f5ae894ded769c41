/**
 * The CLI end to end: in process through `runCli` with the real services, and as a process
 * through the installable bin, against the real registry of the test harness.
 */
import { execFile } from 'node:child_process';
import { copyFile, cp, mkdtemp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { generateTestCertificate } from '@scs/notary';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import decisionSchema from '../../schema/decision.schema.json' with { type: 'json' };
import { repoRoot } from '../../../../test/harness/paths.js';
import { startRegistry } from '../../../../test/harness/registry.js';
import type { TestRegistry } from '../../../../test/harness/registry.js';
import type { Decision } from '../decision/types.js';
// The notary package's FAKE Key Vault (test support): the Azure SDK's HttpClient answering from memory.
import { FakeKeyVault } from '../../../notary/src/sign/key-vault-fake.test-support.js';
import { GOLDEN, golden } from '../test-support/golden.js';
import { type TestCliContext, cliContext } from '../test-support/cli-context.js';
import { singleScopePolicy, writeE2ePolicy } from '../test-support/e2e-policy.js';
import { E2E_LAYOUTS, E2E_TARGET, NOW, e2eTestdata } from '../test-support/notation-layouts.js';
import { pushE2eLayout } from '../test-support/registry-layouts.js';
import { nodeCliServices } from './node-services.js';
import { runCli } from './run-cli.js';

const run = promisify(execFile);
const BIN = path.join(repoRoot, 'packages', 'verify-core', 'bin', 'scs.js');
const TRUST_POLICIES = e2eTestdata('config', 'trustpolicies');
const validateDecision = new Ajv2020({ strict: true, strictRequired: false }).compile(decisionSchema);

let registry: TestRegistry;
let work: string;

function context(clock: () => Date = () => NOW): TestCliContext {
  return cliContext({ clock, cwd: work, services: nodeCliServices({ clock, env: {}, homeDir: work }) });
}

async function scs(args: string[], clock?: () => Date): Promise<{ code: number; out: string; err: string }> {
  const ctx = context(clock);
  const code = await runCli(args, ctx);
  return { code, out: ctx.out.out, err: ctx.out.err };
}

function pushLayout(layout: string, repository = `cli/${layout}`): Promise<string> {
  return pushE2eLayout(registry.host, work, layout, repository);
}

async function e2ePolicy(name = 'e2e', identities?: readonly string[], rules = ''): Promise<string> {
  return writeE2ePolicy(await mkdtemp(path.join(work, 'policy-')), {
    name,
    rules,
    ...(identities === undefined ? {} : { identities }),
  });
}

beforeAll(async () => {
  registry = await startRegistry();
  work = await mkdtemp(path.join(os.tmpdir(), 'scs-cli-e2e-'));
});

afterAll(async () => {
  await registry.stop();
});

describe('scs demo', () => {
  it('tells the story: unsigned denied, signed allowed, CRITICAL denied naming the CVE, tampered denied', async () => {
    const dir = path.join(work, 'demo');
    const result = await scs(['demo', '--dir', dir]);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    const rows = result.out.split('\n').filter((l) => l.includes('oci:…/demo-app:'));
    expect(rows.map((r) => r.split(/\s{2,}/).slice(0, 3))).toEqual([
      ['unsigned image', 'oci:…/demo-app:unsigned', 'DENIED'],
      ['signed image', 'oci:…/demo-app:signed', 'ALLOWED'],
      ['signed, CRITICAL finding', 'oci:…/demo-app:critical', 'DENIED'],
      ['tampered image', 'oci:…/demo-app:tampered', 'DENIED'],
    ]);
    expect(rows[0]).toContain('no trusted signature');
    expect(rows[2]).toContain('CVE-2099-0002');
    expect(rows[3]).toContain('integrity');
    // It lists the cluster bundle it wrote, and says its provider image is a placeholder.
    expect(result.out).toContain(
      `  bundle       ${path.join(dir, 'bundle')} (17 files: Gatekeeper + the scs provider, install as its INSTALL.md says)`,
    );
    expect(result.out).toContain('is a placeholder: pass --image <registry>/scs@sha256:<digest>');
    expect(await readdir(path.join(dir, 'bundle'))).toContain('kustomization.yaml');
    for (const file of await readdir(path.join(dir, 'decisions'))) {
      expect(validateDecision(JSON.parse(await readFile(path.join(dir, 'decisions', file), 'utf8')))).toBe(
        true,
      );
    }
    // The policy it wrote is valid and its verify command agrees.
    const policy = path.join(dir, 'scs-policy.yaml');
    expect((await scs(['policy', 'check', policy])).code).toBe(0);
    expect((await scs(['verify', `oci:${path.join(dir, 'demo-app')}:signed`, '--policy', policy])).code).toBe(
      0,
    );
  });

  it('reports the bundle in --output json, and nothing but the JSON on stdout', async () => {
    const dir = path.join(work, 'demo-json');
    const result = await scs(['demo', '--dir', dir, '--output', 'json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.out) as {
      asExpected: boolean;
      bundle: { dir: string; files: string[] };
    };
    expect(report.asExpected).toBe(true);
    expect(report.bundle.dir).toBe(path.join(dir, 'bundle'));
    expect(report.bundle.files).toContain('kustomization.yaml');
  });

  it('refuses a non-empty --dir', async () => {
    const result = await scs(['demo', '--dir', work]);
    expect(result.code).toBe(2);
    expect(result.err).toContain('is not empty');
  });
});

describe('scs verify against the registry', () => {
  it('exits 0 for an allowed image and prints the decision as JSON', async () => {
    const reference = await pushLayout('e2e-valid-signature');
    const result = await scs([
      'verify',
      reference,
      '--policy',
      await e2ePolicy(),
      '--plain-http',
      '--output',
      'json',
    ]);
    expect(result.code).toBe(0);
    const decision = JSON.parse(result.out) as Decision;
    expect(validateDecision(decision)).toBe(true);
    expect(decision.allowed).toBe(true);
  });

  it('exits 1 for a denied image, with the reason in the text output', async () => {
    const reference = await pushLayout('e2e');
    const result = await scs(['verify', reference, '--policy', await e2ePolicy(), '--plain-http']);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/^DENIED {2}/);
    expect(result.out).toContain('[FAIL] signature');
  });

  it('exits 2 for a reference that cannot be parsed, printing the denial that says why', async () => {
    const result = await scs(['verify', 'Not A Ref!', '--policy', await e2ePolicy(), '--output', 'json']);
    expect(result.code).toBe(2);
    const decision = JSON.parse(result.out) as Decision;
    expect(decision.allowed).toBe(false);
    expect(decision.reasons[0]).toContain('invalid image reference "Not A Ref!"');
  });

  it('exits 2 for an invalid policy, naming the field', async () => {
    const reference = await pushLayout('e2e-valid-signature');
    const result = await scs(['verify', reference, '--policy', await e2ePolicy('bad', []), '--plain-http']);
    expect(result.code).toBe(2);
    expect(result.err).toContain('spec.scopes[0].signature.trustedIdentities');
  });

  it('renders SARIF and the Ratify response', async () => {
    const reference = await pushLayout('e2e');
    const policy = await e2ePolicy();
    const sarif = JSON.parse(
      (await scs(['verify', reference, '--policy', policy, '--plain-http', '--output', 'sarif'])).out,
    ) as {
      runs: { results: { ruleId: string }[] }[];
    };
    expect(sarif.runs[0]?.results.map((r) => r.ruleId)).toEqual(['scs/signature']);
    const ratify = JSON.parse(
      (await scs(['verify', reference, '--policy', policy, '--plain-http', '--output', 'ratify'])).out,
    ) as {
      isSuccess: boolean;
      verifierReports: { type: string; isSuccess: boolean }[];
    };
    expect(ratify).toMatchObject({
      isSuccess: false,
      verifierReports: [{ type: 'notation', isSuccess: false }],
    });
  });
});

describe('scs trustpolicy export', () => {
  it('loads in notary’s trust policy parser and gives the same decisions as the policy it came from', async () => {
    const policy = await e2ePolicy();
    const out = path.join(path.dirname(policy), 'notation');
    expect((await scs(['trustpolicy', 'export', policy, '--out', out])).code).toBe(0);
    expect((await scs(['trustpolicy', 'check', path.join(out, 'trustpolicy.json')])).code).toBe(0);
    for (const layout of ['e2e-valid-signature', 'e2e-expired-signature', 'e2e-invalid-signature', 'e2e']) {
      const reference = await pushLayout(layout, `parity/${layout}`);
      const fromPolicy = JSON.parse(
        (await scs(['verify', reference, '--policy', policy, '--plain-http', '--output', 'json'])).out,
      ) as Decision;
      const fromNotation = JSON.parse(
        (
          await scs([
            'verify',
            reference,
            '--trust-policy',
            path.join(out, 'trustpolicy.json'),
            '--trust-store',
            path.join(out, 'truststore'),
            '--plain-http',
            '--output',
            'json',
          ])
        ).out,
      ) as Decision;
      expect(fromNotation.allowed).toBe(fromPolicy.allowed);
      expect(fromNotation.subject.digest).toBe(fromPolicy.subject.digest);
      expect(fromNotation.checks.find((c) => c.id === 'signature')?.reason).toBe(
        fromPolicy.checks.find((c) => c.id === 'signature')?.reason,
      );
    }
  });
});

describe('scs trustpolicy check', () => {
  it.each([
    ['trustpolicy.json', 0, 'valid trust policy (statements: e2e)'],
    [
      'wildcard_plus_other_registry_scope_trustpolicy.json',
      2,
      "uses wildcard registry scope '*', a wildcard scope cannot be used in conjunction with other scope values",
    ],
    [
      'unset_trusted_identity_trustpolicy.json',
      2,
      'is either missing trust stores or trusted identities, both must be specified',
    ],
    [
      'multi_statements_with_the_same_name_trustpolicy.json',
      2,
      'multiple oci trust policy statements use the same name "e2e", statement names must be unique',
    ],
    ['invalid_format_trustpolicy.json', 2, 'malformed trust policy'],
  ])('gives notation’s verdict on %s', async (file, code, message) => {
    const result = await scs(['trustpolicy', 'check', path.join(TRUST_POLICIES, file)]);
    expect(result.code).toBe(code);
    expect(result.out + result.err).toContain(message);
  });
});

describe('sign, attach, discover and copy', () => {
  it('signs an image with a generated test certificate (JWS and COSE), attaches an SBOM, copies the graph to a layout, and verifies both', async () => {
    const reference = await pushLayout('e2e', 'flow/app');
    const certDir = path.join(work, 'build-cert');
    expect((await scs(['cert', 'generate-test', 'build', '--out', certDir])).code).toBe(0);
    const key = path.join(certDir, 'build.key');
    const cert = path.join(certDir, 'build.crt');
    expect((await stat(key)).mode & 0o777).toBe(0o600);

    const signedJws = await scs([
      'sign',
      reference,
      '--key',
      key,
      '--cert',
      cert,
      '--plain-http',
      '--output',
      'json',
    ]);
    expect(signedJws.code).toBe(0);
    expect(signedJws.err).toContain('is a tag; the signature is bound to its digest');
    const signedCose = await scs([
      'sign',
      reference,
      '--key',
      key,
      '--cert',
      cert,
      '--signature-format',
      'cose',
      '--plain-http',
    ]);
    expect(signedCose.code).toBe(0);

    const sbomFile = path.join(work, 'sbom.spdx.json');
    await writeFile(sbomFile, golden(...GOLDEN.ratifySpdx));
    const attached = await scs([
      'attach',
      reference,
      `${sbomFile}:application/spdx+json`,
      '--artifact-type',
      'application/spdx+json',
      '--annotation',
      'team=platform',
      '--plain-http',
      '--output',
      'json',
    ]);
    expect(attached.code).toBe(0);
    expect(JSON.parse(attached.out)).toMatchObject({
      artifactType: 'application/spdx+json',
      annotations: { team: 'platform' },
    });

    const discovered = JSON.parse(
      (await scs(['discover', reference, '--plain-http', '--output', 'json'])).out,
    ) as {
      referrers: { artifactType: string }[];
    };
    expect(discovered.referrers.map((r) => r.artifactType).sort()).toEqual([
      'application/spdx+json',
      'application/vnd.cncf.notary.signature',
      'application/vnd.cncf.notary.signature',
    ]);

    const policyDir = path.dirname(await e2ePolicy());
    await copyFile(cert, path.join(policyDir, 'build.crt'));
    const policy = path.join(policyDir, 'build-policy.yaml');
    await writeFile(
      policy,
      singleScopePolicy({
        name: 'build',
        scope: 'all',
        trustStore: '{ name: build, type: ca, certificates: [build.crt] }',
        identities: ['x509.subject: CN=build,O=Notary,L=Seattle,ST=WA,C=US'],
        rules: '      sbom: { required: true, formats: [spdx] }\n',
      }),
    );
    expect((await scs(['verify', reference, '--policy', policy, '--plain-http'])).code).toBe(0);

    const layout = path.join(work, 'copied');
    const copied = await scs(['copy', reference, `oci:${layout}:v1`, '--referrers', '--plain-http']);
    expect(copied.code).toBe(0);
    const onLayout = await scs(['verify', `oci:${layout}:v1`, '--policy', policy, '--output', 'json']);
    expect(onLayout.code).toBe(0);
    expect(
      (JSON.parse(onLayout.out) as Decision).checks.find((c) => c.id === 'signature')?.evidence,
    ).toMatchObject({
      signatures: expect.arrayContaining([expect.objectContaining({ verified: true })]) as unknown,
    });

    // Without --referrers the signatures stay behind: the copy is unsigned.
    const bare = path.join(work, 'bare');
    expect((await scs(['copy', reference, `oci:${bare}:v1`, '--plain-http'])).code).toBe(0);
    expect((await scs(['verify', `oci:${bare}:v1`, '--policy', policy])).code).toBe(1);
  });

  it('refuses to attach a file that is not what its artifact type says, attaching nothing', async () => {
    const reference = await pushLayout('e2e', 'flow/refuse');
    const notSpdx = path.join(work, 'not-spdx.json');
    await writeFile(notSpdx, golden(...GOLDEN.syftCdxImage));
    const result = await scs([
      'attach',
      reference,
      notSpdx,
      '--artifact-type',
      'application/spdx+json',
      '--plain-http',
    ]);
    expect(result.code).toBe(2);
    expect(result.err).toContain('is not what --artifact-type application/spdx+json announces');
    const discovered = JSON.parse(
      (await scs(['discover', reference, '--plain-http', '--output', 'json'])).out,
    ) as { referrers: unknown[] };
    expect(discovered.referrers).toEqual([]);
  });
});

describe('scs copy between a layout and a registry that needs a password (docker config)', () => {
  let secured: TestRegistry;
  let caFile: string;

  beforeAll(async () => {
    secured = await startRegistry({ auth: 'basic' });
    caFile = path.join(work, 'secured-ca.pem');
    await writeFile(caFile, secured.caPem ?? '');
  });

  afterAll(async () => {
    await secured.stop();
  });

  /** A docker config (`auths.<host>.auth`) in its own DOCKER_CONFIG directory. */
  async function dockerConfigEnv(password: string): Promise<Record<string, string>> {
    const dir = await mkdtemp(path.join(work, 'docker-config-'));
    const auth = Buffer.from(`${secured.username ?? ''}:${password}`).toString('base64');
    await writeFile(path.join(dir, 'config.json'), JSON.stringify({ auths: { [secured.host]: { auth } } }));
    return { DOCKER_CONFIG: dir };
  }

  async function scsWith(
    env: Record<string, string>,
    args: string[],
  ): Promise<{ code: number; out: string; err: string }> {
    const ctx = cliContext({
      cwd: work,
      services: nodeCliServices({ clock: () => NOW, env, homeDir: work }),
    });
    const code = await runCli(args, ctx);
    return { code, out: ctx.out.out, err: ctx.out.err };
  }

  it('copies a signed layout up with its referrers and back down, both verify, and the password is never printed', async () => {
    const password = secured.password ?? '';
    const env = await dockerConfigEnv(password);
    const secrets = [password, Buffer.from(`${secured.username ?? ''}:${password}`).toString('base64')];
    const layout = await mkdtemp(path.join(work, 'secured-src-'));
    await cp(path.join(E2E_LAYOUTS, 'e2e-valid-signature'), layout, { recursive: true });
    const remote = `${secured.host}/secured/app:v1`;
    const policy = await e2ePolicy();
    const back = path.join(work, 'secured-back');
    const runs = [
      await scsWith(env, [
        'copy',
        `oci:${layout}:v1`,
        remote,
        '--referrers',
        '--ca-file',
        caFile,
        '--verbose',
        '-o',
        'json',
      ]),
      await scsWith(env, ['verify', remote, '--policy', policy, '--ca-file', caFile, '--verbose']),
      await scsWith(env, ['copy', remote, `oci:${back}:v1`, '--referrers', '--ca-file', caFile, '--verbose']),
      await scsWith(env, ['verify', `oci:${back}:v1`, '--policy', policy, '--output', 'json']),
    ];
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    expect(JSON.parse(runs[0]?.out ?? '')).toMatchObject({ digest: E2E_TARGET.digest });
    expect(runs[1]?.out).toMatch(/^ALLOWED {2}/);
    expect(runs[1]?.err).toContain('… listing the referrers of');
    expect((JSON.parse(runs[3]?.out ?? '') as Decision).allowed).toBe(true);
    for (const run of runs) {
      for (const secret of secrets) expect(run.out + run.err).not.toContain(secret);
    }
  });

  it('refuses a wrong password with exit 2 and does not print it', async () => {
    const wrong = `wrong-${secured.password ?? ''}`;
    const env = await dockerConfigEnv(wrong);
    const layout = await mkdtemp(path.join(work, 'secured-refused-'));
    await cp(path.join(E2E_LAYOUTS, 'e2e'), layout, { recursive: true });
    const result = await scsWith(env, [
      'copy',
      `oci:${layout}:v1`,
      `${secured.host}/secured/refused:v1`,
      '--ca-file',
      caFile,
      '--verbose',
    ]);
    expect(result.code).toBe(2);
    expect(result.err).toContain('refused the credentials (user "scs-user" from docker config');
    expect(result.out).toBe('');
    expect(result.err).not.toContain(wrong);
    expect(result.err).not.toContain(Buffer.from(`${secured.username ?? ''}:${wrong}`).toString('base64'));
  });
});

describe('signing with an Azure Key Vault key', () => {
  it('signs through the real Azure SDK clients (a FAKE Key Vault answers) and the signature verifies', async () => {
    const reference = await pushLayout('e2e', 'flow/kv');
    const host = 'scs-test.vault.azure.net';
    const version = '0123456789abcdef0123456789abcdef';
    const cert = generateTestCertificate('kv-signer', { clock: () => NOW });
    const vault = new FakeKeyVault(
      host,
      [{ name: 'signing', version, certificateDer: cert.certificateDer, keyPem: cert.keyPem }],
      'fake-token',
    );
    const clock = (): Date => NOW;
    const ctx = cliContext({
      clock,
      cwd: work,
      services: nodeCliServices({
        clock,
        env: {},
        homeDir: work,
        keyVault: {
          credential: {
            getToken: () =>
              Promise.resolve({ token: 'fake-token', expiresOnTimestamp: Date.now() + 3_600_000 }),
          },
          httpClient: vault,
        },
      }),
    });
    const code = await runCli(
      [
        'sign',
        reference,
        '--azure-key-id',
        `https://${host}/keys/signing/${version}`,
        '--signature-format',
        'cose',
        '--plain-http',
      ],
      ctx,
    );
    expect(ctx.out.err).toContain('is a tag');
    expect(code).toBe(0);
    expect(ctx.out.out).toContain('by CN=kv-signer,O=Notary,L=Seattle,ST=WA,C=US');
    expect(vault.requests.some((r) => r.authorized && r.path.includes('/sign'))).toBe(true);

    // The policy trusts the certificate where it lives: an Azure Key Vault trust store.
    const policyDir = await mkdtemp(path.join(work, 'kv-policy-'));
    const policyFile = path.join(policyDir, 'p.yaml');
    await writeFile(
      policyFile,
      singleScopePolicy({
        name: 'kv',
        scope: 'all',
        trustStore: `{ name: kv, type: ca, azureKeyVault: { vaultUri: "https://${host}", certificateName: signing, version: "${version}" } }`,
        identities: ['x509.subject: CN=kv-signer,O=Notary,L=Seattle,ST=WA,C=US'],
      }),
    );
    const again = async (args: string[]): Promise<number> => {
      ctx.out.out = '';
      ctx.out.err = '';
      return runCli(args, ctx);
    };
    expect(await again(['verify', reference, '--policy', policyFile, '--plain-http'])).toBe(0);
    expect(ctx.out.out).toMatch(/^ALLOWED/);
    // Without the trusted certificate in the vault the decision cannot be made: nothing passes.
    const missing = path.join(policyDir, 'missing.yaml');
    await writeFile(
      missing,
      (await readFile(policyFile, 'utf8')).replace('certificateName: signing', 'certificateName: other'),
    );
    expect(await again(['verify', reference, '--policy', missing, '--plain-http'])).toBe(1);
    expect(ctx.out.err).toContain(
      `the certificate other (version ${version}) of trust store ca:kv could not be read from https://${host}`,
    );
    expect(ctx.out.err).not.toContain('fake-token');
    // The notation export fetches the certificate too.
    const out = path.join(policyDir, 'notation');
    expect(await again(['trustpolicy', 'export', policyFile, '--out', out])).toBe(0);
    const exported = await readdir(path.join(out, 'truststore', 'x509', 'ca', 'kv'));
    expect(await readFile(path.join(out, 'truststore', 'x509', 'ca', 'kv', exported[0]!), 'utf8')).toBe(
      cert.certificatePem,
    );
    // A key the vault does not have: the signing fails, naming the key, never the token.
    const refused = await again([
      'sign',
      reference,
      '--azure-key-id',
      `https://${host}/keys/missing/${version}`,
      '--plain-http',
      '--verbose',
    ]);
    expect(refused).not.toBe(0);
    expect(ctx.out.err).toContain('missing');
    expect(ctx.out.out + ctx.out.err).not.toContain('fake-token');
  });
});

describe('the installable bin', () => {
  it('runs as a process with the documented exit codes', async () => {
    const { stdout } = await run(process.execPath, [BIN, '--version']);
    expect(stdout).toBe('scs 0.1.0\n');
    const reference = await pushLayout('e2e-valid-signature', 'bin/app');
    const policy = await e2ePolicy();
    const allowed = await run(process.execPath, [
      BIN,
      'verify',
      reference,
      '--policy',
      policy,
      '--plain-http',
    ]);
    expect(allowed.stdout).toMatch(/^ALLOWED {2}/);
    const unsigned = await pushLayout('e2e', 'bin/unsigned');
    await expect(
      run(process.execPath, [BIN, 'verify', unsigned, '--policy', policy, '--plain-http']),
    ).rejects.toMatchObject({ code: 1 });
    await expect(run(process.execPath, [BIN, 'verify', unsigned])).rejects.toMatchObject({ code: 2 });
  });
});
