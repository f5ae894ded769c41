import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revocationFetcher } from './revocation-fetcher.js';

let server: http.Server;
let base = '';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/crl') {
      res.writeHead(200, { 'content-type': 'application/pkix-crl' });
      res.end(Buffer.from([1, 2, 3]));
    } else if (req.url === '/huge') {
      res.writeHead(200);
      res.write(Buffer.alloc(1024));
      res.end(Buffer.alloc(1024));
    } else if (req.url === '/slow') {
      setTimeout(() => {
        res.end('late');
      }, 2_000);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
});

describe('the revocation fetcher', () => {
  it('returns the body of a CRL distribution point', async () => {
    expect(await revocationFetcher()(`${base}/crl`)).toEqual(new Uint8Array([1, 2, 3]));
  });

  it('names the status of a failed answer', async () => {
    await expect(revocationFetcher()(`${base}/missing`)).rejects.toThrow(`${base}/missing answered HTTP 404`);
  });

  it('refuses bodies above its bound', async () => {
    await expect(revocationFetcher({ maxBytes: 1500 })(`${base}/huge`)).rejects.toThrow(
      'more than 1500 bytes',
    );
  });

  it('gives up after its timeout', async () => {
    await expect(revocationFetcher({ timeoutMs: 100 })(`${base}/slow`)).rejects.toThrow();
  });

  it('refuses other schemes', async () => {
    await expect(revocationFetcher()('ldap://ca.example.com/crl')).rejects.toThrow('is not http(s)');
  });
});
