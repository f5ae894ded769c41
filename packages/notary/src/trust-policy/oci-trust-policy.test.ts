import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedPath } from '../../../../test/harness/paths.js';
import { getApplicableTrustPolicy, parseOciTrustPolicy, validateOciTrustPolicy } from './oci-trust-policy.js';
import type { TrustPolicyDocument, TrustPolicyStatement } from './types.js';
import { notaryErrorOf as failure } from '../notary-error.test-support.js';

const e2eDir = (file: string): string =>
  sharedPath('vectors/notation/test/e2e/testdata/config/trustpolicies', file);
const read = (path: string): Uint8Array => new Uint8Array(readFileSync(path));

const LINK = 'https://notaryproject.dev/docs/quickstart/#create-a-trust-policy';
const DIGEST = '@sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9';

describe('the e2e trust policy files (INDEX.md section C)', () => {
  const valid = [
    'trustpolicy.json',
    'any_registry_scope_trust_policy.json',
    'registry_scope_trustpolicy.json',
    'multiple_registry_scope_trustpolicy.json',
    'invalid_registry_scope_trustpolicy.json',
    'multi_statements_with_wildcard_registry_scope_trustpolicy.json',
    'valid_trusted_identity_trustpolicy.json',
    'invalid_trusted_identity_trustpolicy.json',
    'invalid_trust_store_trustpolicy.json',
    'multiple_trust_store_trustpolicy.json',
    'overlapped_trust_store_trustpolicy.json',
    'permissive_trustpolicy.json',
    'audit_trustpolicy.json',
    'skip_trustpolicy.json',
    'override_strict_trustpolicy.json',
    'override_permissive_trustpolicy.json',
    'timestamp_trustpolicy.json',
    'timestamp_after_cert_expiry_trustpolicy.json',
    'quickstart_trustpolicy.json',
    'generate_test_trustpolicy.json',
  ];
  for (const file of valid) {
    it(`accepts ${file}`, () => {
      const doc = parseOciTrustPolicy(read(e2eDir(file)));
      expect(doc.version).toBe('1.0');
      expect(doc.trustPolicies.length).toBeGreaterThan(0);
    });
  }

  const invalid: Array<[string, string]> = [
    [
      'empty_registry_scope_trustpolicy.json',
      'oci trust policy statement "e2e" has zero registry scopes, it must specify registry scopes with at least one value',
    ],
    [
      'malformed_registry_scope_trustpolicy.json',
      'registry scope "localhost:5000\\\\test-repo" is not valid, make sure it is a fully qualified repository without the scheme, protocol or tag. For example domain.com/my/repository or a local scope like local/myOCILayout',
    ],
    [
      'overlapped_registry_scope_trustpolicy.json',
      'registry scope "localhost:5000/test-repo6" is present in multiple oci trust policy statements, one registry scope value can only be associated with one statement',
    ],
    [
      'wildcard_plus_other_registry_scope_trustpolicy.json',
      'oci trust policy statement "e2e" uses wildcard registry scope \'*\', a wildcard scope cannot be used in conjunction with other scope values',
    ],
    [
      'multi_statements_with_the_same_registry_scope_trustpolicy.json',
      'registry scope "localhost:5000/test-repo8" is present in multiple oci trust policy statements, one registry scope value can only be associated with one statement',
    ],
    [
      'multi_statements_with_the_same_name_trustpolicy.json',
      'multiple oci trust policy statements use the same name "e2e", statement names must be unique',
    ],
    [
      'malformed_trusted_identity_trustpolicy.json',
      'oci trust policy: trust policy statement "e2e" has trusted identity "x509.subject CN=e2e,O=Notary,L=Seattle,ST=WA,C=US" missing separator',
    ],
    [
      'empty_trusted_identity_trustpolicy.json',
      'oci trust policy: trust policy statement "e2e" has an empty trusted identity',
    ],
    [
      'unset_trusted_identity_trustpolicy.json',
      'oci trust policy: trust policy statement "e2e" is either missing trust stores or trusted identities, both must be specified',
    ],
    [
      'unset_trust_store_trustpolicy.json',
      'oci trust policy: trust policy statement "e2e" is either missing trust stores or trusted identities, both must be specified',
    ],
    [
      'wildcard_trust_store_trustpolicy.json',
      'oci trust policy: trust policy statement "e2e" has malformed trust store value "*". The required format is <TrustStoreType>:<TrustStoreName>',
    ],
    [
      'missing_organization_trusted_identity_trustpolicy.json',
      'oci trust policy: trust policy statement "e2e" has trusted identity "x509.subject: CN=e2e,L=Seattle,ST=WA,C=US" with invalid identity value: distinguished name (DN) " CN=e2e,L=Seattle,ST=WA,C=US" has no mandatory RDN attribute for "O", it must contain \'C\', \'ST\', and \'O\' RDN attributes at a minimum',
    ],
    [
      'missing_state_trusted_identity_trustpolicy.json',
      'oci trust policy: trust policy statement "e2e" has trusted identity "x509.subject: CN=e2e,O=Notary,L=Seattle,C=US" with invalid identity value: distinguished name (DN) " CN=e2e,O=Notary,L=Seattle,C=US" has no mandatory RDN attribute for "ST", it must contain \'C\', \'ST\', and \'O\' RDN attributes at a minimum',
    ],
  ];
  for (const [file, message] of invalid) {
    it(`rejects ${file} with notation's message`, () => {
      const err = failure(() => parseOciTrustPolicy(read(e2eDir(file))));
      expect(err.code).toBe('TRUST_POLICY_INVALID');
      expect(err.message).toBe(message);
    });
  }

  it('rejects invalid_format_trustpolicy.json as malformed, naming where', () => {
    const err = failure(() => parseOciTrustPolicy(read(e2eDir('invalid_format_trustpolicy.json'))));
    expect(err.message).toBe(
      `malformed trust policy. To create a trust policy, see: ${LINK}. Cause: unexpected character "}", expected ',' or ']' in an array at line 7, column 7`,
    );
  });

  it('rejects the blob policy file as an OCI policy (globalPolicy is not an OCI field)', () => {
    const err = failure(() => parseOciTrustPolicy(read(e2eDir('blob_trust_policy.json'))));
    expect(err.message).toContain('unknown field "globalPolicy" in trustPolicies[2]');
  });

  it('rejects notation-action\'s invalid-trustpolicy.json ("invalid" plus "*")', () => {
    const err = failure(() =>
      parseOciTrustPolicy(
        read(sharedPath('vectors/notation-action/tests/e2e/verify/trustpolicy/invalid-trustpolicy.json')),
      ),
    );
    expect(err.message).toBe(
      'oci trust policy statement "e2e-test-invalid" uses wildcard registry scope \'*\', a wildcard scope cannot be used in conjunction with other scope values',
    );
  });
});

describe('selecting the applicable statement', () => {
  it('uses the exact repository scope over "*" (multi_statements_with_wildcard)', () => {
    const doc = parseOciTrustPolicy(
      read(e2eDir('multi_statements_with_wildcard_registry_scope_trustpolicy.json')),
    );
    expect(getApplicableTrustPolicy(doc, `localhost:5000/test-repo9${DIGEST}`).name).toBe('e2e');
    expect(getApplicableTrustPolicy(doc, `localhost:5000/other${DIGEST}`).name).toBe('e2e2');
  });

  it('matches a single repository scope (registry_scope_trustpolicy.json)', () => {
    const doc = parseOciTrustPolicy(read(e2eDir('registry_scope_trustpolicy.json')));
    const p = getApplicableTrustPolicy(doc, `localhost:5000/test-repo${DIGEST}`);
    expect(p).toEqual({
      name: 'e2e',
      verificationLevel: {
        name: 'strict',
        enforcement: {
          integrity: 'enforce',
          authenticity: 'enforce',
          authenticTimestamp: 'enforce',
          expiry: 'enforce',
          revocation: 'enforce',
        },
      },
      verifyTimestamp: 'always',
      trustStores: ['ca:e2e'],
      trustedIdentities: ['*'],
    });
  });

  describe('when no statement applies (invalid_registry_scope_trustpolicy.json)', () => {
    it("fails with notation's message", () => {
      const doc = parseOciTrustPolicy(read(e2eDir('invalid_registry_scope_trustpolicy.json')));
      const ref = `localhost:5000/test-repo${DIGEST}`;
      const err = failure(() => getApplicableTrustPolicy(doc, ref));
      expect(err.code).toBe('NO_APPLICABLE_POLICY');
      expect(err.message).toBe(
        `artifact "${ref}" has no applicable oci trust policy statement. Trust policy applicability for a given artifact is determined by registryScopes. To create a trust policy, see: ${LINK}`,
      );
    });
  });

  it('requires a digest reference', () => {
    const doc = parseOciTrustPolicy(read(e2eDir('trustpolicy.json')));
    expect(failure(() => getApplicableTrustPolicy(doc, 'localhost:5000/test-repo:v1')).message).toBe(
      'artifact URI "localhost:5000/test-repo:v1" could not be parsed, make sure it is the fully qualified oci artifact URI without the scheme/protocol. e.g domain.com:80/my/repository@sha256:digest',
    );
  });

  it('resolves the strict level with every validation overridden to log (override_strict_trustpolicy.json)', () => {
    const doc = parseOciTrustPolicy(read(e2eDir('override_strict_trustpolicy.json')));
    expect(getApplicableTrustPolicy(doc, `a.io/b${DIGEST}`).verificationLevel).toEqual({
      name: 'strict',
      enforcement: {
        integrity: 'enforce',
        authenticity: 'log',
        authenticTimestamp: 'log',
        expiry: 'log',
        revocation: 'log',
      },
    });
  });

  it('resolves permissive with overrides to enforce and authenticity to log (override_permissive_trustpolicy.json)', () => {
    const doc = parseOciTrustPolicy(read(e2eDir('override_permissive_trustpolicy.json')));
    expect(getApplicableTrustPolicy(doc, `a.io/b${DIGEST}`).verificationLevel.enforcement).toEqual({
      integrity: 'enforce',
      authenticity: 'log',
      authenticTimestamp: 'enforce',
      expiry: 'enforce',
      revocation: 'enforce',
    });
  });

  it('resolves audit, permissive and skip presets', () => {
    const level = (file: string): unknown =>
      getApplicableTrustPolicy(parseOciTrustPolicy(read(e2eDir(file))), `a.io/b${DIGEST}`).verificationLevel
        .enforcement;
    expect(level('audit_trustpolicy.json')).toEqual({
      integrity: 'enforce',
      authenticity: 'log',
      authenticTimestamp: 'log',
      expiry: 'log',
      revocation: 'log',
    });
    expect(level('permissive_trustpolicy.json')).toEqual({
      integrity: 'enforce',
      authenticity: 'enforce',
      authenticTimestamp: 'log',
      expiry: 'log',
      revocation: 'log',
    });
    expect(level('skip_trustpolicy.json')).toEqual({
      integrity: 'skip',
      authenticity: 'skip',
      authenticTimestamp: 'skip',
      expiry: 'skip',
      revocation: 'skip',
    });
  });

  it('reads verifyTimestamp (timestamp_after_cert_expiry_trustpolicy.json)', () => {
    const get = (file: string): string =>
      getApplicableTrustPolicy(parseOciTrustPolicy(read(e2eDir(file))), `a.io/b${DIGEST}`).verifyTimestamp;
    expect(get('timestamp_after_cert_expiry_trustpolicy.json')).toBe('afterCertExpiry');
    expect(get('timestamp_trustpolicy.json')).toBe('always');
    expect(get('trustpolicy.json')).toBe('always');
  });
});

// notation-go oci_test.go TestValidateInvalidPolicyDocument, on documents built in code.
describe('validating a document built in code', () => {
  const statement = (over: Partial<TrustPolicyStatement> = {}): TrustPolicyStatement => ({
    name: 'test-statement-name',
    registryScopes: ['registry.acme-rockets.io/software/net-monitor'],
    signatureVerification: { level: 'strict' },
    trustStores: ['ca:valid-trust-store', 'signingAuthority:valid-trust-store'],
    trustedIdentities: ['x509.subject:CN=Notation Test Root,O=Notary,L=Seattle,ST=WA,C=US'],
    ...over,
  });
  const doc = (...s: TrustPolicyStatement[]): TrustPolicyDocument => ({ version: '1.0', trustPolicies: s });
  const msg = (d: TrustPolicyDocument): string =>
    failure(() => {
      validateOciTrustPolicy(d);
    }).message;

  it('accepts the dummy document', () => {
    expect(() => {
      validateOciTrustPolicy(doc(statement()));
    }).not.toThrow();
  });

  const cases: Array<[string, TrustPolicyDocument, string]> = [
    [
      'an empty version',
      { version: '', trustPolicies: [statement()] },
      'oci trust policy document has empty version, version must be specified',
    ],
    [
      'an unsupported version',
      { version: 'invalid', trustPolicies: [statement()] },
      'oci trust policy document uses unsupported version "invalid"',
    ],
    [
      'no statements',
      { version: '1.0', trustPolicies: [] },
      'oci trust policy document can not have zero trust policy statements',
    ],
    [
      'a statement without a name',
      doc(statement({ name: '' })),
      'oci trust policy: a trust policy statement is missing a name, every statement requires a name',
    ],
    [
      'an invalid level',
      doc(statement({ signatureVerification: { level: 'invalid' } })),
      'oci trust policy: trust policy statement "test-statement-name" has invalid signatureVerification: invalid signature verification level "invalid"',
    ],
    [
      'an empty level',
      doc(statement({ signatureVerification: { level: '' } })),
      'oci trust policy: trust policy statement "test-statement-name" has invalid signatureVerification: signature verification level is empty or missing in the trust policy statement',
    ],
    [
      'an invalid verifyTimestamp',
      doc(statement({ signatureVerification: { level: 'strict', verifyTimestamp: 'invalid' } })),
      'oci trust policy: trust policy statement "test-statement-name" has invalid signatureVerification: verifyTimestamp must be "always" or "afterCertExpiry", but got "invalid"',
    ],
    [
      'skip with trust stores',
      doc(statement({ signatureVerification: { level: 'skip' } })),
      'oci trust policy: trust policy statement "test-statement-name" is set to skip signature verification but configured with trust stores and/or trusted identities, remove them if signature verification needs to be skipped',
    ],
    [
      'a trust store without separator',
      doc(statement({ trustStores: ['ca'] })),
      'oci trust policy: trust policy statement "test-statement-name" has malformed trust store value "ca". The required format is <TrustStoreType>:<TrustStoreName>',
    ],
    [
      'an unknown trust store type',
      doc(statement({ trustStores: ['invalid:test-trust-store'] })),
      'oci trust policy: trust policy statement "test-statement-name" uses an unsupported trust store type "invalid" in trust store value "invalid:test-trust-store"',
    ],
    [
      'an empty named store',
      doc(statement({ trustStores: ['ca:'] })),
      'oci trust policy: trust policy statement "test-statement-name" uses an unsupported trust store name "" in trust store value "ca:". Named store name needs to follow [a-zA-Z0-9_.-]+ format',
    ],
    [
      'a store name with bad characters',
      doc(statement({ trustStores: ['ca:#@$@$'] })),
      'oci trust policy: trust policy statement "test-statement-name" uses an unsupported trust store name "#@$@$" in trust store value "ca:#@$@$". Named store name needs to follow [a-zA-Z0-9_.-]+ format',
    ],
    [
      'a wildcard identity with another',
      doc(statement({ trustedIdentities: ['*', 'test-identity'] })),
      'oci trust policy: trust policy statement "test-statement-name" uses a wildcard trusted identity \'*\', a wildcard identity cannot be used in conjunction with other values',
    ],
    [
      'duplicate names',
      doc(statement(), statement({ registryScopes: ['registry.acme-rockets.io/software/legacy/metrics'] })),
      'multiple oci trust policy statements use the same name "test-statement-name", statement names must be unique',
    ],
    [
      'the same scope in two statements',
      doc(statement(), statement({ name: 'test-statement-name-2' })),
      'registry scope "registry.acme-rockets.io/software/net-monitor" is present in multiple oci trust policy statements, one registry scope value can only be associated with one statement',
    ],
    [
      'two "*" statements',
      doc(statement({ registryScopes: ['*'] }), statement({ name: 'two', registryScopes: ['*'] })),
      'registry scope "*" is present in multiple oci trust policy statements, one registry scope value can only be associated with one statement',
    ],
  ];
  for (const [name, d, expected] of cases) {
    it(`rejects ${name}`, () => {
      expect(msg(d)).toBe(expected);
    });
  }

  it('accepts skip without stores and identities, and skip with "*" (as notation does)', () => {
    expect(() => {
      validateOciTrustPolicy(
        doc(
          statement({
            registryScopes: ['*'],
            signatureVerification: { level: 'skip' },
            trustStores: [],
            trustedIdentities: [],
          }),
        ),
      );
    }).not.toThrow();
  });

  describe('registry scope formats (notation-go TestValidRegistryScopes / TestInvalidRegistryScopes)', () => {
    for (const scope of [
      '*',
      'example.com/rep',
      'example.com:8080/rep/rep2',
      'example.com/rep/subrep/subsub',
      '10.10.10.10:8080/rep/rep2',
      'domain/rep',
      'domain:1234/rep',
      'local/my-oci-layout',
      'a.io/x__y/z-----w.v_u',
    ]) {
      it(`accepts ${scope}`, () => {
        expect(() => {
          validateOciTrustPolicy(doc(statement({ registryScopes: [scope] })));
        }).not.toThrow();
      });
    }
    for (const scope of [
      '',
      '1:1',
      'a,b',
      'abcd',
      '1111',
      '1,2',
      'example.com/rep:tag',
      'example.com/rep/subrep/sub:latest',
      'example.com',
      'rep/rep2:latest',
      'repository',
      '10.10.10.10',
      '10.10.10.10:8080/rep/rep2:latest',
      'Example.com/Upper',
      'a.io/x___y',
    ]) {
      it(`rejects ${JSON.stringify(scope)}`, () => {
        expect(msg(doc(statement({ registryScopes: [scope] })))).toBe(
          `registry scope ${JSON.stringify(scope)} is not valid, make sure it is a fully qualified repository without the scheme, protocol or tag. For example domain.com/my/repository or a local scope like local/myOCILayout`,
        );
      });
    }
    for (const scope of ['example.com/*', '*/', 'example*/', 'ex*test']) {
      it(`rejects the wildcard form ${scope}`, () => {
        expect(msg(doc(statement({ registryScopes: [scope] })))).toBe(
          `registry scope "${scope}" with wild card(s) is not valid, make sure it is a fully qualified repository without the scheme, protocol or tag. For example domain.com/my/repository or a local scope like local/myOCILayout`,
        );
      });
    }
  });
});

describe('hostile documents get one clear error each', () => {
  const base = (statementJson: string): string => `{"version":"1.0","trustPolicies":[${statementJson}]}`;
  const ok =
    '{"name":"a","registryScopes":["*"],"signatureVerification":{"level":"strict"},"trustStores":["ca:x"],"trustedIdentities":["*"]}';
  const cause = (input: string | Uint8Array): string => {
    const m = failure(() => parseOciTrustPolicy(input)).message;
    expect(m.startsWith(`malformed trust policy. To create a trust policy, see: ${LINK}. Cause: `)).toBe(
      true,
    );
    return m.slice(m.indexOf('Cause: ') + 7);
  };

  it('accepts the baseline', () => {
    expect(parseOciTrustPolicy(base(ok)).trustPolicies[0]?.name).toBe('a');
  });
  it('rejects duplicate keys (JSON.parse would keep the last one silently)', () => {
    expect(cause('{"version":"1.0","version":"2.0","trustPolicies":[]}')).toBe(
      'duplicate key "version" at line 1, column 18',
    );
  });
  it('rejects a duplicate key inside a statement', () => {
    expect(cause(base(ok.replace('"name":"a"', '"name":"a","name":"b"')))).toMatch(/^duplicate key "name"/);
  });
  it('rejects deep nesting', () => {
    expect(cause(`${'['.repeat(100)}${']'.repeat(100)}`)).toBe(
      'nesting deeper than 32 levels at line 1, column 33',
    );
  });
  it('rejects documents over the size bound before parsing them', () => {
    const huge = base(ok).replace('"a"', JSON.stringify('x'.repeat(2 * 1024 * 1024)));
    expect(cause(huge)).toBe('document is larger than 1048576 bytes');
  });
  it('rejects wrong types, naming the field', () => {
    expect(cause(base(ok.replace('["*"],"sig', '"*","sig')))).toBe(
      'trustPolicies[0].registryScopes must be an array of strings, found a string',
    );
    expect(cause(base(ok.replace('"trustStores":["ca:x"]', '"trustStores":["ca:x",7]')))).toBe(
      'trustPolicies[0].trustStores[1] must be a string, found a number',
    );
    expect(cause('{"version":1,"trustPolicies":[]}')).toBe(
      'the document.version must be a string, found a number',
    );
    expect(cause('[]')).toBe('the document must be an object, found an array');
    expect(
      cause(base(ok.replace('{"level":"strict"}', '{"level":"strict","override":{"expiry":true}}'))),
    ).toBe('trustPolicies[0].signatureVerification.override.expiry must be a string, found a boolean');
  });
  it('rejects unknown fields (a typo would otherwise be ignored)', () => {
    expect(cause(base(ok.replace('"trustedIdentities"', '"trustedIdentity"')))).toBe(
      'unknown field "trustedIdentity" in trustPolicies[0]; allowed fields are name, registryScopes, signatureVerification, trustStores, trustedIdentities',
    );
  });
  it('rejects trailing data, a BOM, invalid UTF-8 and an empty document', () => {
    expect(cause(`${base(ok)} {}`)).toMatch(/^unexpected character "{" after the top-level value/);
    expect(cause(`\ufeff${base(ok)}`)).toBe('a byte-order mark is not allowed at line 1, column 1');
    expect(cause(Uint8Array.from([0x7b, 0xff, 0x7d]))).toBe('document is not valid UTF-8');
    expect(cause('   ')).toBe('the document is empty at line 1, column 4');
  });
  it('treats "__proto__" as an ordinary (unsupported) override key', () => {
    const err = failure(() =>
      parseOciTrustPolicy(
        base(ok.replace('{"level":"strict"}', '{"level":"strict","override":{"__proto__":"log"}}')),
      ),
    );
    expect(err.message).toBe(
      'oci trust policy: trust policy statement "a" has invalid signatureVerification: verification type "__proto__" in custom signature verification is not supported, supported values are ["integrity" "authenticity" "authenticTimestamp" "expiry" "revocation"]',
    );
  });
  it('reads "override": {} as no override (like notation)', () => {
    const d = parseOciTrustPolicy(
      base(
        ok
          .replace('{"level":"strict"}', '{"level":"skip","override":{}}')
          .replace('"trustStores":["ca:x"],"trustedIdentities":["*"]', '"trustStores":[]'),
      ),
    );
    expect(getApplicableTrustPolicy(d, `a.io/b${DIGEST}`).verificationLevel.name).toBe('skip');
  });
});
