/**
 * A FAKE Azure Key Vault for tests: an object implementing the Azure SDK `HttpClient`
 * (`sendRequest`) that answers the real `CertificateClient` / `CryptographyClient` requests from
 * memory. It does the Key Vault challenge (401 + WWW-Authenticate, then a bearer token) and signs
 * digests with a real local private key (through `openssl pkeyutl`, test-only), so the envelopes
 * the signer builds verify for real.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { children, parseElement } from '../x509/der.js';
import type { KeyVaultHttpClient } from './key-vault-signer.js';

type SendRequest = KeyVaultHttpClient['sendRequest'];
type PipelineRequest = Parameters<SendRequest>[0];
type PipelineResponse = Awaited<ReturnType<SendRequest>>;

export interface FakeCertificate {
  name: string;
  version: string;
  certificateDer: Uint8Array;
  keyPem: string;
}

class Headers {
  private readonly map = new Map<string, string>();
  constructor(init: Record<string, string> = {}) {
    for (const [k, v] of Object.entries(init)) this.map.set(k.toLowerCase(), v);
  }
  get(name: string): string | undefined {
    return this.map.get(name.toLowerCase());
  }
  has(name: string): boolean {
    return this.map.has(name.toLowerCase());
  }
  set(name: string, value: string | number | boolean): void {
    this.map.set(name.toLowerCase(), String(value));
  }
  delete(name: string): void {
    this.map.delete(name.toLowerCase());
  }
  toJSON(): Record<string, string> {
    return Object.fromEntries(this.map);
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.map.entries();
  }
}

function rawEcdsa(derSig: Uint8Array, size: number): Uint8Array {
  const [r, s] = children(parseElement(derSig));
  const fixed = (v: Uint8Array | undefined): Uint8Array => {
    const bytes = Array.from(v ?? []);
    while (bytes.length > size && bytes[0] === 0) bytes.shift();
    while (bytes.length < size) bytes.unshift(0);
    return Uint8Array.from(bytes);
  };
  return Uint8Array.from([...fixed(r?.value), ...fixed(s?.value)]);
}

export class FakeKeyVault {
  /** Every request the SDK sent: method and path, for assertions. */
  readonly requests: { method: string; path: string; authorized: boolean }[] = [];
  /** Make the next sign call fail with this HTTP status (to test error handling). */
  failSignWith: number | undefined;

  constructor(
    private readonly host: string,
    private readonly certificates: readonly FakeCertificate[],
    private readonly token: string,
  ) {}

  readonly sendRequest = (request: PipelineRequest): Promise<PipelineResponse> => {
    const url = new URL(request.url);
    const authorization = request.headers.get('authorization');
    const authorized = authorization === `Bearer ${this.token}`;
    this.requests.push({ method: request.method, path: url.pathname, authorized });
    const respond = (
      status: number,
      body: unknown,
      headers: Record<string, string> = {},
    ): PipelineResponse => ({
      request,
      status,
      headers: new Headers({ 'content-type': 'application/json', ...headers }),
      bodyAsText: body === undefined ? '' : JSON.stringify(body),
    });
    if (url.host !== this.host)
      return Promise.resolve(respond(404, { error: { code: 'NotFound', message: 'x' } }));
    if (!authorized) {
      return Promise.resolve(
        respond(
          401,
          { error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' } },
          {
            'www-authenticate':
              'Bearer authorization="https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000", resource="https://vault.azure.net"',
          },
        ),
      );
    }
    const parts = url.pathname.split('/').filter((p) => p !== '');
    const cert = this.certificates.find((c) => c.name === parts[1] && c.version === parts[2]);
    if (cert === undefined) {
      return Promise.resolve(respond(404, { error: { code: 'KeyNotFound', message: 'not found' } }));
    }
    const base = `https://${this.host}`;
    if (request.method === 'GET' && parts[0] === 'certificates') {
      return Promise.resolve(
        respond(200, {
          id: `${base}/certificates/${cert.name}/${cert.version}`,
          kid: `${base}/keys/${cert.name}/${cert.version}`,
          sid: `${base}/secrets/${cert.name}/${cert.version}`,
          cer: Buffer.from(cert.certificateDer).toString('base64'),
          attributes: { enabled: true },
        }),
      );
    }
    if (request.method === 'GET' && parts[0] === 'keys' && parts.length === 3) {
      return Promise.resolve(respond(403, { error: { code: 'Forbidden', message: 'no get permission' } }));
    }
    if (request.method === 'POST' && parts[0] === 'keys' && parts[3] === 'sign') {
      if (this.failSignWith !== undefined) {
        const status = this.failSignWith;
        this.failSignWith = undefined;
        return Promise.resolve(
          respond(status, { error: { code: 'Forbidden', message: 'secret-detail-xyz' } }),
        );
      }
      const body = JSON.parse(typeof request.body === 'string' ? request.body : '{}') as {
        alg: string;
        value: string;
      };
      const digest = Buffer.from(body.value, 'base64url');
      return Promise.resolve(
        respond(200, {
          kid: `${base}/keys/${cert.name}/${cert.version}`,
          value: Buffer.from(this.signDigest(cert.keyPem, body.alg, digest)).toString('base64url'),
        }),
      );
    }
    return Promise.resolve(respond(400, { error: { code: 'BadParameter', message: 'unsupported' } }));
  };

  private signDigest(keyPem: string, alg: string, digest: Uint8Array): Uint8Array {
    const dir = mkdtempSync(path.join(tmpdir(), 'fake-kv-'));
    try {
      writeFileSync(path.join(dir, 'key.pem'), keyPem, { mode: 0o600 });
      writeFileSync(path.join(dir, 'digest.bin'), digest);
      const hash = `sha${alg.slice(2)}`;
      const args = ['pkeyutl', '-sign', '-inkey', 'key.pem', '-in', 'digest.bin', '-out', 'sig.bin'];
      if (alg.startsWith('PS')) {
        args.push(
          '-pkeyopt',
          `digest:${hash}`,
          '-pkeyopt',
          'rsa_padding_mode:pss',
          '-pkeyopt',
          'rsa_pss_saltlen:digest',
        );
      }
      execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
      const sig = new Uint8Array(readFileSync(path.join(dir, 'sig.bin')));
      if (alg.startsWith('ES')) return rawEcdsa(sig, alg === 'ES256' ? 32 : alg === 'ES384' ? 48 : 66);
      return sig;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
