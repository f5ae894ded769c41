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
  /** Every token request seen, for tests that count round trips. */
  requests: { method: string; scopes: string[]; account: string | undefined; granted: boolean }[];
  stop(): Promise<void>;
}

const base64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

/**
 * A small OAuth2/Docker token server on loopback (https, the test CA): it checks basic
 * credentials (GET) or a password grant (POST) and signs ES256 JWTs the registry's
 * `auth: token` mode validates through the `x5c` chain to the test CA.
 */
export async function startTokenIssuer(
  pki: TestPki,
  credentials: { username: string; password: string },
): Promise<TokenIssuer> {
  const signing = await pki.issue('token-signer', [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
  ]);
  const key = createPrivateKey(signing.keyPem);
  const x5c = [Buffer.from(new X509Certificate(signing.certPem).raw).toString('base64')];
  const service = 'scs-test-registry';
  const issuer = 'scs-test-issuer';
  const requests: TokenIssuer['requests'] = [];

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
    let params = url.searchParams;
    if (req.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      if (params.get('grant_type') === 'password') {
        username = params.get('username') ?? undefined;
        password = params.get('password') ?? undefined;
      }
    }
    const authorization = req.headers.authorization;
    if (authorization?.startsWith('Basic ')) {
      const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      username = decoded.slice(0, colon);
      password = decoded.slice(colon + 1);
    }
    const scopes = params.getAll('scope').flatMap((s) => s.split(' ').filter(Boolean));
    const granted = username === credentials.username && password === credentials.password;
    requests.push({ method: req.method ?? 'GET', scopes, account: username, granted });
    if (!granted) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'invalid username or password' }] }),
      );
      return;
    }
    const token = sign(key, x5c, {
      iss: issuer,
      sub: username,
      aud: service,
      access: scopes.map(parseScope).filter((a): a is Access => a !== undefined),
    });
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
    requests,
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
