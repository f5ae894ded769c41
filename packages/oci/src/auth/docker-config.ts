import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { OciError } from '../errors.js';
import type { Credential, CredentialProvider, ResolvedCredential } from './credentials.js';
import { nodeExec, type Exec, type ExecResult } from './exec.js';

/** The parts of a docker `config.json` that hold credentials. */
export interface DockerConfigFile {
  auths?: Record<
    string,
    { auth?: string; username?: string; password?: string; identitytoken?: string; registrytoken?: string }
  >;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

export interface DockerConfigOptions {
  /** Path of config.json (see `dockerConfigPath`), or the parsed file itself. */
  config: string | DockerConfigFile;
  /** Runs `docker-credential-<helper> get`. */
  exec?: Exec;
  readFile?: (file: string) => Promise<string>;
  helperTimeoutMs?: number;
}

/** Where docker keeps config.json: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
export function dockerConfigPath(env: Readonly<Record<string, string | undefined>>, homeDir: string): string {
  const dir = env.DOCKER_CONFIG;
  return dir !== undefined && dir !== ''
    ? path.join(dir, 'config.json')
    : path.join(homeDir, '.docker', 'config.json');
}

const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';
const HELPER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** `https://host/v1/` or `host` -> `host` (lowercased); Hub keys -> `docker.io`. */
export function normaliseAuthKey(key: string): string {
  let host = key
    .trim()
    .toLowerCase()
    .replace(/^[a-z]+:\/\//, '');
  const slash = host.indexOf('/');
  if (slash !== -1) host = host.slice(0, slash);
  if (host === 'index.docker.io' || host === 'registry-1.docker.io' || host === 'docker.io')
    return 'docker.io';
  return host;
}

/** The server address docker and its helpers use for a registry. */
function serverAddress(registry: string): string {
  return registry === 'docker.io' ? DOCKER_HUB_KEY : registry;
}

function decodeAuth(auth: string, where: string): { username: string; password: string } {
  const text = Buffer.from(auth, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0) {
    throw new OciError(
      'CONFIG_INVALID',
      `${where}: the "auth" field is not base64 of "username:password"; run docker login again or fix the entry`,
    );
  }
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/**
 * Credentials from a docker `config.json`: `credHelpers[registry]`, else `credsStore`, else the
 * inline `auths` entry (also used when the store has nothing for that registry).
 */
export function dockerConfigCredentials(options: DockerConfigOptions): CredentialProvider {
  const exec = options.exec ?? nodeExec;
  const read = options.readFile ?? ((file: string) => readFile(file, 'utf8'));
  const timeoutMs = options.helperTimeoutMs ?? 30_000;
  const where =
    typeof options.config === 'string' ? `docker config ${options.config}` : 'the docker config passed in';
  let loaded: Promise<DockerConfigFile> | undefined;

  const load = (): Promise<DockerConfigFile> => {
    loaded ??= (async () => {
      if (typeof options.config !== 'string') return validate(options.config, where);
      let text: string;
      try {
        text = await read(options.config);
      } catch (error) {
        if ((error as { code?: unknown }).code === 'ENOENT') return {};
        throw new OciError('CONFIG_INVALID', `${where} cannot be read: ${(error as Error).message}`, {
          cause: error,
        });
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (error) {
        // No cause: a JSON SyntaxError quotes the text around the fault, which may be an auth entry.
        throw new OciError(
          'CONFIG_INVALID',
          `${where} is not valid JSON (${jsonFault(error)}); fix or remove it`,
        );
      }
      return validate(json, where);
    })();
    return loaded;
  };

  const fromHelper = async (
    helper: string,
    registry: string,
    field: string,
  ): Promise<ResolvedCredential | undefined> => {
    if (!HELPER_NAME.test(helper)) {
      throw new OciError(
        'CONFIG_INVALID',
        `${where}: "${field}" names an invalid credential helper "${helper}"`,
      );
    }
    const program = `docker-credential-${helper}`;
    let result;
    try {
      result = await exec.run(program, ['get'], serverAddress(registry), { timeoutMs });
    } catch (error) {
      const missing = (error as { code?: unknown }).code === 'ENOENT';
      throw new OciError(
        'CONFIG_INVALID',
        missing
          ? `${where}: "${field}" uses ${program}, which is not on PATH; install it or remove "${field}"`
          : `${where}: ${program} could not run: ${(error as Error).message}`,
        { cause: error },
      );
    }
    const source = `${program} (${field} in ${where})`;
    if (result.timedOut === true) {
      throw new OciError(
        'CONFIG_INVALID',
        `${program} get did not answer for ${registry} within ${timeoutMs} ms and was stopped; check the helper (it may be waiting for a prompt or a locked keychain)`,
      );
    }
    if (result.exitCode !== 0) {
      if (/credentials not found/i.test(result.stdout + result.stderr)) return undefined;
      throw new OciError(
        'CONFIG_INVALID',
        `${program} get failed for ${registry} (exit ${result.exitCode}${helperMessage(result)}); check the helper or log in again`,
      );
    }
    let answer: unknown;
    try {
      answer = JSON.parse(result.stdout);
    } catch {
      // No cause: a JSON SyntaxError quotes the text it read, which holds the secret.
      throw new OciError(
        'CONFIG_INVALID',
        `${program} get answered something that is not JSON for ${registry} (its output is not shown: it may hold a secret); check the helper`,
      );
    }
    const { Username, Secret } = (answer ?? {}) as { Username?: unknown; Secret?: unknown };
    if (typeof Secret !== 'string' || Secret === '') return undefined;
    const credential: Credential =
      Username === '<token>'
        ? { kind: 'identity-token', token: Secret }
        : { kind: 'basic', username: typeof Username === 'string' ? Username : '', password: Secret };
    return { credential, source };
  };

  const fromAuths = (config: DockerConfigFile, registry: string): ResolvedCredential | undefined => {
    const entries = Object.entries(config.auths ?? {});
    const entry =
      entries.find(([key]) => key === serverAddress(registry)) ??
      entries.find(([key]) => normaliseAuthKey(key) === registry);
    if (entry === undefined) return undefined;
    const [key, value] = entry;
    const source = `${where} (auths "${key}")`;
    if (value.identitytoken)
      return { credential: { kind: 'identity-token', token: value.identitytoken }, source };
    if (value.registrytoken)
      return { credential: { kind: 'registry-token', token: value.registrytoken }, source };
    if (value.auth) return { credential: { kind: 'basic', ...decodeAuth(value.auth, source) }, source };
    if (value.username !== undefined && value.password !== undefined) {
      return { credential: { kind: 'basic', username: value.username, password: value.password }, source };
    }
    return undefined;
  };

  return {
    description: where,
    get: async (registry) => {
      const config = await load();
      const helper = config.credHelpers?.[registry] ?? findHelper(config.credHelpers, registry);
      if (helper !== undefined) {
        return (
          (await fromHelper(helper, registry, `credHelpers["${registry}"]`)) ?? fromAuths(config, registry)
        );
      }
      if (config.credsStore !== undefined && config.credsStore !== '') {
        return (await fromHelper(config.credsStore, registry, 'credsStore')) ?? fromAuths(config, registry);
      }
      return fromAuths(config, registry);
    },
  };
}

/** Where JSON.parse failed (`at position 42`), without the text it quotes. */
function jsonFault(error: unknown): string {
  const position = /position (\d+)/.exec((error as Error).message)?.[1];
  return position !== undefined
    ? `error at character ${position}`
    : 'it ends too early or has a stray character';
}

/**
 * `: <first line>` of what a failing helper printed, for the error message; nothing when that line
 * could be (part of) a credential answer, which holds the secret.
 */
function helperMessage(result: ExecResult): string {
  const line = (result.stderr.trim() || result.stdout.trim()).split('\n')[0]?.trim() ?? '';
  if (line === '') return '';
  if (line.startsWith('{') || /secret/i.test(line)) return ': its output is not shown, it may hold a secret';
  return `: ${line.slice(0, 200)}`;
}

function findHelper(helpers: Record<string, string> | undefined, registry: string): string | undefined {
  if (helpers === undefined) return undefined;
  for (const [key, helper] of Object.entries(helpers)) if (normaliseAuthKey(key) === registry) return helper;
  return undefined;
}

function validate(json: unknown, where: string): DockerConfigFile {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new OciError('CONFIG_INVALID', `${where} must be a JSON object`);
  }
  const config = json as Record<string, unknown>;
  const auths = config.auths;
  if (auths !== undefined) {
    if (typeof auths !== 'object' || auths === null || Array.isArray(auths)) {
      throw new OciError('CONFIG_INVALID', `${where}: "auths" must be an object keyed by registry`);
    }
    for (const [key, value] of Object.entries(auths)) {
      if (typeof value !== 'object' || value === null) {
        throw new OciError('CONFIG_INVALID', `${where}: auths["${key}"] must be an object`);
      }
      for (const field of ['auth', 'username', 'password', 'identitytoken', 'registrytoken']) {
        const v = (value as Record<string, unknown>)[field];
        if (v !== undefined && typeof v !== 'string') {
          throw new OciError('CONFIG_INVALID', `${where}: auths["${key}"].${field} must be a string`);
        }
      }
    }
  }
  if (config.credsStore !== undefined && typeof config.credsStore !== 'string') {
    throw new OciError('CONFIG_INVALID', `${where}: "credsStore" must be a string`);
  }
  const helpers = config.credHelpers;
  if (helpers !== undefined) {
    if (
      typeof helpers !== 'object' ||
      helpers === null ||
      !Object.values(helpers as Record<string, unknown>).every((v) => typeof v === 'string')
    ) {
      throw new OciError('CONFIG_INVALID', `${where}: "credHelpers" must map registries to helper names`);
    }
  }
  return config;
}
