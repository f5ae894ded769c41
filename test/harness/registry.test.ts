import { readFile, stat } from 'node:fs/promises';
import https from 'node:https';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary, run } from './binaries.js';
import { makeUmociImage, skopeoInspect, skopeoInspectRaw, skopeoPush } from './images.js';
import { startRegistry, type RegistryAuth, type TestRegistry } from './registry.js';

/** GET with the test CA; returns status and the WWW-Authenticate challenge. */
async function get(
  registry: TestRegistry,
  pathname: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; challenge: string | undefined }> {
  if (!registry.tls) {
    const response = await fetch(`${registry.url}${pathname}`, { headers });
    return { status: response.status, challenge: response.headers.get('www-authenticate') ?? undefined };
  }
  return new Promise((resolve, reject) => {
    https
      .get(`${registry.url}${pathname}`, { ca: registry.caPem, headers }, (response) => {
        response.resume();
        resolve({ status: response.statusCode ?? 0, challenge: response.headers['www-authenticate'] });
      })
      .once('error', reject);
  });
}

async function layoutManifestDigest(layoutDir: string): Promise<string> {
  const index = JSON.parse(await readFile(path.join(layoutDir, 'index.json'), 'utf8')) as {
    manifests: { digest: string }[];
  };
  const digest = index.manifests[0]?.digest;
  if (!digest) throw new Error('umoci wrote an empty index');
  return digest;
}

const expectedChallenge: Record<RegistryAuth, RegExp | undefined> = {
  none: undefined,
  basic: /^Basic realm="scs-test"/,
  token: /^Bearer realm="https:\/\/127\.0\.0\.1:\d+\/token",service="scs-test-registry"/,
};

describe.each<RegistryAuth>(['none', 'basic', 'token'])('the test registry with auth %s', (auth) => {
  let registry: TestRegistry;
  let layout: { layoutDir: string; tag: string };

  beforeAll(async () => {
    [registry, layout] = await Promise.all([startRegistry({ auth }), makeUmociImage({ tag: 'v1' })]);
  });
  afterAll(async () => {
    await registry.stop();
  });

  it('answers the API version check with the challenge of its auth mode', async () => {
    const { status, challenge } = await get(registry, '/v2/');
    if (auth === 'none') {
      expect(status).toBe(200);
      expect(registry.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    } else {
      expect(status).toBe(401);
      expect(challenge).toMatch(expectedChallenge[auth]!);
      expect(registry.url).toMatch(/^https:/);
    }
  });

  it('takes an image pushed by skopeo and serves it back unchanged', async () => {
    await skopeoPush(registry, layout.layoutDir, layout.tag, 'harness/hello');
    const raw = await skopeoInspectRaw(registry, 'harness/hello:v1');
    const inspected = await skopeoInspect(registry, 'harness/hello:v1');
    expect(inspected.Digest).toBe(await layoutManifestDigest(layout.layoutDir));
    expect(JSON.parse(raw)).toMatchObject({ schemaVersion: 2 });
  });

  if (auth !== 'none') {
    it('keeps the password off the skopeo command line (an auth file only the user reads)', async () => {
      for (const role of ['src', 'dest'] as const) {
        expect(registry.skopeoArgs(role).join(' ')).not.toContain(registry.password!);
        expect(registry.skopeoArgs(role)).toContain(`--${role}-authfile=${registry.authFile!}`);
      }
      expect((await stat(registry.authFile!)).mode & 0o777).toBe(0o600);
    });

    it('refuses a wrong password', async () => {
      const wrong: TestRegistry = {
        ...registry,
        skopeoArgs: (role) => [`--${role}-cert-dir=${registry.certDir!}`, `--${role}-creds=scs-user:wrong`],
      };
      await expect(skopeoInspect(wrong, 'harness/hello:v1')).rejects.toThrow(
        /unauthorized|authentication required|401/i,
      );
      if (auth === 'basic') {
        const basic = Buffer.from('scs-user:wrong').toString('base64');
        expect((await get(registry, '/v2/', { authorization: `Basic ${basic}` })).status).toBe(401);
      } else {
        expect(registry.tokenIssuer?.requests.some((r) => !r.granted && r.account === 'scs-user')).toBe(true);
      }
    });
  }

  if (auth === 'token') {
    it('issues tokens scoped to the repository asked for', () => {
      const granted = registry.tokenIssuer?.requests.filter((r) => r.granted) ?? [];
      expect(granted.length).toBeGreaterThan(0);
      expect(granted.flatMap((r) => r.scopes)).toContain('repository:harness/hello:pull,push');
    });
  }
});

describe('the token registry with anonymous pulls (a public repository)', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ auth: 'token', anonymousPull: true });
  });
  afterAll(async () => {
    await registry.stop();
  });

  it('serves pulls without credentials and grants them pull only', async () => {
    const { layoutDir, tag } = await makeUmociImage({ tag: 'v1' });
    await skopeoPush(registry, layoutDir, tag, 'public/hello');
    const anonymous: TestRegistry = {
      ...registry,
      skopeoArgs: (role) => [`--${role}-cert-dir=${registry.certDir!}`],
    };
    expect((await skopeoInspect(anonymous, 'public/hello:v1')).Digest).toBe(
      await layoutManifestDigest(layoutDir),
    );
    const grants = registry.tokenIssuer!.requests.filter((r) => r.grant === 'anonymous');
    expect(grants.length).toBeGreaterThan(0);
    expect(grants.every((r) => r.granted && r.scopes.every((scope) => scope.endsWith(':pull')))).toBe(true);
    await expect(skopeoPush(anonymous, layoutDir, tag, 'public/pushed')).rejects.toThrow(
      /unauthorized|authentication required|denied|401|403/i,
    );
  });

  it('is a token-variant option only', async () => {
    await expect(startRegistry({ auth: 'basic', anonymousPull: true })).rejects.toThrow(
      'startRegistry: anonymousPull is for auth "token" (the token issuer grants it), not "basic"',
    );
  });

  it('exchanges its refresh token (an identity token) for access tokens', async () => {
    const response = await fetchToken(
      registry,
      `grant_type=refresh_token&refresh_token=${registry.tokenIssuer!.refreshToken}&service=scs-test-registry&scope=repository:public/hello:pull&client_id=test`,
    );
    expect(response.status).toBe(200);
    expect((await fetchToken(registry, 'grant_type=refresh_token&refresh_token=wrong')).status).toBe(401);
    expect(
      registry.tokenIssuer!.requests.filter((r) => r.grant === 'refresh_token').map((r) => r.granted),
    ).toEqual([true, false]);
  });
});

/** POST a form to the token issuer of a registry (trusting the test CA). */
function fetchToken(registry: TestRegistry, form: string): Promise<{ status: number }> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      registry.tokenIssuer!.realm,
      {
        method: 'POST',
        ca: registry.caPem,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
      (response) => {
        response.resume();
        resolve({ status: response.statusCode ?? 0 });
      },
    );
    request.once('error', reject);
    request.end(form);
  });
}

describe('a failing test binary', () => {
  it('is named with its arguments, a password in them masked', async () => {
    const error = (await run('skopeo', [
      'inspect',
      '--tls-verify=false',
      '--creds=scs-user:do-not-print-me',
      'docker://127.0.0.1:1/nothing:here',
    ]).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(
      /^skopeo inspect --tls-verify=false --creds=scs-user:\*\*\* docker:\/\/127\.0\.0\.1:1\/nothing:here failed: /,
    );
    expect(error.message).not.toContain('do-not-print-me');
    expect(error.cause).toBeUndefined();
  });
});

describe('a missing test binary', () => {
  it('fails with the command that installs it', () => {
    expect(() => requireBinary('scs-no-such-binary')).toThrow(
      'the test binary "scs-no-such-binary" is not installed: run `apt-get install -y scs-no-such-binary` (as root)',
    );
  });

  it('names the Debian package for the real parts', () => {
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      expect(() => requireBinary('htpasswd')).toThrow('apt-get install -y apache2-utils');
    } finally {
      process.env.PATH = saved;
    }
  });
});
