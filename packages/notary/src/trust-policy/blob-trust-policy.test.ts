import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedPath } from '../../../../test/harness/paths.js';
import { getBlobTrustPolicy, parseBlobTrustPolicy, validateBlobTrustPolicy } from './blob-trust-policy.js';
import type { BlobTrustPolicyStatement } from './types.js';
import { notaryErrorOf as failure } from '../notary-error.test-support.js';

const blobFile = sharedPath('vectors/notation/test/e2e/testdata/blob/trustpolicies/trustpolicy.blob.json');
const e2eBlobPolicy = sharedPath(
  'vectors/notation/test/e2e/testdata/config/trustpolicies/blob_trust_policy.json',
);

describe('blob trust policies', () => {
  it('reads trustpolicy.blob.json and picks the global statement by default (blob/verify.go "with default")', () => {
    const doc = parseBlobTrustPolicy(readFileSync(blobFile));
    expect(getBlobTrustPolicy(doc).name).toBe('test-blob-global-statement');
  });

  it('picks a statement by name, with its timestamp settings ("with timestamping")', () => {
    const doc = parseBlobTrustPolicy(readFileSync(blobFile));
    const p = getBlobTrustPolicy(doc, 'test-blob-with-timestamping');
    expect(p.trustStores).toEqual(['ca:e2e', 'tsa:e2e']);
    expect(p.verifyTimestamp).toBe('always');
  });

  it('reads blob_trust_policy.json with its skip and global audit statements', () => {
    const doc = parseBlobTrustPolicy(readFileSync(e2eBlobPolicy));
    expect(getBlobTrustPolicy(doc).verificationLevel.name).toBe('audit');
    expect(getBlobTrustPolicy(doc, 'skip-verification-policy').verificationLevel.name).toBe('skip');
  });

  it("reports notation's messages when no statement applies", () => {
    const doc = parseBlobTrustPolicy(readFileSync(blobFile));
    expect(failure(() => getBlobTrustPolicy(doc, 'nope')).message).toBe(
      'no applicable blob trust policy with name "nope"',
    );
    expect(failure(() => getBlobTrustPolicy(doc, '  ')).message).toBe('policy name cannot be empty');
    const noGlobal = parseBlobTrustPolicy(
      '{"version":"1.0","trustPolicies":[{"name":"a","signatureVerification":{"level":"strict"},"trustStores":["ca:x"],"trustedIdentities":["*"]}]}',
    );
    expect(failure(() => getBlobTrustPolicy(noGlobal)).message).toBe('no global blob trust policy');
  });

  describe('validation', () => {
    const s = (over: Partial<BlobTrustPolicyStatement> = {}): BlobTrustPolicyStatement => ({
      name: 'test-statement-name',
      signatureVerification: { level: 'strict' },
      trustStores: ['ca:valid-trust-store'],
      trustedIdentities: ['*'],
      ...over,
    });
    const msg = (...statements: BlobTrustPolicyStatement[]): string =>
      failure(() => {
        validateBlobTrustPolicy({ version: '1.0', trustPolicies: statements });
      }).message;

    it('rejects two global statements', () => {
      expect(msg(s({ globalPolicy: true }), s({ name: 'b', globalPolicy: true }))).toBe(
        'multiple blob trust policy statements have globalPolicy set to true. Only one trust policy statement can be marked as global policy',
      );
    });
    it('rejects a global skip statement (the spec rule notation fails to enforce)', () => {
      expect(
        msg(
          s({
            globalPolicy: true,
            signatureVerification: { level: 'skip' },
            trustStores: [],
            trustedIdentities: [],
          }),
        ),
      ).toBe('global blob trust policy statement cannot have verification level set to skip');
    });
    it('prefixes statement errors with "blob trust policy: "', () => {
      expect(msg(s({ trustedIdentities: [] }))).toBe(
        'blob trust policy: trust policy statement "test-statement-name" is either missing trust stores or trusted identities, both must be specified',
      );
    });
    it('rejects duplicate names and bad versions', () => {
      expect(msg(s(), s())).toBe(
        'multiple blob trust policy statements use the same name "test-statement-name", statement names must be unique',
      );
      expect(
        failure(() => {
          validateBlobTrustPolicy({ version: '', trustPolicies: [s()] });
        }).message,
      ).toBe('blob trust policy has empty version, version must be specified');
      expect(
        failure(() => {
          validateBlobTrustPolicy({ version: '2.0', trustPolicies: [s()] });
        }).message,
      ).toBe('blob trust policy document uses unsupported version "2.0"');
      expect(
        failure(() => {
          validateBlobTrustPolicy({ version: '1.0', trustPolicies: [] });
        }).message,
      ).toBe('blob trust policy document can not have zero trust policy statements');
    });
    it('rejects registryScopes in a blob statement as an unknown field', () => {
      expect(
        failure(() =>
          parseBlobTrustPolicy(
            '{"version":"1.0","trustPolicies":[{"name":"a","registryScopes":["*"],"signatureVerification":{"level":"strict"},"trustStores":["ca:x"],"trustedIdentities":["*"]}]}',
          ),
        ).message,
      ).toContain('unknown field "registryScopes" in trustPolicies[0]');
    });
  });
});
