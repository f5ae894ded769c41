import { createPrivateKey, createSign, randomUUID, X509Certificate, type KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { closeServer } from './servers.js';
import type { TestPki } from './tls.js';

/** One access grant in a distribution token (`access` claim). */
interface Access {
  type: string;
  name: string;
  actions: string[];
}

export interface TokenIssuer {
  realm: string;
  service: string;
  issuer: string;
  /** The certificate bundle the registry trusts for token signatures. */
  rootCertBundleFile: string;
  /** A refresh token (docker config `identitytoken`) the issuer exchanges for access tokens. */
  refreshToken: string;
  /** Every token request seen, for tests that count round trips. */
  requests: TokenRequestSeen[];
  /** A signed token for these scopes, as the issuer would grant it (a docker config `registrytoken`). */
  mint(scopes: readonly string[]): string;
  stop(): Promise<void>;
}

export interface TokenRequestSeen {
  method: string;
  /** `basic` (GET with Basic auth), `password`, `refresh_token`, or `anonymous` (no credentials). */
  grant: 'basic' | 'password' | 'refresh_token' | 'anonymous';
  scopes: string[];
  account: string | undefined;
  granted: boolean;
}

export interface TokenIssuerOptions {
  username: string;
  password: string;
  /**
   * Grant requests without credentials, for pull actions only (a public repository, as on Docker
   * Hub); by default they are refused with 401.
   */
  anonymousPull?: boolean;
}

const base64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

/**
 * A small OAuth2/Docker token server on loopback (https, the test CA): it checks basic
 * credentials (GET), a password grant or a refresh-token grant (POST), optionally grants pulls
 * to anonymous requests, and signs ES256 JWTs (5 minutes) the registry's `auth: token` mode
 * validates through the `x5c` chain to the test CA.
 */
export async function startTokenIssuer(pki: TestPki, credentials: TokenIssuerOptions): Promise<TokenIssuer> {
  // a name of its own: issuers started in parallel must not write over each other's key
  const signing = await pki.issue(`token-signer-${randomUUID()}`, [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
  ]);
  const key = createPrivateKey(signing.keyPem);
  const x5c = [Buffer.from(new X509Certificate(signing.certPem).raw).toString('base64')];
  const service = 'scs-test-registry';
  const issuer = 'scs-test-issuer';
  const requests: TokenRequestSeen[] = [];
  const refreshToken = randomUUID();
  const mint = (subject: string | undefined, scopes: readonly string[]): string =>
    sign(key, x5c, {
      iss: issuer,
      ...(subject !== undefined ? { sub: subject } : {}),
      aud: service,
      access: scopes.map(parseScope).filter((a): a is Access => a !== undefined),
    });

  const server = createServer({ key: pki.serverKeyPem, cert: pki.serverCertPem }, (req, res) => {
    void handle(req, res).catch(() => {
      res.writeHead(500).end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    if (url.pathname !== '/token') {
      res.writeHead(404).end();
      return;
    }
    let username: string | undefined;
    let password: string | undefined;
    let grant: TokenRequestSeen['grant'] = 'anonymous';
    let params = url.searchParams;
    let granted = false;
    if (req.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      if (params.get('grant_type') === 'password') {
        grant = 'password';
        username = params.get('username') ?? undefined;
        password = params.get('password') ?? undefined;
      } else if (params.get('grant_type') === 'refresh_token') {
        grant = 'refresh_token';
        username = credentials.username;
        granted = params.get('refresh_token') === refreshToken;
      }
    }
    const authorization = req.headers.authorization;
    if (authorization?.startsWith('Basic ')) {
      grant = 'basic';
      const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      username = decoded.slice(0, colon);
      password = decoded.slice(colon + 1);
    }
    let scopes = params.getAll('scope').flatMap((s) => s.split(' ').filter(Boolean));
    if (grant === 'basic' || grant === 'password') {
      granted = username === credentials.username && password === credentials.password;
    } else if (grant === 'anonymous' && credentials.anonymousPull === true) {
      granted = true;
      scopes = scopes.flatMap((scope) => {
        const access = parseScope(scope);
        return access?.actions.includes('pull') ? [`${access.type}:${access.name}:pull`] : [];
      });
    }
    requests.push({ method: req.method ?? 'GET', grant, scopes, account: username, granted });
    if (!granted) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'invalid username or password' }] }),
      );
      return;
    }
    const token = mint(username, scopes);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() }),
    );
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    realm: `https://127.0.0.1:${port}/token`,
    service,
    issuer,
    rootCertBundleFile: pki.caCertFile,
    refreshToken,
    requests,
    mint: (scopes) => mint(credentials.username, scopes),
    stop: () => closeServer(server),
  };
}

/** `repository:team/app:pull,push` -> an access grant (everything asked is granted). */
function parseScope(scope: string): Access | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last <= first) return undefined;
  return {
    type: scope.slice(0, first),
    name: scope.slice(first + 1, last),
    actions: scope
      .slice(last + 1)
      .split(',')
      .filter(Boolean),
  };
}

function sign(key: KeyObject, x5c: string[], claims: Record<string, unknown>): string {
  const now = Math.floor(Date.now() / 1000);
  const header = base64url(JSON.stringify({ typ: 'JWT', alg: 'ES256', x5c }));
  const payload = base64url(
    JSON.stringify({ ...claims, iat: now, nbf: now - 10, exp: now + 300, jti: randomUUID() }),
  );
  const signer = createSign('SHA256');
  signer.update(`${header}.${payload}`);
  const signature = signer.sign({ key, dsaEncoding: 'ieee-p1363' });
  return `${header}.${payload}.${base64url(signature)}`;
}
