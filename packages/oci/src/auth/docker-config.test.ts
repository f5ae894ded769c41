import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { withTempDir } from '../test-support.js';
import { dockerConfigCredentials, dockerConfigPath, normaliseAuthKey } from './docker-config.js';
import { createNodeExec, type Exec, type ExecResult } from './exec.js';

const b64 = (text: string): string => Buffer.from(text).toString('base64');

function recordingExec(
  answer: (command: string, input: string) => ExecResult | Error,
): Exec & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    run: (command, args, input) => {
      calls.push(`${command} ${args.join(' ')} <${input}`);
      const result = answer(command, input);
      return result instanceof Error ? Promise.reject(result) : Promise.resolve(result);
    },
  };
}

describe('docker config credentials', () => {
  it('finds where docker keeps config.json', () => {
    expect(dockerConfigPath({ DOCKER_CONFIG: '/cfg' }, '/home/u')).toBe('/cfg/config.json');
    expect(dockerConfigPath({}, '/home/u')).toBe('/home/u/.docker/config.json');
  });

  it.each([
    ['https://index.docker.io/v1/', 'docker.io'],
    ['registry-1.docker.io', 'docker.io'],
    ['https://Registry.Example.com:5000/v2/', 'registry.example.com:5000'],
    ['myacr.azurecr.io', 'myacr.azurecr.io'],
  ])('normalises the auths key %s to %s', (key, host) => {
    expect(normaliseAuthKey(key)).toBe(host);
  });

  describe('when auths has an inline entry', () => {
    it('decodes auth, and maps Hub to its legacy key', async () => {
      const provider = dockerConfigCredentials({
        config: {
          auths: {
            'https://index.docker.io/v1/': { auth: b64('hub-user:hub-pass') },
            'ghcr.io': { username: 'g', password: 'p' },
          },
        },
      });
      expect((await provider.get('docker.io'))?.credential).toEqual({
        kind: 'basic',
        username: 'hub-user',
        password: 'hub-pass',
      });
      expect((await provider.get('ghcr.io'))?.credential).toEqual({
        kind: 'basic',
        username: 'g',
        password: 'p',
      });
      expect(await provider.get('quay.io')).toBeUndefined();
    });

    it('prefers an identity token (refresh token) and a registry token', async () => {
      const provider = dockerConfigCredentials({
        config: {
          auths: { 'a.example': { identitytoken: 'refresh' }, 'b.example': { registrytoken: 'bearer' } },
        },
      });
      expect((await provider.get('a.example'))?.credential).toEqual({
        kind: 'identity-token',
        token: 'refresh',
      });
      expect((await provider.get('b.example'))?.credential).toEqual({
        kind: 'registry-token',
        token: 'bearer',
      });
    });

    it('refuses an auth field that is not user:password, without echoing it', async () => {
      const provider = dockerConfigCredentials({
        config: { auths: { 'a.example': { auth: b64('no-colon-secret') } } },
      });
      const error = await provider.get('a.example').catch((e: unknown) => e as Error);
      expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
      expect((error as Error).message).not.toContain('no-colon-secret');
    });
  });

  describe('when a credential helper is configured', () => {
    it('runs credHelpers[registry] before credsStore, with the server address on stdin', async () => {
      const exec = recordingExec((command) =>
        command === 'docker-credential-ecr-login'
          ? { exitCode: 0, stdout: '{"Username":"AWS","Secret":"ecr-pass"}', stderr: '' }
          : { exitCode: 0, stdout: '{"Username":"store","Secret":"store-pass"}', stderr: '' },
      );
      const provider = dockerConfigCredentials({
        config: { credsStore: 'desktop', credHelpers: { '1.dkr.ecr.example.com': 'ecr-login' } },
        exec,
      });
      expect((await provider.get('1.dkr.ecr.example.com'))?.credential).toEqual({
        kind: 'basic',
        username: 'AWS',
        password: 'ecr-pass',
      });
      expect((await provider.get('docker.io'))?.credential).toEqual({
        kind: 'basic',
        username: 'store',
        password: 'store-pass',
      });
      expect(exec.calls).toEqual([
        'docker-credential-ecr-login get <1.dkr.ecr.example.com',
        'docker-credential-desktop get <https://index.docker.io/v1/',
      ]);
    });

    it('reads the <token> username as an identity token', async () => {
      const exec = recordingExec(() => ({
        exitCode: 0,
        stdout: '{"Username":"<token>","Secret":"refresh"}',
        stderr: '',
      }));
      const provider = dockerConfigCredentials({ config: { credsStore: 'acr' }, exec });
      expect((await provider.get('x.azurecr.io'))?.credential).toEqual({
        kind: 'identity-token',
        token: 'refresh',
      });
    });

    it('falls back to auths when the helper has nothing for the registry', async () => {
      const exec = recordingExec(() => ({
        exitCode: 1,
        stdout: 'credentials not found in native keychain\n',
        stderr: '',
      }));
      const provider = dockerConfigCredentials({
        config: { credsStore: 'desktop', auths: { 'a.example': { auth: b64('u:p') } } },
        exec,
      });
      expect((await provider.get('a.example'))?.credential).toEqual({
        kind: 'basic',
        username: 'u',
        password: 'p',
      });
      expect(await provider.get('b.example')).toBeUndefined();
    });

    it('names the missing helper binary and the fix', async () => {
      const missing = Object.assign(new Error('spawn docker-credential-pass ENOENT'), { code: 'ENOENT' });
      const provider = dockerConfigCredentials({
        config: { credsStore: 'pass' },
        exec: recordingExec(() => missing),
      });
      await expect(provider.get('a.example')).rejects.toThrow(
        /docker-credential-pass, which is not on PATH; install it or remove "credsStore"/,
      );
    });

    it('reports a failing helper with its exit code', async () => {
      const exec = recordingExec(() => ({ exitCode: 2, stdout: '', stderr: 'gpg: decryption failed\nmore' }));
      const provider = dockerConfigCredentials({ config: { credsStore: 'pass' }, exec });
      await expect(provider.get('a.example')).rejects.toThrow(
        /docker-credential-pass get failed for a.example \(exit 2: gpg: decryption failed\)/,
      );
    });

    it('refuses a helper name that could be a path', async () => {
      const exec = recordingExec(() => ({ exitCode: 0, stdout: '{}', stderr: '' }));
      const provider = dockerConfigCredentials({ config: { credsStore: '../../bin/sh' }, exec });
      await expect(provider.get('a.example')).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
      expect(exec.calls).toEqual([]);
    });
  });

  describe('when the helper is a real program on PATH (scripts in a temp dir)', () => {
    const SECRET = 'helper-secret-value-never-shown';
    /** Writes executable `docker-credential-<name>` scripts into `dir`, and an exec that finds them. */
    async function helpers(dir: string, scripts: Record<string, string>): Promise<Exec> {
      for (const [name, body] of Object.entries(scripts)) {
        const file = path.join(dir, `docker-credential-${name}`);
        await writeFile(file, `#!/bin/sh\n${body}\n`);
        await chmod(file, 0o755);
      }
      return createNodeExec({
        env: { PATH: `${dir}${path.delimiter}${process.env.PATH ?? ''}`, HELPER_SECRET: SECRET },
      });
    }
    const store = `read server
case "$1/$server" in
  get/ghcr.io) printf '{"ServerURL":"%s","Username":"octo","Secret":"%s"}' "$server" "$HELPER_SECRET" ;;
  get/x.azurecr.io) printf '{"Username":"<token>","Secret":"refresh-from-helper"}' ;;
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac`;

    it('runs it with "get", the server address on stdin, and reads its answer', async () => {
      await withTempDir(async (dir) => {
        const exec = await helpers(dir, { 'scs-store': store });
        const provider = dockerConfigCredentials({ config: { credsStore: 'scs-store' }, exec });
        expect(await provider.get('ghcr.io')).toEqual({
          credential: { kind: 'basic', username: 'octo', password: SECRET },
          source: 'docker-credential-scs-store (credsStore in the docker config passed in)',
        });
        expect((await provider.get('x.azurecr.io'))?.credential).toEqual({
          kind: 'identity-token',
          token: 'refresh-from-helper',
        });
      });
    });

    it('takes "credentials not found" (exit 1) as nothing, then looks in auths', async () => {
      await withTempDir(async (dir) => {
        const exec = await helpers(dir, { 'scs-store': store });
        const provider = dockerConfigCredentials({
          config: { credsStore: 'scs-store', auths: { 'quay.io': { auth: b64('q:p') } } },
          exec,
        });
        expect((await provider.get('quay.io'))?.credential).toEqual({
          kind: 'basic',
          username: 'q',
          password: 'p',
        });
        expect(await provider.get('docker.io')).toBeUndefined();
      });
    });

    it('stops a helper that hangs, and says so', async () => {
      await withTempDir(async (dir) => {
        // were it not stopped, this would outlast the test's timeout
        const exec = await helpers(dir, { 'scs-hang': 'sleep 600' });
        const provider = dockerConfigCredentials({
          config: { credsStore: 'scs-hang' },
          exec,
          helperTimeoutMs: 200,
        });
        await expect(provider.get('ghcr.io')).rejects.toMatchObject({
          code: 'CONFIG_INVALID',
          message: expect.stringContaining(
            'docker-credential-scs-hang get did not answer for ghcr.io within 200 ms',
          ) as string,
        });
      });
    });

    it('names a helper that is not installed and the fix', async () => {
      await withTempDir(async (dir) => {
        const exec = await helpers(dir, {});
        const provider = dockerConfigCredentials({
          config: { credHelpers: { 'ghcr.io': 'scs-absent' } },
          exec,
        });
        await expect(provider.get('ghcr.io')).rejects.toThrow(
          /docker-credential-scs-absent, which is not on PATH; install it or remove "credHelpers\["ghcr.io"\]"/,
        );
      });
    });

    it('reports a failing helper by its exit code and first line of stderr', async () => {
      await withTempDir(async (dir) => {
        const exec = await helpers(dir, {
          'scs-broken': 'echo "gpg: decryption failed: No secret key" >&2; exit 2',
        });
        const provider = dockerConfigCredentials({ config: { credsStore: 'scs-broken' }, exec });
        await expect(provider.get('ghcr.io')).rejects.toThrow(
          'docker-credential-scs-broken get failed for ghcr.io (exit 2: its output is not shown, it may hold a secret)',
        );
        const plain = await helpers(dir, {
          'scs-locked': 'echo "the keychain is locked" >&2; echo more >&2; exit 3',
        });
        await expect(
          dockerConfigCredentials({ config: { credsStore: 'scs-locked' }, exec: plain }).get('ghcr.io'),
        ).rejects.toThrow(
          'docker-credential-scs-locked get failed for ghcr.io (exit 3: the keychain is locked)',
        );
      });
    });

    describe('when the helper prints its secret in a broken answer', () => {
      it.each([
        ['malformed JSON, exit 0', `printf '{"Username":"u","Secret":"%s" oops' "$HELPER_SECRET"`],
        ['JSON on stdout, exit 1', `printf '{"Username":"u","Secret":"%s"}' "$HELPER_SECRET"; exit 1`],
        ['the secret on stderr, exit 1', `echo "Secret=$HELPER_SECRET" >&2; exit 1`],
      ])('never puts it in the error (%s)', async (_case, script) => {
        await withTempDir(async (dir) => {
          const exec = await helpers(dir, { 'scs-leaky': script });
          const error = (await dockerConfigCredentials({ config: { credsStore: 'scs-leaky' }, exec })
            .get('ghcr.io')
            .catch((e: unknown) => e)) as Error;
          expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
          expect(error.message).toContain('docker-credential-scs-leaky get');
          expect(error.message).not.toContain(SECRET);
          expect(error.cause === undefined ? '' : (error.cause as Error).message).not.toContain(SECRET);
          expect(JSON.stringify(error)).not.toContain(SECRET);
        });
      });
    });
  });

  describe('when the file is read from disk', () => {
    it('reads a real config.json and its auths', async () => {
      await withTempDir(async (dir) => {
        const file = path.join(dir, 'config.json');
        await writeFile(file, JSON.stringify({ auths: { 'https://ghcr.io/v2/': { auth: b64('me:pat') } } }));
        const provider = dockerConfigCredentials({
          config: dockerConfigPath({ DOCKER_CONFIG: dir }, '/home/u'),
        });
        expect(await provider.get('ghcr.io')).toEqual({
          credential: { kind: 'basic', username: 'me', password: 'pat' },
          source: `docker config ${file} (auths "https://ghcr.io/v2/")`,
        });
      });
    });

    it('never quotes a broken file (it holds secrets), naming where it broke', async () => {
      await withTempDir(async (dir) => {
        const file = path.join(dir, 'config.json');
        const secret = b64('me:a-password-in-a-broken-file');
        await writeFile(file, `{"auths":{"ghcr.io":{"auth":"${secret}"}},}`);
        const error = (await dockerConfigCredentials({ config: file })
          .get('ghcr.io')
          .catch((e: unknown) => e)) as Error;
        expect(error.message).toMatch(
          /config\.json is not valid JSON \(error at character \d+\); fix or remove it/,
        );
        expect(error.message).not.toContain(secret);
        expect(error.cause).toBeUndefined();
      });
    });

    it('treats a missing file as no credentials', async () => {
      const provider = dockerConfigCredentials({
        config: '/nowhere/config.json',
        readFile: () => Promise.reject(Object.assign(new Error('nope'), { code: 'ENOENT' })),
      });
      expect(await provider.get('a.example')).toBeUndefined();
    });

    it('names the file when it is not JSON', async () => {
      const provider = dockerConfigCredentials({
        config: '/home/u/.docker/config.json',
        readFile: () => Promise.resolve('{oops'),
      });
      await expect(provider.get('a.example')).rejects.toThrow(
        /docker config \/home\/u\/.docker\/config.json is not valid JSON/,
      );
    });

    it('names the field of the wrong type', async () => {
      const provider = dockerConfigCredentials({
        config: '/c.json',
        readFile: () => Promise.resolve(JSON.stringify({ auths: { 'a.example': { auth: 42 } } })),
      });
      await expect(provider.get('a.example')).rejects.toThrow(/auths\["a.example"\].auth must be a string/);
    });
  });
});
