import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedPath } from '../../../../test/harness/paths.js';
import { verificationLevel } from '../trust-policy/verification-level.js';
import type { ApplicableTrustPolicy } from '../trust-policy/types.js';
import { DirectoryTrustStore } from '../trust-store/directory-trust-store.js';
import { MemoryTrustStore } from '../trust-store/memory-trust-store.js';
import type { VerificationLevelName } from '../types.js';
import {
  CAPABILITY_REVOCATION_CHECK,
  CAPABILITY_TRUSTED_IDENTITY,
  type RevocationChecker,
  type RevocationCheckRequest,
  type VerificationPlugin,
} from './services.js';
import { verifySignature, type VerifySignatureInput } from './verify-signature.js';

/** notation-go's verifier tests over its mock envelopes (INDEX.md §E1, §E6). */

const MOCK = 'vectors/notation-go/internal/mock/testdata/';
const env = (name: string): Uint8Array => new Uint8Array(readFileSync(sharedPath(MOCK + name)));
const trustStore = new DirectoryTrustStore(sharedPath('vectors/notation-go/verifier/testdata/truststore'));
const NOW = new Date('2026-11-27T00:00:00Z');
const okRevocation: RevocationChecker = () => Promise.resolve({ result: 'ok' });
const JWS = 'application/jose+json';

const dummyDescriptor = {
  mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
  digest: 'sha256:60043cf45eaebc4c0867fea485a039b598f52fd09fd5b07b0b2d2f88fad9d74e',
  size: 528,
};

function dummyPolicy(
  level: VerificationLevelName,
  overrides: Partial<ApplicableTrustPolicy> = {},
): ApplicableTrustPolicy {
  return {
    name: 'test-statement-name',
    verificationLevel: verificationLevel(level),
    verifyTimestamp: 'always',
    trustStores: ['ca:valid-trust-store', 'signingAuthority:valid-trust-store'],
    trustedIdentities: ['x509.subject:CN=Notation Test Root,O=Notary,L=Seattle,ST=WA,C=US'],
    ...overrides,
  };
}

function input(
  level: VerificationLevelName,
  envelope: Uint8Array,
  extra: Partial<VerifySignatureInput> = {},
) {
  return {
    envelope,
    envelopeMediaType: JWS,
    artifact: dummyDescriptor,
    policy: dummyPolicy(level),
    trustStore,
    clock: () => NOW,
    revocationChecker: okRevocation,
    ...extra,
  };
}

const LEVELS: VerificationLevelName[] = ['strict', 'permissive', 'audit'];

describe('notation-go TestNotationVerificationCombinations', () => {
  describe.each(LEVELS)('at level %s', (level) => {
    it('accepts ca_valid_sig_env.json', async () => {
      const outcome = await verifySignature(input(level, env('ca_valid_sig_env.json')));
      expect(outcome.accepted).toBe(true);
      expect(outcome.results.filter((r) => r.status === 'pass').map((r) => r.type)).toEqual(
        expect.arrayContaining(['integrity', 'authenticity', 'expiry']),
      );
      expect(outcome.details?.signatureAlgorithm).toBe('RSASSA-PSS-SHA-384');
    });

    it('fails integrity on ca_invalid_sig_env.json', async () => {
      const outcome = await verifySignature(input(level, env('ca_invalid_sig_env.json')));
      expect(outcome.accepted).toBe(false);
      expect(outcome.failedValidation).toBe('integrity');
      expect(outcome.results[0]?.message).toBe(
        'signature is invalid. Error: illegal base64 data at input byte 242',
      );
    });

    it('reports the expiry of ca_expired_sig_env.json', async () => {
      const outcome = await verifySignature(input(level, env('ca_expired_sig_env.json')));
      const expiry = outcome.results.find((r) => r.type === 'expiry');
      expect(expiry?.message).toBe('digital signature has expired on "Fri, 29 Jul 2022 23:59:00 +0000"');
      expect(expiry?.status).toBe(level === 'strict' ? 'fail' : 'logged');
      expect(outcome.accepted).toBe(level !== 'strict');
    });

    it('refuses the unsupported media type', async () => {
      const outcome = await verifySignature(
        input(level, env('ca_valid_sig_env.json'), { envelopeMediaType: 'application/unsupported+json' }),
      );
      expect(outcome.accepted).toBe(false);
      expect(outcome.results[0]?.message).toBe(
        'unable to parse the digital signature, error : signature envelope format with media type "application/unsupported+json" is not supported',
      );
    });

    it('fails authenticity against a store without the root (valid-trust-store-2)', async () => {
      const outcome = await verifySignature(
        input(level, env('ca_valid_sig_env.json'), {
          policy: dummyPolicy(level, { trustStores: ['ca:valid-trust-store-2'] }),
        }),
      );
      const authenticity = outcome.results.find((r) => r.type === 'authenticity');
      expect(authenticity?.message).toBe(
        "the signature's certificate chain does not contain any trusted certificate",
      );
      expect(authenticity?.status).toBe(level === 'audit' ? 'logged' : 'fail');
    });

    it('fails authenticity on a trusted identity that does not match', async () => {
      const outcome = await verifySignature(
        input(level, env('ca_valid_sig_env.json'), {
          policy: dummyPolicy(level, {
            trustedIdentities: ['x509.subject:CN=LOL,O=DummyOrg,L=Hyderabad,ST=TG,C=IN'],
          }),
        }),
      );
      expect(outcome.results.find((r) => r.type === 'authenticity')?.message).toBe(
        'signing certificate from the digital signature does not match the X.509 trusted identities [map["C":"IN" "CN":"LOL" "L":"Hyderabad" "O":"DummyOrg" "ST":"TG"]] defined in the trust policy "test-statement-name"',
      );
    });

    it.each([
      [
        'x509.subject',
        'trust policy statement "test-statement-name" has trusted identity "x509.subject" missing separator',
      ],
      [
        'x509.subject:',
        'trust policy statement "test-statement-name" has trusted identity "x509.subject:" without an identity value',
      ],
    ])('fails authenticity on the malformed identity %j', async (identity, message) => {
      const outcome = await verifySignature(
        input(level, env('ca_valid_sig_env.json'), {
          policy: dummyPolicy(level, { trustedIdentities: [identity] }),
        }),
      );
      const authenticity = outcome.results.find((r) => r.type === 'authenticity');
      expect(authenticity?.message).toBe(message);
      expect(authenticity?.status).toBe(level === 'audit' ? 'logged' : 'fail');
    });

    it('reports a trust store value without separator', async () => {
      const outcome = await verifySignature(
        input(level, env('ca_valid_sig_env.json'), {
          policy: dummyPolicy(level, { trustStores: ['signingAuthority'] }),
        }),
      );
      expect(outcome.results.find((r) => r.type === 'authenticity')?.message).toBe(
        'error while loading the trust store, trust policy statement "test-statement-name" is missing separator in trust store value "signingAuthority". The required format is <TrustStoreType>:<TrustStoreName>',
      );
    });
  });
});

describe('the revocation validation through an injected RevocationChecker', () => {
  const subject = 'CN=Notation Test Root,O=Notary,L=Seattle,ST=WA,C=US';
  const answering =
    (result: 'revoked' | 'unknown', seen: RevocationCheckRequest[] = []): RevocationChecker =>
    (request) => {
      seen.push(request);
      return Promise.resolve({ result, subject: request.certificates?.[0]?.subject });
    };

  it('hands the checker the signing chain as DER and already parsed', async () => {
    const seen: RevocationCheckRequest[] = [];
    await verifySignature(
      input('strict', env('ca_valid_sig_env.json'), { revocationChecker: answering('revoked', seen) }),
    );
    const [request] = seen;
    expect(request?.purpose).toBe('codeSigning');
    expect(request?.certificates?.map((c) => c.der)).toEqual(request?.chain);
    expect(request?.certificates?.[0]?.subject).toBe(subject);
  });

  it("fails a revoked signer at level strict with notation's message", async () => {
    const outcome = await verifySignature(
      input('strict', env('ca_valid_sig_env.json'), { revocationChecker: answering('revoked') }),
    );
    expect(outcome.failedValidation).toBe('revocation');
    expect(outcome.error).toBe(
      `revocation validation failed. Failure reason: signing certificate with subject "${subject}" is revoked`,
    );
  });

  it('only logs an unknown status at level permissive', async () => {
    const outcome = await verifySignature(
      input('permissive', env('ca_valid_sig_env.json'), { revocationChecker: answering('unknown') }),
    );
    expect(outcome.accepted).toBe(true);
    expect(outcome.results.find((r) => r.type === 'revocation')).toMatchObject({
      status: 'logged',
      message: `signing certificate with subject "${subject}" revocation status is unknown`,
    });
  });
});

describe('verification plugins (ca_plugin_sig_env.json)', () => {
  it('is refused when no plugin support is configured', async () => {
    const outcome = await verifySignature(input('strict', env('ca_plugin_sig_env.json')));
    expect(outcome.accepted).toBe(false);
    expect(outcome.error).toBe('plugin unsupported due to nil verifier.pluginManager');
  });

  it('is refused when the plugin is not installed', async () => {
    const outcome = await verifySignature(
      input('strict', env('ca_plugin_sig_env.json'), { plugins: () => Promise.resolve(undefined) }),
    );
    expect(outcome.error).toBe(
      'error while locating the verification plugin "plugin-name", make sure the plugin is installed successfully before verifying the signature. error: plugin not found',
    );
  });

  it('requires the plugin to process every extended critical attribute', async () => {
    const plugin: VerificationPlugin = {
      name: 'plugin-name',
      version: '1.0.0',
      capabilities: [CAPABILITY_TRUSTED_IDENTITY],
      verifySignature: () =>
        Promise.resolve({
          verificationResults: { [CAPABILITY_TRUSTED_IDENTITY]: { success: true } },
          processedAttributes: [],
        }),
    };
    const outcome = await verifySignature(
      input('strict', env('ca_plugin_sig_env.json'), { plugins: () => Promise.resolve(plugin) }),
    );
    expect(outcome.error).toBe(
      'extended critical attribute "SomeKey" was not processed by the verification plugin "plugin-name" (all extended critical attributes must be processed by the verification plugin)',
    );
  });

  it('accepts when the plugin processes SomeKey and verifies identity and revocation', async () => {
    const plugin: VerificationPlugin = {
      name: 'plugin-name',
      version: '1.0.0',
      capabilities: [CAPABILITY_TRUSTED_IDENTITY, CAPABILITY_REVOCATION_CHECK],
      verifySignature: (req) =>
        Promise.resolve({
          verificationResults: Object.fromEntries(req.capabilities.map((c) => [c, { success: true }])),
          processedAttributes: req.unprocessedAttributes,
        }),
    };
    const outcome = await verifySignature(
      input('strict', env('ca_plugin_sig_env.json'), {
        plugins: () => Promise.resolve(plugin),
        revocationChecker: undefined,
      }),
    );
    expect(outcome.accepted).toBe(true);
    expect(outcome.results.find((r) => r.type === 'revocation')?.status).toBe('pass');
  });
});

describe('notation-go TestPluginVersionCompatibility (plugin version 1.0.0)', () => {
  const wabbit = new MemoryTrustStore([
    {
      type: 'ca',
      name: 'valid-trust-store',
      files: [
        {
          name: 'wabbit-networks.io.crt',
          data: readFileSync(
            sharedPath(
              'vectors/notation-go/verifier/testdata/truststore/x509/ca/valid-trust-store/wabbit-networks.io.crt',
            ),
          ),
        },
      ],
    },
  ]);
  const plugin: VerificationPlugin = {
    name: 'io.cncf.notary.plugin.unittest.mock',
    version: '1.0.0',
    capabilities: [CAPABILITY_TRUSTED_IDENTITY],
    verifySignature: (req) =>
      Promise.resolve({
        verificationResults: Object.fromEntries(req.capabilities.map((c) => [c, { success: true }])),
        processedAttributes: req.unprocessedAttributes,
      }),
  };
  const run = (file: string) =>
    verifySignature({
      envelope: env(file),
      envelopeMediaType: JWS,
      artifact: {
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        digest: 'sha256:fe7e9333395060c2f5e63cf36a38fba10176f183b4163a5794e081a480abba5f',
        size: 942,
      },
      policy: dummyPolicy('strict', { trustStores: ['ca:valid-trust-store'], trustedIdentities: ['*'] }),
      trustStore: wabbit,
      clock: () => NOW,
      revocationChecker: okRevocation,
      plugins: (name) => Promise.resolve(name === plugin.name ? plugin : undefined),
    });

  it.each(['1.0.9', '1.0.1', '1.2.3', '1.1.0-alpha'])('refuses a signature needing %s', async (v) => {
    const outcome = await run(`ca_incompatible_pluginver_sig_env_${v}.json`);
    expect(outcome.accepted).toBe(false);
    expect(outcome.error).toBe(
      `found plugin io.cncf.notary.plugin.unittest.mock with version 1.0.0 but signature verification needs plugin version greater than or equal to ${v}`,
    );
  });

  it.each(['0.0.9', '1.0.0-alpha', '1.0.0-alpha.beta', '1.0.0'])(
    'accepts a signature needing %s',
    async (v) => {
      const outcome = await run(`ca_compatible_pluginver_sig_env_${v}.json`);
      expect(outcome.error).toBeUndefined();
      expect(outcome.accepted).toBe(true);
    },
  );
});

describe('notation-go TestVerifyUserMetadata (sig_env_with_metadata.json, level audit)', () => {
  const run = (userMetadata: Record<string, string>) =>
    verifySignature({
      envelope: env('sig_env_with_metadata.json'),
      envelopeMediaType: JWS,
      artifact: {
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        digest: 'sha256:5a07385af4e6b6af81b0ebfd435aedccdfa3507f0609c658209e1aba57159b2b',
        size: 942,
      },
      policy: dummyPolicy('audit'),
      trustStore,
      clock: () => NOW,
      revocationChecker: okRevocation,
      userMetadata,
    });

  it.each<Record<string, string>>([
    {},
    { 'io.wabbit-networks.buildId': '123' },
    { 'io.wabbit-networks.buildId': '123', 'io.wabbit-networks.buildTime': '1672944615' },
  ])('accepts %j', async (metadata) => {
    const outcome = await run(metadata);
    expect(outcome.accepted).toBe(true);
    expect(outcome.results.find((r) => r.type === 'authenticity')?.status).toBe('logged');
  });

  it.each<Record<string, string>>([
    { 'io.wabbit-networks.buildId': '321' },
    { 'io.wabbit-networks.buildId': '123', 'io.wabbit-networks.buildTime': '1' },
  ])('refuses %j', async (metadata) => {
    const outcome = await run(metadata);
    expect(outcome.accepted).toBe(false);
    expect(outcome.error).toBe('unable to find specified metadata in the signature');
  });
});

describe('notation-go TestVerifyBlob (verifier_test.go.extracted/testSig.jws.sig)', () => {
  const dir = 'vectors/notation-go/verifier/verifier_test.go.extracted/';
  const store = new MemoryTrustStore([
    {
      type: 'ca',
      name: 'dummy-ts',
      files: [{ name: 'trustedCert.pem', data: readFileSync(sharedPath(`${dir}trustedCert.pem`)) }],
    },
  ]);
  const descriptor = {
    mediaType: 'video/mp4',
    digest:
      'sha384:b8ab24dafba5cf7e4c89c562f811cf10493d4203da982d3b1345f366ca863d9c2ed323dbd0fb7ff83a80302ceffa5a61',
    size: 12,
  };
  const run = (artifact: typeof descriptor, userMetadata?: Record<string, string>) =>
    verifySignature({
      envelope: new Uint8Array(readFileSync(sharedPath(`${dir}testSig.jws.sig`))),
      envelopeMediaType: JWS,
      artifact,
      policy: dummyPolicy('strict', {
        name: 'blob-test-policy',
        trustStores: ['ca:dummy-ts'],
        trustedIdentities: ['*'],
      }),
      trustStore: store,
      clock: () => NOW,
      revocationChecker: okRevocation,
      userMetadata,
    });

  it('accepts the blob descriptor', async () => {
    const outcome = await run(descriptor);
    expect(outcome.accepted).toBe(true);
    expect(outcome.details?.signer.subject).toBe(
      'CN=Notation Example self-signed,O=Notary,L=Seattle,ST=WA,C=US',
    );
  });

  it('accepts with user metadata buildId=101', async () => {
    expect((await run(descriptor, { buildId: '101' })).accepted).toBe(true);
  });

  it('refuses another digest', async () => {
    const outcome = await run({ ...descriptor, digest: `${descriptor.digest.slice(0, -1)}2` });
    expect(outcome.accepted).toBe(false);
    expect(outcome.failedValidation).toBe('integrity');
    expect(outcome.error).toContain('content descriptor mismatch');
  });
});
