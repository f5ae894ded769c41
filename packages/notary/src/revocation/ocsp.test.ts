import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedPath } from '../../../../test/harness/paths.js';
import { parseCertificateFile } from '../trust-store/certificate-file.js';
import { buildOcspRequest, checkOcspStatus, parseOcspResponse } from './ocsp.js';
import type { RevocationFetcher } from './types.js';
import { decideRevocation, revocationMessage, validateRevocation } from './validate-revocation.js';

// The e2e OCSP layout ships its CA and responder keys (public test keys, INDEX D). Responses
// are produced here with `openssl ocsp`, as the e2e ocsp_server.py does, in a temp directory.
const ocspDir = (f: string): string => sharedPath('vectors/notation/test/e2e/testdata/config/ocsp', f);
const chain = parseCertificateFile(new Uint8Array(readFileSync(ocspDir('certchain_with_ocsp.pem'))));
const [leaf, root] = chain as [NonNullable<(typeof chain)[0]>, NonNullable<(typeof chain)[1]>];
const LEAF = 'CN=LeafCert,OU=OrgUnit,O=Organization,L=City,ST=State,C=US';
const SERIAL = leaf.serialNumber.toString(16).toUpperCase();

const tmp = mkdtempSync(path.join(os.tmpdir(), 'scs-ocsp-'));
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

type Status = 'good' | 'revoked' | 'unknown';

function respond(
  status: Status,
  request: Uint8Array,
  signer: { cert: string; key: string } = { cert: 'ocsp.crt', key: 'ocsp.key' },
): Uint8Array {
  const index = path.join(tmp, `index-${status}.txt`);
  const line =
    status === 'good'
      ? `V\t21250121012109Z\t\t${SERIAL}\tunknown\t/CN=LeafCert\n`
      : status === 'revoked'
        ? `R\t21250121012109Z\t250214012109Z\t${SERIAL}\tunknown\t/CN=LeafCert\n`
        : '';
  writeFileSync(index, line);
  writeFileSync(`${index}.attr`, 'unique_subject = no\n');
  const req = path.join(tmp, 'req.der');
  const resp = path.join(tmp, `resp-${status}.der`);
  writeFileSync(req, request);
  execFileSync(
    'openssl',
    [
      'ocsp',
      '-index',
      index,
      '-rsigner',
      ocspDir(signer.cert),
      '-rkey',
      ocspDir(signer.key),
      '-CA',
      ocspDir('root.crt'),
      '-reqin',
      req,
      '-respout',
      resp,
      '-ndays',
      '1',
    ],
    { stdio: 'ignore' },
  );
  return new Uint8Array(readFileSync(resp));
}

function responder(status: Status, calls: string[] = []): RevocationFetcher {
  return (url) => {
    calls.push(url);
    const prefix = 'http://localhost:10087/';
    if (!url.startsWith(prefix)) return Promise.reject(new Error(`unexpected URL ${url}`));
    const request = new Uint8Array(Buffer.from(decodeURIComponent(url.slice(prefix.length)), 'base64'));
    return Promise.resolve(respond(status, request));
  };
}

describe('OCSP revocation (notation e2e scenario/ocsp.go, INDEX D)', () => {
  it('asks the AIA responder with a GET carrying a SHA-1 CertID', async () => {
    const calls: string[] = [];
    await checkOcspStatus(leaf, root, { fetch: responder('good', calls), now: new Date() });
    expect(calls).toHaveLength(1);
    const request = Buffer.from(
      decodeURIComponent(calls[0]!.slice('http://localhost:10087/'.length)),
      'base64',
    );
    expect(Buffer.compare(request, Buffer.from(buildOcspRequest(leaf, root)))).toBe(0);
    const reqFile = path.join(tmp, 'sent.der');
    writeFileSync(reqFile, request);
    const text = execFileSync('openssl', ['ocsp', '-reqin', reqFile, '-req_text']).toString();
    expect(text).toContain('Hash Algorithm: sha1');
    expect(text).toContain(`Serial Number: ${SERIAL}`);
  });

  describe('when the leaf is good', () => {
    it('passes ("No verification impacting errors encountered while checking revocation, status is OK")', async () => {
      const results = await validateRevocation(chain, { fetch: responder('good'), now: new Date() });
      expect(results.map((r) => r.result)).toEqual(['ok', 'nonRevokable']);
      const decision = decideRevocation(results, chain);
      expect(decision.result).toBe('ok');
      expect(decision.logs.map((l) => l.message)).toContain(
        'No verification impacting errors encountered while checking revocation, status is OK',
      );
    });
  });

  describe('when the leaf is revoked', () => {
    it("fails, and logs notation's per-server line", async () => {
      const results = await validateRevocation(chain, { fetch: responder('revoked'), now: new Date() });
      const decision = decideRevocation(results, chain);
      expect(revocationMessage(decision, 'codeSigning')).toBe(
        `signing certificate with subject "${LEAF}" is revoked`,
      );
      expect(decision.logs.map((l) => l.message)).toContain(
        `Certificate #1 in chain with subject "${LEAF}" encountered an error for revocation method OCSP at URL "http://localhost:10087": certificate is revoked via OCSP`,
      );
    });

    it('does not count a revocation whose invalidity date is after the authentic signing time', async () => {
      // openssl writes no invalidity date: the revocation stands whatever the signing time.
      const results = await validateRevocation(chain, {
        fetch: responder('revoked'),
        now: new Date(),
        signingTime: new Date('2020-01-01T00:00:00Z'),
      });
      expect(results[0]?.result).toBe('revoked');
    });
  });

  describe('when the responder does not know the leaf', () => {
    it('is unknown (no CRL to fall back to)', async () => {
      const results = await validateRevocation(chain, { fetch: responder('unknown'), now: new Date() });
      expect(results[0]?.serverResults[0]?.error).toBe('certificate has unknown status via OCSP');
      expect(revocationMessage(decideRevocation(results, chain), 'codeSigning')).toBe(
        `signing certificate with subject "${LEAF}" revocation status is unknown`,
      );
    });
  });

  describe('when the response cannot be trusted', () => {
    it('rejects a response signed by a key the issuer did not certify (the leaf signs it)', () => {
      const body = respond('good', buildOcspRequest(leaf, root), { cert: 'leaf.crt', key: 'leaf.key' });
      expect(() => parseOcspResponse(body, leaf, root)).toThrow(/^bad OCSP signature: /);
    });
    it('treats a stale response as unknown', async () => {
      const later = new Date(Date.now() + 3 * 24 * 3600 * 1000);
      const results = await validateRevocation(chain, { fetch: responder('good'), now: later });
      expect(results[0]?.serverResults[0]?.error).toBe(
        'error checking revocation status via OCSP: expired OCSP response',
      );
    });
    it('treats garbage and transport errors as unknown', async () => {
      const junk = await checkOcspStatus(leaf, root, {
        fetch: () => Promise.resolve(new Uint8Array([0x30, 0x00])),
        now: new Date(),
      });
      expect(junk.result).toBe('unknown');
      const down = await checkOcspStatus(leaf, root, {
        fetch: () => Promise.reject(new Error('timeout')),
        now: new Date(),
      });
      expect(down.serverResults[0]?.error).toBe('error checking revocation status via OCSP: timeout');
    });
    it('reports an error status from the responder', () => {
      // OCSPResponse { responseStatus unauthorized(6) }
      expect(() => parseOcspResponse(Uint8Array.from([0x30, 0x03, 0x0a, 0x01, 0x06]), leaf, root)).toThrow(
        'ocsp: error from server: unauthorized',
      );
    });
  });
});
