import { describe, expect, it } from 'vitest';
import { dockerConfigCredentials, dockerConfigPath, normaliseAuthKey } from './docker-config.js';
import type { Exec, ExecResult } from './exec.js';

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

  describe('when the file is read from disk', () => {
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
