import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedPath } from '../../../../test/harness/paths.js';
import { parseCertificateFile } from '../trust-store/certificate-file.js';
import type { Certificate } from '../x509/certificate.js';
import { checkCrlStatus, parseCrl, validateCrl } from './crl.js';
import type { RevocationFetcher } from './types.js';
import {
  decideRevocation,
  revocationMessage,
  validateRevocation,
  verifyRevocation,
} from './validate-revocation.js';

const crlDir = (f: string): string => sharedPath('vectors/notation/test/e2e/testdata/config/crl', f);
const chain = parseCertificateFile(new Uint8Array(readFileSync(crlDir('certchain_with_crl.pem'))));
const crl = (f: string): Uint8Array => new Uint8Array(readFileSync(crlDir(f)));

const LEAF = 'CN=LeafCert,OU=OrgUnit,O=Organization,L=City,ST=State,C=US';
const INTERMEDIATE = 'CN=IntermediateCA,OU=OrgUnit,O=Organization,L=City,ST=State,C=US';
/** A fixed verification time inside every CRL's validity. */
const NOW = new Date('2026-11-27T00:00:00Z');

/** Serves the e2e CRL server's files; the intermediate's OCSP responder is unreachable (as in the e2e run). */
function crlServer(files: { leaf: string; intermediate: string }, calls: string[] = []): RevocationFetcher {
  return (url) => {
    calls.push(url);
    if (url === 'http://localhost:10086/leaf.crl') return Promise.resolve(crl(files.leaf));
    if (url === 'http://localhost:10086/intermediate.crl') return Promise.resolve(crl(files.intermediate));
    return Promise.reject(new Error(`Get "${url}": dial tcp: lookup localhost.test: no such host`));
  };
}

/** A fetcher that answers every URL with `answer()`, and the URLs it was asked for. */
function recordingFetch(answer: () => Promise<Uint8Array>): { calls: string[]; fetch: RevocationFetcher } {
  const calls: string[] = [];
  return {
    calls,
    fetch: (url) => {
      calls.push(url);
      return answer();
    },
  };
}

describe('CRL revocation (notation e2e scenario/crl.go, INDEX D)', () => {
  it('reads the chain and its distribution points', () => {
    expect(chain.map((c) => c.subject)).toEqual([
      LEAF,
      INTERMEDIATE,
      'CN=RootCA,OU=OrgUnit,O=Organization,L=City,ST=State,C=US',
    ]);
    expect(chain[0]?.crlDistributionPoints).toEqual(['http://localhost:10086/leaf.crl']);
    expect(chain[1]?.ocspServers).toEqual(['http://localhost.test/ocsp']);
  });

  it('parses revoked entries', () => {
    expect(parseCrl(crl('leaf_revoked.crl')).entries.map((e) => e.serialNumber)).toEqual([0x1000n]);
    expect(parseCrl(crl('intermediate_revoked.crl')).entries.map((e) => e.serialNumber)).toEqual([0x1002n]);
    expect(parseCrl(crl('leaf.crl')).entries).toEqual([]);
  });

  describe('when nothing is revoked', () => {
    it('passes, falling back from the unreachable OCSP responder to the CRL for certificate #2', async () => {
      const calls: string[] = [];
      const results = await validateRevocation(chain, {
        fetch: crlServer({ leaf: 'leaf.crl', intermediate: 'intermediate.crl' }, calls),
        now: NOW,
      });
      expect(results.map((r) => [r.result, r.method])).toEqual([
        ['ok', 'CRL'],
        ['ok', 'OCSPFallbackCRL'],
        ['nonRevokable', 'Unknown'],
      ]);
      const decision = decideRevocation(results, chain);
      expect(decision.result).toBe('ok');
      expect(decision.logs.map((l) => l.message)).toContain(
        `OCSP check failed with unknown error and fallback to CRL check for certificate #2 in chain with subject "${INTERMEDIATE}"`,
      );
      expect(decision.logs.at(-1)?.message).toBe(
        'No verification impacting errors encountered while checking revocation, status is OK',
      );
      expect(calls.some((u) => u.startsWith('http://localhost.test/ocsp/'))).toBe(true);
    });
  });

  describe('when the leaf is revoked', () => {
    it("fails with notation's message", async () => {
      const results = await validateRevocation(chain, {
        fetch: crlServer({ leaf: 'leaf_revoked.crl', intermediate: 'intermediate.crl' }),
        now: NOW,
      });
      expect(revocationMessage(decideRevocation(results, chain), 'codeSigning')).toBe(
        `signing certificate with subject "${LEAF}" is revoked`,
      );
    });
  });

  describe('when the intermediate is revoked', () => {
    it('fails naming the intermediate, and logs the OCSP fallback', async () => {
      const results = await validateRevocation(chain, {
        fetch: crlServer({ leaf: 'leaf.crl', intermediate: 'intermediate_revoked.crl' }),
        now: NOW,
      });
      const decision = decideRevocation(results, chain);
      expect(revocationMessage(decision, 'codeSigning')).toBe(
        `signing certificate with subject "${INTERMEDIATE}" is revoked`,
      );
      expect(decision.logs[0]?.message).toBe(
        `OCSP check failed with unknown error and fallback to CRL check for certificate #2 in chain with subject "${INTERMEDIATE}"`,
      );
    });
  });

  describe('when the CRL is stale or foreign (leaf_expired.crl, nextUpdate 2023-12-25, signed by an earlier intermediate key)', () => {
    it('reports the status as unknown because the CRL is not signed by the issuer', async () => {
      const results = await validateRevocation(chain, {
        fetch: crlServer({ leaf: 'leaf_expired.crl', intermediate: 'intermediate.crl' }),
        now: new Date('2023-12-24T12:00:00Z'),
      });
      expect(results[0]?.result).toBe('unknown');
      expect(results[0]?.serverResults[0]?.error).toBe(
        `failed to validate CRL from http://localhost:10086/leaf.crl: CRL is not signed by CA ${INTERMEDIATE}: crypto/rsa: verification error,`,
      );
      expect(revocationMessage(decideRevocation(results, chain), 'codeSigning')).toBe(
        `signing certificate with subject "${LEAF}" revocation status is unknown`,
      );
    });
    it('reports an expired CRL once the clock passes nextUpdate', async () => {
      const results = await validateRevocation(chain, {
        fetch: crlServer({ leaf: 'leaf.crl', intermediate: 'intermediate.crl' }),
        now: new Date('2125-01-01T00:00:00Z'),
      });
      expect(results[0]?.serverResults[0]?.error).toBe(
        'failed to validate CRL from http://localhost:10086/leaf.crl: expired CRL. Current time 2125-01-01 00:00:00 +0000 UTC is after CRL NextUpdate 2124-10-18 05:30:52 +0000 UTC',
      );
    });
  });

  describe('when the CRL cannot be fetched or read', () => {
    it('is unknown, and enforce fails while log only logs', async () => {
      const down: RevocationFetcher = () => Promise.reject(new Error('connection refused'));
      const enforced = await verifyRevocation(chain, 'enforce', { fetch: down, now: NOW });
      expect(enforced.result).toEqual({
        type: 'revocation',
        action: 'enforce',
        status: 'fail',
        // Every certificate is unknown: notation reports the one nearest the leaf.
        message: `signing certificate with subject "${LEAF}" revocation status is unknown`,
      });
      expect(enforced.logs.map((l) => l.message)).toContain(
        `Certificate #1 in chain with subject "${LEAF}" encountered an error for revocation method CRL at URL "http://localhost:10086/leaf.crl": failed to download CRL from http://localhost:10086/leaf.crl: connection refused`,
      );
      const logged = await verifyRevocation(chain, 'log', { fetch: down, now: NOW });
      expect(logged.result.status).toBe('logged');
      const skipped = await verifyRevocation(chain, 'skip', { fetch: down, now: NOW });
      expect(skipped.result.status).toBe('skipped');
    });
    it('rejects a body that is not a CRL', async () => {
      const junk: RevocationFetcher = () => Promise.resolve(new Uint8Array([1, 2, 3]));
      const results = await validateRevocation(chain.slice(0, 2), { fetch: junk, now: NOW });
      expect(results[0]?.serverResults[0]?.error).toMatch(
        /^failed to download CRL from http:\/\/localhost:10086\/leaf.crl: x509: malformed crl/,
      );
    });
    it('refuses a CRL at the size bound', async () => {
      const results = await validateRevocation(chain.slice(0, 2), {
        fetch: () => Promise.resolve(crl('leaf.crl')),
        now: NOW,
        maxCrlBytes: 100,
      });
      expect(results[0]?.serverResults[0]?.error).toContain('CRL size reached the');
    });
  });

  it('passes the whole chain (given as DER) with a verification result when nothing is revoked', async () => {
    const r = await verifyRevocation(
      chain.map((c) => c.der),
      'enforce',
      {
        fetch: crlServer({ leaf: 'leaf.crl', intermediate: 'intermediate.crl' }),
        now: NOW,
      },
    );
    expect(r.result.status).toBe('pass');
  });

  it('refuses a chain that is not in issuing order', async () => {
    const r = await verifyRevocation([chain[1]!, chain[0]!], 'enforce', {
      fetch: crlServer({ leaf: 'leaf.crl', intermediate: 'intermediate.crl' }),
      now: NOW,
    });
    expect(r.result.status).toBe('fail');
    expect(r.result.message).toMatch(/^unable to check revocation status, err: invalid chain: /);
  });
});

describe('delta CRLs (notation-core-go revocation/crl/testdata)', () => {
  const core = (f: string): Uint8Array =>
    new Uint8Array(readFileSync(sharedPath('vectors/notation-core-go/revocation/crl/testdata', f)));
  const cert = (f: string): Certificate => {
    const [c] = parseCertificateFile(core(f));
    if (!c) throw new Error(f);
    return c;
  };

  it('reads the Delta CRL Indicator of delta.crl', () => {
    expect(parseCrl(core('delta.crl')).extensions.find((e) => e.oid === '2.5.29.27')?.critical).toBe(true);
  });

  it('refuses a base CRL announcing several delta CRLs', async () => {
    const leaf = cert('certificateWithDeltaCRL.cer');
    const r = await checkCrlStatus(leaf, leaf, {
      fetch: () => Promise.resolve(core('crlWithMultipleFreshestCRLs.crl')),
      now: NOW,
    });
    expect(r.result).toBe('unknown');
    expect(r.serverResults[0]?.error).toMatch(
      /: multiple Freshest CRL distribution points are not supported$/,
    );
  });

  it('refuses a certificate announcing several delta CRLs', async () => {
    const leaf = cert('certificateWith2DeltaCRL.cer');
    const r = await checkCrlStatus(leaf, leaf, { fetch: () => Promise.resolve(crl('leaf.crl')), now: NOW });
    expect(r.serverResults[0]?.error).toMatch(
      /: multiple Freshest CRL distribution points are not supported$/,
    );
  });

  it('fetches the delta CRL the certificate names, and refuses a delta CRL used as a base CRL', async () => {
    const leaf = cert('certificateWithDeltaCRL.cer');
    const { calls, fetch } = recordingFetch(() => Promise.resolve(core('delta.crl')));
    const r = await checkCrlStatus(leaf, leaf, { fetch, now: NOW });
    expect(calls).toHaveLength(2);
    expect(calls[1]).toContain('cmd=deltacrl');
    expect(r.result).toBe('unknown');
  });

  // INDEX gives these certificates no outcome of their own (they serve crl/fetcher_test.go); the
  // outcomes below follow from them: their CRL distribution point names no URI (an ediPartyName),
  // so, as for Go's x509 (CRLDistributionPoints empty), there is no CRL to check.
  it.each([
    'certificateWithIncompleteFreshestCRL.cer',
    'certificateWithIncompleteFreshestCRL2.cer',
    'certificateWithNonURIDeltaCRL.cer',
  ])('does not fetch anything for %s: its distribution point holds no URI', async (file) => {
    const leaf = cert(file);
    expect(leaf.crlDistributionPoints).toEqual([]);
    const { calls, fetch } = recordingFetch(() => Promise.reject(new Error('unexpected fetch')));
    const r = await checkCrlStatus(leaf, leaf, { fetch, now: NOW });
    expect(calls).toEqual([]);
    expect(r.result).toBe('nonRevokable');
  });

  it('fetches only the base CRL of certificateWithZeroDeltaCRLURL.cer (its Freshest CRL names no URL)', async () => {
    const leaf = cert('certificateWithZeroDeltaCRLURL.cer');
    const { calls, fetch } = recordingFetch(() => Promise.resolve(core('crlWithMultipleFreshestCRLs.crl')));
    const r = await checkCrlStatus(leaf, leaf, { fetch, now: NOW });
    expect(calls).toEqual(leaf.crlDistributionPoints);
    expect(calls[0]).toContain('cmd=crl&');
    expect(r.result).toBe('unknown');
  });

  it('validates a delta CRL only as a delta CRL', () => {
    const delta = parseCrl(core('delta.crl'));
    const issuer = chain[1]!;
    expect(validateCrl(delta, issuer, NOW, 'base')).toMatch(/^CRL is not signed by CA /);
  });
});
