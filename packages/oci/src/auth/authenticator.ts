import type { Clock, Logger } from '../clock.js';
import { OciError } from '../errors.js';
import { readBody } from '../http/read-body.js';
import type { HttpMethod, HttpResponse } from '../http/transport.js';
import type { AuthChallenge } from './challenge.js';
import type { Credential, CredentialProvider, ResolvedCredential } from './credentials.js';
import { scopeAtoms, scopesFromAtoms } from './scope.js';

/** Sends a request with retries but without registry auth (token service, ACR exchange). */
export type PlainSender = (request: {
  method: HttpMethod;
  url: URL;
  headers: Record<string, string>;
  body?: Uint8Array;
  signal?: AbortSignal;
}) => Promise<HttpResponse>;

export interface AuthenticatorDeps {
  credentials?: CredentialProvider;
  send: PlainSender;
  clock: Clock;
  logger: Logger;
  /** Whether this registry host was opted in to plain HTTP (then an http token realm is allowed). */
  isPlainHttp: (host: string) => boolean;
}

type HostScheme = { scheme: 'basic' } | { scheme: 'bearer'; realm: URL; service: string | undefined };
type BearerScheme = Extract<HostScheme, { scheme: 'bearer' }>;

/** One token to get: for `registry` (API host `host`), covering the scope `atoms`. */
interface TokenRequest {
  registry: string;
  host: string;
  scheme: BearerScheme;
  atoms: Set<string>;
  resolved: ResolvedCredential | undefined;
  signal: AbortSignal | undefined;
}

interface CachedToken {
  atoms: Set<string>;
  token: string;
  expiresAt: number;
}

/** The Azure AD scope for ACR's token exchange. */
export const ACR_AAD_SCOPE = 'https://containerregistry.azure.net/.default';
/** The username ACR expects alongside a refresh token. */
export const ACR_REFRESH_TOKEN_USER = '00000000-0000-0000-0000-000000000000';

const MAX_TOKEN_RESPONSE_BYTES = 1024 * 1024;

/**
 * Registry authentication, per host: learns the scheme from the first challenge, then
 * authorises later requests up front (no second 401). Bearer tokens are cached per scope set
 * and reused for any request whose scopes they cover, until shortly before they expire.
 */
export class Authenticator {
  private readonly schemes = new Map<string, HostScheme>();
  private readonly tokens = new Map<string, CachedToken[]>();
  private readonly credentialLookups = new Map<string, Promise<ResolvedCredential | undefined>>();
  private readonly exchanged = new Map<string, { refreshToken: string; expiresAt: number }>();
  /** Token requests in flight, so parallel requests for the same scopes share one. */
  private readonly inFlight = new Map<string, Promise<string>>();
  /** Every secret this client has sent or holds (passwords, tokens, Authorization values). */
  private readonly secrets = new Set<string>();

  constructor(private readonly deps: AuthenticatorDeps) {}

  private credentialFor(registry: string): Promise<ResolvedCredential | undefined> {
    let lookup = this.credentialLookups.get(registry);
    if (lookup === undefined) {
      lookup = (this.deps.credentials?.get(registry) ?? Promise.resolve(undefined)).then((resolved) => {
        if (resolved !== undefined) this.rememberSecrets(resolved.credential);
        return resolved;
      });
      this.credentialLookups.set(registry, lookup);
      lookup.catch(() => this.credentialLookups.delete(registry));
    }
    return lookup;
  }

  private rememberSecrets(credential: Credential): void {
    if (credential.kind === 'basic') {
      this.secrets.add(credential.password);
      this.secrets.add(
        Buffer.from(`${credential.username}:${credential.password}`, 'utf8').toString('base64'),
      );
    } else if (credential.kind !== 'azure') {
      this.secrets.add(credential.token);
    }
  }

  /**
   * `text` with every secret this client knows replaced by `***`: for what a registry says back
   * (its error messages end up in ours, and ours in CI logs).
   */
  redact(text: string): string {
    let clean = text;
    for (const secret of this.secrets) if (secret.length >= 4) clean = clean.split(secret).join('***');
    return clean;
  }

  /** Whether a challenge from this host has been seen (its scheme is known). */
  knowsScheme(host: string): boolean {
    return this.schemes.has(host);
  }

  /**
   * The Authorization header for a request, when the host's scheme is already known;
   * undefined means "try anonymously and answer the challenge".
   */
  async authorize(
    registry: string,
    host: string,
    scopes: readonly string[],
    signal?: AbortSignal,
  ): Promise<string | undefined> {
    const scheme = this.schemes.get(host);
    if (scheme === undefined) return undefined;
    const resolved = await this.credentialFor(registry);
    if (scheme.scheme === 'basic')
      return resolved === undefined ? undefined : basicHeader(resolved, registry);
    if (resolved?.credential.kind === 'registry-token') return `Bearer ${resolved.credential.token}`;
    const atoms = scopeAtoms(scopes);
    const cached = this.cachedToken(host, atoms);
    if (cached !== undefined) return `Bearer ${cached}`;
    return `Bearer ${await this.fetchToken({ registry, host, scheme, atoms, resolved, signal })}`;
  }

  /**
   * Answer a 401: learn the scheme, drop the token that failed, and return the header to retry
   * with. Throws UNAUTHORIZED when there is nothing better to send.
   */
  async answer(
    registry: string,
    host: string,
    scopes: readonly string[],
    challenges: readonly AuthChallenge[],
    failedAuthorization: string | undefined,
    repository: string,
    signal?: AbortSignal,
  ): Promise<string> {
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    const basic = challenges.find((c) => c.scheme === 'basic');
    const resolved = await this.credentialFor(registry);
    if (failedAuthorization !== undefined && failedAuthorization.startsWith('Bearer ')) {
      this.dropToken(host, failedAuthorization.slice('Bearer '.length));
    }
    if (bearer !== undefined) {
      const realmText = bearer.params.realm;
      if (realmText === undefined || realmText === '') {
        throw new OciError('PROTOCOL', `registry ${registry} sent a Bearer challenge without a realm`);
      }
      const realm = this.checkRealm(registry, host, realmText);
      const scheme: BearerScheme = { scheme: 'bearer', realm, service: bearer.params.service };
      this.schemes.set(host, scheme);
      if (resolved?.credential.kind === 'registry-token') {
        if (failedAuthorization === `Bearer ${resolved.credential.token}`) {
          throw this.refused(registry, repository, resolved);
        }
        return `Bearer ${resolved.credential.token}`;
      }
      const atoms = scopeAtoms([
        ...scopes,
        ...(bearer.params.scope === undefined ? [] : [bearer.params.scope]),
      ]);
      // A parallel request may have fetched a token for these scopes meanwhile.
      const cached = this.cachedToken(host, atoms);
      if (cached !== undefined && `Bearer ${cached}` !== failedAuthorization) return `Bearer ${cached}`;
      return `Bearer ${await this.fetchToken({ registry, host, scheme, atoms, resolved, signal })}`;
    }
    if (basic !== undefined) {
      this.schemes.set(host, { scheme: 'basic' });
      if (resolved === undefined) throw this.noCredentials(registry, repository);
      const header = basicHeader(resolved, registry);
      if (failedAuthorization === header) throw this.refused(registry, repository, resolved);
      return header;
    }
    throw new OciError(
      'UNAUTHORIZED',
      `registry ${registry} answered 401 for ${repository} without a Basic or Bearer challenge; scs cannot authenticate to it`,
    );
  }

  /** The error for a 401 that persists after authenticating. */
  async rejected(registry: string, repository: string): Promise<OciError> {
    const resolved = await this.credentialFor(registry);
    return resolved === undefined
      ? this.noCredentials(registry, repository)
      : this.refused(registry, repository, resolved);
  }

  private noCredentials(registry: string, repository: string): OciError {
    const looked = this.deps.credentials?.description ?? 'no credential source was configured';
    return new OciError(
      'UNAUTHORIZED',
      `registry ${registry} requires authentication for ${repository} and no credentials were found for it (looked in: ${looked}); log in (e.g. docker login ${registry}) or pass credentials`,
    );
  }

  private refused(registry: string, repository: string, resolved: ResolvedCredential): OciError {
    const who =
      resolved.credential.kind === 'basic'
        ? `user "${resolved.credential.username}"`
        : `the ${resolved.credential.kind}`;
    return new OciError(
      'UNAUTHORIZED',
      `registry ${registry} refused the credentials (${who} from ${resolved.source}) for ${repository}: check the username and password or token, that it has access to this repository, or log in again`,
    );
  }

  private checkRealm(registry: string, host: string, realmText: string): URL {
    let realm: URL;
    try {
      realm = new URL(realmText);
    } catch (error) {
      throw new OciError('PROTOCOL', `registry ${registry} sent a token realm that is not a URL`, {
        cause: error,
      });
    }
    if (realm.protocol === 'http:' && !this.deps.isPlainHttp(host)) {
      throw new OciError(
        'INSECURE',
        `registry ${registry} points to a token service over plain http (${realm.origin}); refusing to send credentials in clear`,
      );
    }
    if (realm.protocol !== 'https:' && realm.protocol !== 'http:') {
      throw new OciError('PROTOCOL', `registry ${registry} sent a token realm with scheme ${realm.protocol}`);
    }
    return realm;
  }

  private cachedToken(host: string, atoms: ReadonlySet<string>): string | undefined {
    const now = this.deps.clock.now();
    const list = this.tokens.get(host);
    if (list === undefined) return undefined;
    const live = list.filter((t) => t.expiresAt > now);
    this.tokens.set(host, live);
    return live.find((t) => [...atoms].every((a) => t.atoms.has(a)))?.token;
  }

  private dropToken(host: string, token: string): void {
    const list = this.tokens.get(host);
    if (list !== undefined)
      this.tokens.set(
        host,
        list.filter((t) => t.token !== token),
      );
  }

  /** A token for the request, shared with a parallel request for the same scopes. */
  private fetchToken(request: TokenRequest): Promise<string> {
    const key = `${request.host} ${scopesFromAtoms(request.atoms).join(' ')}`;
    let pending = this.inFlight.get(key);
    if (pending === undefined) {
      pending = this.requestToken(request).finally(() => {
        this.inFlight.delete(key);
      });
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  private async requestToken(request: TokenRequest): Promise<string> {
    const { registry, host, scheme, atoms, resolved, signal } = request;
    const scopes = scopesFromAtoms(atoms);
    const credential = resolved?.credential;
    let response: HttpResponse;
    const what = `the token service of ${registry} (${scheme.realm.origin})`;
    if (credential?.kind === 'identity-token' || credential?.kind === 'azure') {
      const refreshToken =
        credential.kind === 'azure' ? await this.exchangeAzure(request, credential) : credential.token;
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        client_id: 'scs',
      });
      if (scheme.service !== undefined) form.set('service', scheme.service);
      if (scopes.length > 0) form.set('scope', scopes.join(' '));
      response = await this.deps.send({
        method: 'POST',
        url: scheme.realm,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new TextEncoder().encode(form.toString()),
        ...(signal ? { signal } : {}),
      });
    } else {
      const url = new URL(scheme.realm);
      if (scheme.service !== undefined) url.searchParams.set('service', scheme.service);
      for (const scope of scopes) url.searchParams.append('scope', scope);
      const headers: Record<string, string> = {};
      if (credential?.kind === 'basic') {
        url.searchParams.set('account', credential.username);
        headers.authorization = basicOf(credential.username, credential.password);
      }
      response = await this.deps.send({ method: 'GET', url, headers, ...(signal ? { signal } : {}) });
    }
    const body = await readTokenAnswer(response, what);
    if (response.status === 401 || response.status === 403) {
      if (resolved === undefined) throw this.noCredentials(registry, scopes.join(' '));
      throw this.refused(registry, scopes.join(' '), resolved);
    }
    if (response.status !== 200) {
      throw new OciError('PROTOCOL', `${what} answered HTTP ${response.status} to a token request`);
    }
    let parsed: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      // No cause: a JSON SyntaxError quotes the text it read, which may be the token.
      throw new OciError('PROTOCOL', `${what} answered a token request with something that is not JSON`);
    }
    const token =
      typeof parsed.access_token === 'string' && parsed.access_token !== ''
        ? parsed.access_token
        : typeof parsed.token === 'string'
          ? parsed.token
          : '';
    if (token === '') throw new OciError('PROTOCOL', `${what} answered without a token`);
    const expiresIn =
      typeof parsed.expires_in === 'number' && parsed.expires_in > 0 ? parsed.expires_in * 1000 : 60_000;
    const margin = Math.min(10_000, expiresIn / 2);
    this.secrets.add(token);
    const list = this.tokens.get(host) ?? [];
    list.push({ atoms, token, expiresAt: this.deps.clock.now() + expiresIn - margin });
    this.tokens.set(host, list);
    this.deps.logger.debug(`oci: got a token for ${registry} (${scopes.join(' ') || 'no scope'})`);
    return token;
  }

  private async exchangeAzure(
    request: TokenRequest,
    credential: Extract<Credential, { kind: 'azure' }>,
  ): Promise<string> {
    const { registry, host, scheme, signal } = request;
    // The Azure AD token is good for every registry the identity can reach, and the refresh token
    // for this one: both go to the registry's own origin only, whatever the challenge's realm says.
    const origin = new URL(`${this.deps.isPlainHttp(registry) ? 'http' : 'https'}://${host}`);
    if (scheme.realm.origin !== origin.origin) {
      throw new OciError(
        'INSECURE',
        `registry ${registry} points to a token service on another host (${scheme.realm.origin}); an Azure Container Registry serves its tokens itself, so the Azure AD token is not sent there`,
      );
    }
    const now = this.deps.clock.now();
    const cached = this.exchanged.get(host);
    if (cached !== undefined && cached.expiresAt > now) return cached.refreshToken;
    let aad;
    try {
      aad = await credential.credential.getToken(ACR_AAD_SCOPE, {
        ...(credential.tenantId !== undefined ? { tenantId: credential.tenantId } : {}),
        ...(signal ? { abortSignal: signal } : {}),
      });
    } catch (error) {
      throw new OciError(
        'UNAUTHORIZED',
        `could not get an Azure AD token for ${registry}: ${(error as Error).message}; check the Azure login (workload identity, az login, or environment credentials)`,
        { cause: error },
      );
    }
    if (aad === null || aad.token === '') {
      throw new OciError(
        'UNAUTHORIZED',
        `the Azure credential returned no token for ${registry}; check the Azure login`,
      );
    }
    const form = new URLSearchParams({
      grant_type: 'access_token',
      service: scheme.service ?? registry,
      access_token: aad.token,
    });
    if (credential.tenantId !== undefined) form.set('tenant', credential.tenantId);
    const url = new URL('/oauth2/exchange', origin);
    const response = await this.deps.send({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new TextEncoder().encode(form.toString()),
      ...(signal ? { signal } : {}),
    });
    const body = await readTokenAnswer(response, `the token exchange of ${registry} (${url.origin})`);
    if (response.status === 401 || response.status === 403) {
      throw new OciError(
        'UNAUTHORIZED',
        `registry ${registry} refused the Azure AD token at /oauth2/exchange (HTTP ${response.status}): give the identity a pull (AcrPull) or push (AcrPush) role on the registry`,
      );
    }
    if (response.status !== 200) {
      throw new OciError(
        'PROTOCOL',
        `registry ${registry} answered HTTP ${response.status} at /oauth2/exchange`,
      );
    }
    let refreshToken: unknown;
    try {
      refreshToken = (JSON.parse(body) as { refresh_token?: unknown }).refresh_token;
    } catch {
      // No cause: a JSON SyntaxError quotes the text it read, which may be the refresh token.
      throw new OciError(
        'PROTOCOL',
        `registry ${registry} answered /oauth2/exchange with something that is not JSON`,
      );
    }
    if (typeof refreshToken !== 'string' || refreshToken === '') {
      throw new OciError(
        'PROTOCOL',
        `registry ${registry} answered /oauth2/exchange without a refresh_token`,
      );
    }
    // The refresh token lives ~3 h; renew it with the AAD token, a minute early.
    this.secrets.add(aad.token);
    this.secrets.add(refreshToken);
    const expiresAt = Math.min(aad.expiresOnTimestamp, now + 3 * 3600_000) - 60_000;
    this.exchanged.set(host, { refreshToken, expiresAt });
    return refreshToken;
  }
}

/**
 * A token service's answer as text: bounded, and a failed read (reset, stall, the request
 * deadline) is that error, not an empty answer.
 */
async function readTokenAnswer(response: HttpResponse, what: string): Promise<string> {
  const bytes = await readBody(response, {
    what,
    maxBytes: MAX_TOKEN_RESPONSE_BYTES,
    limitFix: 'a token answer is a small JSON document; the token service is misbehaving',
  });
  return new TextDecoder().decode(bytes);
}

function basicOf(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

function basicHeader(resolved: ResolvedCredential, registry: string): string {
  const { credential } = resolved;
  if (credential.kind === 'basic') return basicOf(credential.username, credential.password);
  throw new OciError(
    'CONFIG_INVALID',
    `registry ${registry} asks for Basic authentication but the credential from ${resolved.source} is a ${credential.kind}; give a username and password`,
  );
}
