import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  ClientSecretCredential,
  type AccessToken,
  type ClientSecretCredentialOptions,
  type TokenCredential,
} from '@azure/identity';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  skopeoInspect,
  startRegistry,
  type TestRegistry,
  type TokenRequestSeen,
} from '../../../../test/harness/index.js';
import { copyGraph } from '../copy-graph.js';
import { sha256Digest } from '../digest.js';
import type { OciError } from '../errors.js';
import { NodeHttpTransport } from '../http/node-transport.js';
import { RegistryClient, type RegistryClientOptions } from '../registry/registry-client.js';
import { RegistryStore } from '../registry/registry-store.js';
import {
  pushSampleImage,
  reply,
  requestLog,
  sampleImage,
  startLoopbackServer,
  withTempDir,
  type LoopbackServer,
} from '../test-support.js';
import type { Descriptor } from '../types.js';
import { azureCredentials, staticCredentials, type CredentialProvider } from './credentials.js';
import { dockerConfigCredentials, dockerConfigPath } from './docker-config.js';
import { createNodeExec } from './exec.js';

/** The HTTP client seam of the Azure SDK, answered here by a fake Azure AD. */
type AzureHttpClient = NonNullable<ClientSecretCredentialOptions['httpClient']>;

async function pushAndPull(store: RegistryStore, label: string): Promise<void> {
  const image = sampleImage(label);
  await pushSampleImage(store, image, label);
  const resolved = await store.resolve(label);
  expect(resolved.digest).toBe(image.descriptor.digest);
  expect(await store.fetchBlob(image.layer.descriptor)).toEqual(image.layer.content);
}

describe.each(['basic', 'token'] as const)('a TLS registry with %s auth', (auth) => {
  let registry: TestRegistry;
  let transport: NodeHttpTransport;
  const clientWith = (credentials: CredentialProvider | undefined, log = requestLog()): RegistryClient =>
    new RegistryClient({ transport, ...(credentials ? { credentials } : {}), onRequest: log.onRequest });
  const good = (): CredentialProvider =>
    staticCredentials({
      [registry.host]: { kind: 'basic', username: registry.username!, password: registry.password! },
    });

  beforeAll(async () => {
    registry = await startRegistry({ auth });
    transport = new NodeHttpTransport({ ca: registry.caPem! });
  });
  afterAll(async () => {
    transport.close();
    await registry.stop();
  });

  it('pushes and pulls with the right credentials', async () => {
    await pushAndPull(new RegistryStore(clientWith(good()), registry.host, 'auth/app'), 'ok');
  });

  it('what it pushes is read by skopeo with the same credentials over TLS', async () => {
    const image = sampleImage('for-skopeo');
    await pushSampleImage(new RegistryStore(clientWith(good()), registry.host, 'auth/skopeo'), image, 'v1');
    const inspected = await skopeoInspect(registry, 'auth/skopeo:v1');
    expect(inspected.Digest).toBe(image.descriptor.digest);
    expect(inspected.Labels).toEqual({ label: 'for-skopeo' });
  });

  it('mounts blobs from another repository of the registry instead of uploading them', async () => {
    const log = requestLog();
    const client = clientWith(good(), log);
    const src = new RegistryStore(client, registry.host, 'auth/mount-src');
    await pushAndPull(src, 'mount');
    const root = await src.resolve('mount');
    const before = registry.tokenIssuer?.requests.length ?? 0;
    log.reset();
    const result = await copyGraph(src, new RegistryStore(client, registry.host, 'auth/mount-dst'), root, {
      referrers: false,
    });
    expect(result).toMatchObject({ mounted: 2, blobs: 0, bytes: 0, manifests: 1 });
    expect(
      log.events.filter((e) => e.method === 'PATCH' || (e.method === 'PUT' && e.url.includes('/blobs/'))),
    ).toEqual([]);
    if (auth === 'token') {
      // the mount needs push on the target and pull on the source, in one token
      const asked = registry.tokenIssuer!.requests.slice(before).filter((r) => r.granted);
      expect(asked.map((r) => r.scopes.sort().join(' '))).toContain(
        'repository:auth/mount-dst:pull,push repository:auth/mount-src:pull',
      );
    }
  });

  it('answers the challenge once, then authorises up front', async () => {
    const log = requestLog();
    const client = clientWith(good(), log);
    const store = new RegistryStore(client, registry.host, 'auth/app');
    await store.resolve('ok');
    await store.resolve('ok');
    await new RegistryStore(client, registry.host, 'auth/other').exists(sampleImage('x').layer.descriptor);
    const registryStatuses = log.events
      .filter((e) => e.url.startsWith(`https://${registry.host}/`))
      .map((e) => e.status);
    expect(registryStatuses).toEqual([401, 200, 200, 404]);
  });

  it('refuses a wrong password with a clear error naming the registry', async () => {
    const wrong = staticCredentials({
      [registry.host]: { kind: 'basic', username: registry.username!, password: 'wrong' },
    });
    const error = (await new RegistryStore(clientWith(wrong), registry.host, 'auth/app')
      .resolve('ok')
      .catch((e: unknown) => e)) as OciError;
    expect(error.code).toBe('UNAUTHORIZED');
    expect(error.isUserError).toBe(true);
    expect(error.message).toContain(
      `registry ${registry.host} refused the credentials (user "${registry.username}"`,
    );
    expect(error.message).not.toContain(registry.password);
  });

  it('says where it looked when there are no credentials', async () => {
    await expect(
      new RegistryStore(clientWith(undefined), registry.host, 'auth/app').resolve('ok'),
    ).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringContaining(`registry ${registry.host} requires authentication`) as string,
    });
  });

  it('reads the credentials from a docker config.json file', async () => {
    await withTempDir(async (dir) => {
      const auth = Buffer.from(`${registry.username}:${registry.password}`).toString('base64');
      await writeFile(
        path.join(dir, 'config.json'),
        JSON.stringify({ auths: { [`https://${registry.host}`]: { auth } } }),
      );
      const config = dockerConfigCredentials({
        config: dockerConfigPath({ DOCKER_CONFIG: dir }, '/nowhere'),
      });
      await pushAndPull(new RegistryStore(clientWith(config), registry.host, 'auth/cfg'), 'cfg');
    });
  });

  it('runs the docker-credential helper named in credHelpers (a real script on PATH)', async () => {
    await withTempDir(async (dir) => {
      const helper = path.join(dir, 'docker-credential-scs-test');
      // answers for the registry it was asked about (stdin), logs each call
      await writeFile(
        helper,
        [
          '#!/bin/sh',
          'read server',
          'echo "$1 $server" >> "$HELPER_LOG"',
          'if [ "$1" = get ] && [ "$server" = "$REGISTRY" ]; then',
          '  printf \'{"ServerURL":"%s","Username":"%s","Secret":"%s"}\' "$server" "$HELPER_USER" "$HELPER_SECRET"',
          'else echo "credentials not found in native keychain"; exit 1; fi',
          '',
        ].join('\n'),
      );
      await chmod(helper, 0o755);
      await writeFile(
        path.join(dir, 'config.json'),
        JSON.stringify({ credHelpers: { [registry.host]: 'scs-test' }, credsStore: 'scs-test' }),
      );
      /** An exec that finds the helper first on PATH, the helper answering with `secret`. */
      const helperExec = (secret: string | undefined) =>
        createNodeExec({
          env: {
            PATH: `${dir}${path.delimiter}${process.env.PATH ?? ''}`,
            HELPER_LOG: path.join(dir, 'calls.log'),
            REGISTRY: registry.host,
            HELPER_USER: registry.username,
            HELPER_SECRET: secret,
          },
        });
      const config = dockerConfigCredentials({
        config: path.join(dir, 'config.json'),
        exec: helperExec(registry.password),
      });
      await pushAndPull(new RegistryStore(clientWith(config), registry.host, 'auth/helper'), 'helper');
      // asked once per client for the registry, whatever the number of requests
      expect(await readFile(path.join(dir, 'calls.log'), 'utf8')).toBe(`get ${registry.host}\n`);

      const wrong = helperExec('not-the-password');
      const error = (await new RegistryStore(
        clientWith(dockerConfigCredentials({ config: path.join(dir, 'config.json'), exec: wrong })),
        registry.host,
        'auth/helper',
      )
        .resolve('helper')
        .catch((e: unknown) => e)) as OciError;
      expect(error.code).toBe('UNAUTHORIZED');
      expect(error.message).toContain(
        `registry ${registry.host} refused the credentials (user "${registry.username}" from docker-credential-scs-test (credHelpers["${registry.host}"] in docker config ${path.join(dir, 'config.json')}))`,
      );
      expect(error.message).not.toContain('not-the-password');
    });
  });

  it('parallel first requests share one challenge instead of each collecting a 401', async () => {
    const log = requestLog();
    const store = new RegistryStore(clientWith(good(), log), registry.host, 'auth/app');
    await Promise.all(Array.from({ length: 6 }, () => store.resolve('ok')));
    const registryStatuses = log.events
      .filter((e) => e.url.startsWith(`https://${registry.host}/`))
      .map((e) => e.status);
    expect(registryStatuses.filter((s) => s === 401)).toHaveLength(1);
    expect(registryStatuses.filter((s) => s === 200)).toHaveLength(6);
    expect(log.events.length - registryStatuses.length).toBe(auth === 'token' ? 1 : 0);
  });

  if (auth === 'token') {
    it('reuses one token per scope set instead of asking again', async () => {
      const before = registry.tokenIssuer!.requests.length;
      const client = clientWith(good());
      const store = new RegistryStore(client, registry.host, 'auth/reuse');
      await pushAndPull(store, 'reuse');
      await store.resolve('reuse');
      const asked = registry.tokenIssuer!.requests.slice(before);
      // pull,push covers every later pull of the same repository
      expect(asked.map((r) => r.scopes.join(' '))).toEqual(['repository:auth/reuse:pull,push']);
      expect(asked.every((r) => r.granted)).toBe(true);
    });
  }
});

describe('bearer tokens from the token registry, by kind of credential', () => {
  let registry: TestRegistry;
  let transport: NodeHttpTransport;
  let image: ReturnType<typeof sampleImage>;
  const tokenRequests = (): TokenRequestSeen[] => registry.tokenIssuer!.requests;

  beforeAll(async () => {
    registry = await startRegistry({ auth: 'token', anonymousPull: true });
    transport = new NodeHttpTransport({ ca: registry.caPem! });
    image = sampleImage('public');
    const writer = new RegistryStore(
      new RegistryClient({
        transport,
        credentials: staticCredentials({
          [registry.host]: { kind: 'basic', username: registry.username!, password: registry.password! },
        }),
      }),
      registry.host,
      'public/app',
    );
    await pushSampleImage(writer, image, 'v1');
  });
  afterAll(async () => {
    transport.close();
    await registry.stop();
  });

  describe('when there are no credentials (a public repository)', () => {
    it('pulls with an anonymous pull token', async () => {
      const before = tokenRequests().length;
      const store = new RegistryStore(new RegistryClient({ transport }), registry.host, 'public/app');
      expect((await store.resolve('v1')).digest).toBe(image.descriptor.digest);
      expect(await store.fetchBlob(image.layer.descriptor)).toEqual(image.layer.content);
      expect(tokenRequests().slice(before)).toEqual([
        {
          method: 'GET',
          grant: 'anonymous',
          scopes: ['repository:public/app:pull'],
          account: undefined,
          granted: true,
        },
      ]);
    });

    it('cannot push, and says that credentials are needed', async () => {
      const store = new RegistryStore(new RegistryClient({ transport }), registry.host, 'public/app');
      await expect(
        store.pushBlob(new TextEncoder().encode('anonymous write'), 'text/plain'),
      ).rejects.toMatchObject({
        code: 'UNAUTHORIZED',
        message: expect.stringContaining(`registry ${registry.host} requires authentication for`) as string,
      });
    });
  });

  describe('when the docker config holds an identity token (a refresh token)', () => {
    it('trades it at the token service (POST grant_type=refresh_token) for scoped tokens', async () => {
      const before = tokenRequests().length;
      const config = dockerConfigCredentials({
        config: { auths: { [registry.host]: { identitytoken: registry.tokenIssuer!.refreshToken } } },
      });
      await pushAndPull(
        new RegistryStore(
          new RegistryClient({ transport, credentials: config }),
          registry.host,
          'public/refresh',
        ),
        'refresh',
      );
      const asked = tokenRequests().slice(before);
      expect(asked.map((r) => [r.method, r.grant, r.granted])).toEqual([['POST', 'refresh_token', true]]);
      expect(asked[0]?.scopes).toEqual(['repository:public/refresh:pull,push']);
    });

    it('names the docker config entry when the token service refuses it', async () => {
      const config = dockerConfigCredentials({
        config: { auths: { [registry.host]: { identitytoken: 'revoked-refresh-token' } } },
      });
      const error = (await new RegistryStore(
        new RegistryClient({ transport, credentials: config }),
        registry.host,
        'public/refresh',
      )
        .pushBlob(new TextEncoder().encode('x'), 'text/plain')
        .catch((e: unknown) => e)) as OciError;
      expect(error.code).toBe('UNAUTHORIZED');
      expect(error.message).toContain(
        `registry ${registry.host} refused the credentials (the identity-token from the docker config passed in (auths "${registry.host}"))`,
      );
      expect(error.message).not.toContain('revoked-refresh-token');
    });
  });

  describe('when the docker config holds a registry token', () => {
    it('sends it as the bearer token, asking the token service nothing', async () => {
      const before = tokenRequests().length;
      const token = registry.tokenIssuer!.mint(['repository:public/app:pull']);
      const config = dockerConfigCredentials({
        config: { auths: { [registry.host]: { registrytoken: token } } },
      });
      const store = new RegistryStore(
        new RegistryClient({ transport, credentials: config }),
        registry.host,
        'public/app',
      );
      expect(await store.fetchBlob(image.layer.descriptor)).toEqual(image.layer.content);
      expect(tokenRequests().length).toBe(before);
    });
  });

  describe('when a token nears its expiry', () => {
    it('is reused until 10 s before it expires, then a new one is asked for', async () => {
      let skew = 0;
      const clock = { now: () => Date.now() + skew, sleep: () => Promise.resolve() };
      const store = new RegistryStore(new RegistryClient({ transport, clock }), registry.host, 'public/app');
      const before = tokenRequests().length;
      await store.resolve('v1');
      skew = 289_000; // the issuer's tokens live 300 s
      await store.resolve('v1');
      expect(tokenRequests().length - before).toBe(1);
      skew = 291_000;
      await store.resolve('v1');
      expect(tokenRequests().length - before).toBe(2);
    });
  });
});

describe('Azure Container Registry auth through /oauth2/exchange (a loopback fake of ACR)', () => {
  let acr: LoopbackServer;
  const content = new TextEncoder().encode('acr blob\n');
  /** The one blob the fake ACR serves, in repository `app`. */
  const blob: Descriptor = {
    mediaType: 'application/octet-stream',
    digest: sha256Digest(content),
    size: content.byteLength,
  };
  /** A blob no registry holds. */
  const absent: Descriptor = { mediaType: 'x/y', digest: `sha256:${'0'.repeat(64)}`, size: 1 };
  const exchanges: URLSearchParams[] = [];
  const tokens: URLSearchParams[] = [];

  /** `use` a client over a transport of its own (plain HTTP to `plainHttp`), closed afterwards. */
  async function withClient(
    options: Omit<RegistryClientOptions, 'transport'>,
    use: (client: RegistryClient) => Promise<void>,
  ): Promise<void> {
    const transport = new NodeHttpTransport();
    try {
      await use(new RegistryClient({ transport, ...options }));
    } finally {
      transport.close();
    }
  }

  beforeAll(async () => {
    acr = await startLoopbackServer((req, res) => {
      const realm = `http://${acr.host}/oauth2/token`;
      if (req.path === '/oauth2/exchange' && req.method === 'POST') {
        const form = new URLSearchParams(req.body.toString());
        exchanges.push(form);
        if (form.get('access_token') !== 'aad-token' || form.get('grant_type') !== 'access_token') {
          reply(res, 401);
          return;
        }
        reply(res, 200, JSON.stringify({ refresh_token: 'acr-refresh' }));
        return;
      }
      if (req.path === '/oauth2/token' && req.method === 'POST') {
        const form = new URLSearchParams(req.body.toString());
        tokens.push(form);
        if (form.get('grant_type') !== 'refresh_token' || form.get('refresh_token') !== 'acr-refresh') {
          reply(res, 401);
          return;
        }
        reply(res, 200, JSON.stringify({ access_token: 'acr-access' }));
        return;
      }
      if (req.headers.authorization !== 'Bearer acr-access') {
        reply(res, 401, '', {
          'www-authenticate': `Bearer realm="${realm}",service="${acr.host}",scope="repository:app:pull"`,
        });
        return;
      }
      if (req.path === `/v2/app/blobs/${blob.digest}`) {
        reply(res, 200, content);
        return;
      }
      reply(res, 404);
    });
  });
  afterAll(async () => {
    await acr.close();
  });
  afterEach(() => {
    exchanges.length = 0;
    tokens.length = 0;
  });

  it('exchanges the Azure AD token, then pulls with the ACR access token', async () => {
    let aadCalls = 0;
    const credential: TokenCredential = {
      getToken: (scopes): Promise<AccessToken> => {
        aadCalls++;
        expect(scopes).toBe('https://containerregistry.azure.net/.default');
        return Promise.resolve({ token: 'aad-token', expiresOnTimestamp: Date.now() + 3600_000 });
      },
    };
    const credentials = azureCredentials({ credential, tenantId: 'tenant-1', registries: [acr.host] });
    await withClient({ plainHttp: [acr.host], credentials }, async (client) => {
      const store = new RegistryStore(client, acr.host, 'app');
      expect(await store.fetchBlob(blob)).toEqual(content);
      expect(await store.fetchBlob(blob)).toEqual(content);
      expect(aadCalls).toBe(1);
      expect(exchanges).toHaveLength(1);
      expect(acr.requests.filter((r) => r.path === '/oauth2/exchange')).toHaveLength(1);
      expect(exchanges[0]?.get('service')).toBe(acr.host);
      expect(exchanges[0]?.get('tenant')).toBe('tenant-1');
      expect(tokens).toHaveLength(1);
      expect(tokens[0]?.get('scope')).toBe('repository:app:pull');
    });
  });

  it('sends the Azure AD token to the registry only, never to a token realm on another host', async () => {
    const thief = await startLoopbackServer((_req, res) => {
      reply(res, 200, JSON.stringify({ refresh_token: 'stolen', access_token: 'stolen' }));
    });
    const registry = await startLoopbackServer((_req, res) => {
      reply(res, 401, '', {
        'www-authenticate': `Bearer realm="http://${thief.host}/oauth2/token",service="acr"`,
      });
    });
    let aadCalls = 0;
    const credential: TokenCredential = {
      getToken: () => {
        aadCalls++;
        return Promise.resolve({
          token: 'aad-token-for-every-acr',
          expiresOnTimestamp: Date.now() + 3600_000,
        });
      },
    };
    try {
      const credentials = azureCredentials({ credential, registries: [registry.host] });
      await withClient({ plainHttp: [registry.host, thief.host], credentials }, async (client) => {
        await expect(new RegistryStore(client, registry.host, 'app').exists(absent)).rejects.toMatchObject({
          code: 'INSECURE',
          message: expect.stringContaining(
            `points to a token service on another host (http://${thief.host})`,
          ) as string,
        });
      });
      expect(thief.requests).toEqual([]);
      expect(aadCalls).toBe(0);
    } finally {
      await thief.close();
      await registry.close();
    }
  });

  it('works with a real @azure/identity credential (ClientSecretCredential over a fake Azure AD)', async () => {
    const azureAd: string[] = [];
    const httpClient: AzureHttpClient = {
      sendRequest: (request) => {
        azureAd.push(
          `${request.method} ${new URL(request.url).pathname} ${JSON.stringify(request.body ?? '')}`,
        );
        const headers = new Map([['content-type', 'application/json']]);
        return Promise.resolve({
          request,
          status: 200,
          headers: {
            get: (name: string) => headers.get(name.toLowerCase()),
            has: (name: string) => headers.has(name.toLowerCase()),
            set: (name: string, value: string | number | boolean) =>
              void headers.set(name.toLowerCase(), String(value)),
            delete: (name: string) => void headers.delete(name.toLowerCase()),
            toJSON: () => Object.fromEntries(headers),
            [Symbol.iterator]: () => headers.entries(),
          },
          bodyAsText: JSON.stringify({ token_type: 'Bearer', expires_in: 3600, access_token: 'aad-token' }),
        });
      },
    };
    const credential = new ClientSecretCredential('tenant-1', 'client-1', 'the-client-secret', {
      httpClient,
      disableInstanceDiscovery: true,
    });
    const credentials = azureCredentials({ credential, registries: [acr.host] });
    await withClient({ plainHttp: [acr.host], credentials }, async (client) => {
      expect(await new RegistryStore(client, acr.host, 'app').fetchBlob(blob)).toEqual(content);
      // Azure AD saw the client secret and the ACR scope; the registry saw neither the secret nor the client
      expect(azureAd).toHaveLength(1);
      expect(azureAd[0]).toMatch(/^POST \/tenant-1\/oauth2\/v2\.0\/token /);
      expect(azureAd[0]).toContain('the-client-secret');
      expect(azureAd[0]).toContain(encodeURIComponent('https://containerregistry.azure.net/.default'));
      expect(exchanges.map((form) => form.get('access_token'))).toEqual(['aad-token']);
      expect(JSON.stringify(acr.requests)).not.toContain('the-client-secret');
    });
  });

  it('explains a failed Azure login', async () => {
    const credential: TokenCredential = { getToken: () => Promise.reject(new Error('no managed identity')) };
    const credentials = azureCredentials({ credential, registries: [acr.host] });
    await withClient({ plainHttp: [acr.host], credentials }, async (client) => {
      await expect(new RegistryStore(client, acr.host, 'app').exists(absent)).rejects.toMatchObject({
        code: 'UNAUTHORIZED',
        message: expect.stringContaining('could not get an Azure AD token') as string,
      });
    });
  });

  it('makes a DefaultAzureCredential when none is injected', async () => {
    const { DefaultAzureCredential } = await import('@azure/identity');
    const found = await azureCredentials().get('myregistry.azurecr.io');
    expect(found?.credential.kind === 'azure' && found.credential.credential).toBeInstanceOf(
      DefaultAzureCredential,
    );
  });

  it('applies only to ACR hosts unless told otherwise', async () => {
    const credential: TokenCredential = { getToken: () => Promise.resolve(null) };
    const provider = azureCredentials({ credential });
    expect(await provider.get('myregistry.azurecr.io')).toBeDefined();
    expect(await provider.get('ghcr.io')).toBeUndefined();
  });
});
