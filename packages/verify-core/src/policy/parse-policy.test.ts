import { describe, expect, it } from 'vitest';
import { PolicyError } from '../errors.js';
import { NOW } from '../test-support/notation-layouts.js';
import { thrownBy } from '../test-support/thrown.js';
import { parsePolicy } from './parse-policy.js';

/** The example of issue #4, verbatim. */
export const EXAMPLE_POLICY = `apiVersion: scs.dev/v1alpha1
kind: SupplyChainPolicy
metadata: { name: production }
spec:
  scopes:
    - name: apps
      registryScopes: ["registry.example.com/team/app"]   # or ["*"]
      signature:
        level: strict
        trustStores:
          - { name: corp, type: ca, certificates: ["certs/corp-root.pem"] }
        trustedIdentities: ["x509.subject: CN=build,O=Example,L=Seattle,ST=WA,C=US"]
      sbom: { required: true, formats: [spdx], signed: false, deniedPackages: [], deniedLicenses: [] }
      vulnerabilities:
        required: true
        maxSeverity: HIGH          # a CRITICAL finding denies
        ignoreUnfixed: false
        exceptions:
          - { id: CVE-2099-0001, reason: "not reachable", expires: "2099-01-01" }
  admission: { excludedNamespaces: [kube-system, gatekeeper-system], enforcementAction: deny }
`;

function policyError(text: string): PolicyError {
  return thrownBy(PolicyError, () => parsePolicy(text, { now: NOW, file: 'scs-policy.yaml' }));
}

/** A one-scope policy with the given signature block (YAML, indented 6). */
function withSignature(signature: string, extra = ''): string {
  return `apiVersion: scs.dev/v1alpha1
kind: SupplyChainPolicy
metadata: { name: p }
spec:
  scopes:
    - name: apps
      registryScopes: ["registry.example.com/team/app"]
      signature:
${signature}
${extra}`;
}

/** A one-scope policy whose signature block is strict, trusts the store corp and lists `identities` (YAML). */
function withIdentities(identities: string): string {
  return withSignature(`        level: strict
        trustStores: [{ name: corp, type: ca, certificates: [corp.pem] }]
        trustedIdentities: ${identities}`);
}

const GOOD_SIGNATURE = `        level: strict
        trustStores: [{ name: corp, type: ca, certificates: [corp.pem] }]
        trustedIdentities: ["x509.subject: CN=build,O=Example,ST=WA,C=US"]`;

describe('the example policy of issue #4', () => {
  it('is accepted as written, with every default filled in', () => {
    const { policy, warnings, digest } = parsePolicy(EXAMPLE_POLICY, { now: NOW, baseDir: '/etc/scs' });
    expect(warnings).toEqual([]);
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(policy.metadata.name).toBe('production');
    const scope = policy.spec.scopes[0]!;
    expect(scope.registryScopes).toEqual(['registry.example.com/team/app']);
    expect(scope.signature).toEqual({
      level: 'strict',
      override: {},
      verifyTimestamp: 'always',
      trustStores: [
        { name: 'corp', type: 'ca', source: 'files', certificates: ['/etc/scs/certs/corp-root.pem'] },
      ],
      trustedIdentities: ['x509.subject: CN=build,O=Example,L=Seattle,ST=WA,C=US'],
    });
    expect(scope.sbom).toEqual({
      required: true,
      formats: ['spdx'],
      signed: false,
      deniedPackages: [],
      deniedLicenses: [],
    });
    expect(scope.vulnerabilities).toMatchObject({
      required: true,
      maxSeverity: 'HIGH',
      ignoreUnfixed: false,
      unknownSeverity: 'CRITICAL',
      formats: ['trivy', 'sarif'],
      exceptions: [{ id: 'CVE-2099-0001', reason: 'not reachable', expires: '2099-01-01' }],
    });
    expect(policy.spec.admission).toEqual({
      includedNamespaces: [],
      excludedNamespaces: ['kube-system', 'gatekeeper-system'],
      enforcementAction: 'deny',
    });
  });

  it('gives the same digest for the same bytes and another for other bytes', () => {
    const a = parsePolicy(EXAMPLE_POLICY, { now: NOW }).digest;
    expect(parsePolicy(EXAMPLE_POLICY, { now: NOW }).digest).toBe(a);
    expect(parsePolicy(`${EXAMPLE_POLICY}\n# changed\n`, { now: NOW }).digest).not.toBe(a);
  });

  it('is also accepted as JSON', () => {
    const json = JSON.stringify({
      apiVersion: 'scs.dev/v1alpha1',
      kind: 'SupplyChainPolicy',
      metadata: { name: 'j' },
      spec: {
        scopes: [
          {
            name: 'all',
            registryScopes: ['*'],
            signature: {
              level: 'strict',
              trustStores: [{ name: 'a', type: 'ca', certificates: ['a.pem'] }],
              trustedIdentities: ['*'],
            },
          },
        ],
      },
    });
    const { policy, warnings } = parsePolicy(json, { now: NOW });
    expect(policy.spec.scopes[0]!.sbom.required).toBe(false);
    expect(warnings.map((w) => w.path)).toEqual(['spec.scopes[0].signature.trustedIdentities[0]']);
  });
});

describe('when a field is unknown', () => {
  it('names the field, its line and the closest known field', () => {
    const error = policyError(
      withSignature(`        level: strict
        trustStores: [{ name: corp, type: ca, certificates: [corp.pem] }]
        trustedIdentity: ["x509.subject: CN=build,O=Example,ST=WA,C=US"]`),
    );
    const unknown = error.problems.find((p) => p.message.includes('unknown field'));
    expect(unknown).toMatchObject({
      path: 'spec.scopes[0].signature.trustedIdentity',
      position: { line: 11, column: 9 },
    });
    expect(unknown?.fix).toContain('did you mean "trustedIdentities"');
    expect(error.message).toMatch(
      /^scs-policy\.yaml:11:9: spec\.scopes\[0\]\.signature\.trustedIdentity: unknown field/,
    );
  });
});

describe('when a field has the wrong type', () => {
  it('says what was expected and where', () => {
    const error = policyError(withSignature(GOOD_SIGNATURE, '      sbom: { required: "yes" }'));
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatchObject({
      path: 'spec.scopes[0].sbom.required',
      message: 'must be true or false, not the text "yes"',
      position: { line: 12 },
    });
  });

  it('lists the accepted values of an enumeration', () => {
    const error = policyError(
      withSignature(GOOD_SIGNATURE, '      vulnerabilities: { maxSeverity: SEVERE }'),
    );
    expect(error.problems[0]?.path).toBe('spec.scopes[0].vulnerabilities.maxSeverity');
    expect(error.problems[0]?.fix).toBe('use one of "NONE", "LOW", "MEDIUM", "HIGH", "CRITICAL"');
  });

  it('rejects another apiVersion', () => {
    const error = policyError(EXAMPLE_POLICY.replace('scs.dev/v1alpha1', 'scs.dev/v2'));
    expect(error.problems[0]).toMatchObject({ path: 'apiVersion', fix: 'write "scs.dev/v1alpha1"' });
  });
});

describe('when trust is not configured', () => {
  it('rejects a scope without trust stores instead of trusting everyone', () => {
    const error = policyError(
      withSignature(`        level: strict
        trustedIdentities: ["x509.subject: CN=build,O=Example,ST=WA,C=US"]`),
    );
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]?.path).toBe('spec.scopes[0].signature.trustStores');
    expect(error.problems[0]?.message).toContain('never trusts every signer by default');
  });

  it('rejects a scope without trusted identities', () => {
    const error = policyError(withIdentities('[]'));
    expect(error.problems.map((p) => p.path)).toEqual(['spec.scopes[0].signature.trustedIdentities']);
    expect(error.problems[0]?.fix).toContain('"*"');
  });

  it('rejects a scope whose only store is a timestamping store', () => {
    const error = policyError(
      withSignature(`        level: strict
        trustStores: [{ name: ts, type: tsa, certificates: [ts.pem] }]
        trustedIdentities: ["*"]`),
    );
    expect(error.problems[0]?.message).toContain('only tsa trust stores');
  });

  it('requires exactly one source of certificates per trust store', () => {
    const none = policyError(
      withSignature(`        level: strict
        trustStores: [{ name: corp, type: ca }]
        trustedIdentities: ["*"]`),
    );
    expect(none.problems).toHaveLength(1);
    expect(none.problems[0]?.message).toBe('a trust store needs a source of certificates');
    const two = policyError(
      withSignature(`        level: strict
        trustStores: [{ name: corp, type: ca, certificates: [a.pem], pem: "x" }]
        trustedIdentities: ["*"]`),
    );
    expect(two.problems[0]?.message).toBe('a trust store has more than one source of certificates');
  });

  it('rejects an inline PEM that is not a certificate', () => {
    const error = policyError(
      withSignature(`        level: strict
        trustStores:
          - name: inline
            type: ca
            pem: |
              -----BEGIN PRIVATE KEY-----
              MIIB
              -----END PRIVATE KEY-----
        trustedIdentities: ["*"]`),
    );
    expect(error.problems[0]?.path).toBe('spec.scopes[0].signature.trustStores[0].pem');
    expect(error.problems[0]?.message).toContain('only CERTIFICATE blocks');
  });

  it('rejects two definitions of the same named store with different certificates', () => {
    const text = `apiVersion: scs.dev/v1alpha1
kind: SupplyChainPolicy
metadata: { name: p }
spec:
  scopes:
    - name: a
      registryScopes: ["r.example.com/a"]
      signature: { level: strict, trustStores: [{ name: corp, type: ca, certificates: [one.pem] }], trustedIdentities: ["*"] }
    - name: b
      registryScopes: ["r.example.com/b"]
      signature: { level: strict, trustStores: [{ name: corp, type: ca, certificates: [two.pem] }], trustedIdentities: ["*"] }
`;
    const error = policyError(text);
    expect(error.problems[0]?.path).toBe('spec.scopes[1].signature.trustStores[0]');
    expect(error.problems[0]?.message).toContain(
      'already defined at spec.scopes[0].signature.trustStores[0]',
    );
    // The same definition shared by two scopes is fine.
    expect(() => parsePolicy(text.replace('two.pem', 'one.pem'), { now: NOW })).not.toThrow();
  });
});

describe('when trusted identities are written', () => {
  it('honours "*" only when written explicitly, with a warning', () => {
    const { policy, warnings } = parsePolicy(withIdentities('["*"]'), { now: NOW });
    expect(policy.spec.scopes[0]!.signature.trustedIdentities).toEqual(['*']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ path: 'spec.scopes[0].signature.trustedIdentities[0]', line: 11 });
    expect(warnings[0]?.message).toContain('trusts any signing certificate');
  });

  it('rejects "*" mixed with other identities', () => {
    const error = policyError(withIdentities('["*", "x509.subject: CN=a,O=b,ST=c,C=US"]'));
    expect(error.problems[0]?.message).toContain('"*" is listed with other identities');
  });

  it.each([
    ['x509.subject CN=e2e,O=Notary,ST=WA,C=US', 'has no "<type>:" prefix'],
    ['x509.subject:', 'no subject after'],
    ['x509.subject: CN=e2e,O=Notary,L=Seattle,C=US', 'has no mandatory RDN attribute for "ST"'],
    ['x509.subject: CN=e2e+OU=x,O=Notary,ST=WA,C=US', 'has multi-valued RDN attributes'],
    ['x509.subject: CN=a,CN=b,O=Notary,ST=WA,C=US', 'has duplicate RDN attribute for "CN"'],
    ['x509.subject: CN=a,O=Notary,ST=WA,C=US,=x', 'failed with err'],
    ['email: build@example.com', 'type "email" is not supported'],
    ['', 'is empty'],
  ])('rejects %j', (identity, expected) => {
    const error = policyError(withIdentities(`[${JSON.stringify(identity)}]`));
    expect(error.problems[0]?.path).toBe('spec.scopes[0].signature.trustedIdentities[0]');
    expect(error.problems[0]?.message).toContain(expected);
  });

  it('rejects overlapping subjects', () => {
    const error = policyError(
      withIdentities('["x509.subject: O=Example,ST=WA,C=US", "x509.subject: CN=build,O=Example,ST=WA,C=US"]'),
    );
    expect(error.problems[0]?.path).toBe('spec.scopes[0].signature.trustedIdentities[1]');
    expect(error.problems[0]?.message).toContain('overlaps');
  });
});

describe('when scopes overlap', () => {
  const twoScopes = (a: string, b: string): string => `apiVersion: scs.dev/v1alpha1
kind: SupplyChainPolicy
metadata: { name: p }
spec:
  scopes:
    - name: a
      registryScopes: ${a}
      signature: { level: strict, trustStores: [{ name: corp, type: ca, certificates: [c.pem] }], trustedIdentities: ["*"] }
    - name: b
      registryScopes: ${b}
      signature: { level: strict, trustStores: [{ name: corp, type: ca, certificates: [c.pem] }], trustedIdentities: ["*"] }
`;

  it('rejects a repository listed in two scopes, at the second one', () => {
    const error = policyError(
      twoScopes('["r.example.com/app"]', '["r.example.com/other", "r.example.com/app"]'),
    );
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatchObject({
      path: 'spec.scopes[1].registryScopes[1]',
      position: { line: 10 },
    });
    expect(error.problems[0]?.message).toBe(
      'registry scope "r.example.com/app" is also in scope "a": scopes overlap',
    );
  });

  it('rejects two wildcard scopes', () => {
    const error = policyError(twoScopes('["*"]', '["*"]'));
    expect(error.problems[0]?.message).toContain('"*" is also in scope "a"');
  });

  it('accepts an exact scope beside a wildcard scope', () => {
    expect(
      parsePolicy(twoScopes('["r.example.com/app"]', '["*"]'), { now: NOW }).policy.spec.scopes,
    ).toHaveLength(2);
  });

  it('rejects a wildcard mixed with repositories in one scope', () => {
    const error = policyError(twoScopes('["*", "r.example.com/app"]', '["r.example.com/b"]'));
    expect(error.problems[0]?.message).toContain('lists the wildcard "*" with other registry scopes');
  });

  it.each([
    'https://r.example.com/app',
    'r.example.com/app:v1',
    'localhost:5000\\test-repo',
    'app',
    'r.example.com/App',
  ])('rejects the malformed registry scope %j', (scope) => {
    const error = policyError(twoScopes(JSON.stringify([scope]), '["r.example.com/b"]'));
    expect(error.problems[0]?.message).toContain('is not a fully qualified repository');
  });

  it('rejects two scopes with the same name', () => {
    const error = policyError(
      twoScopes('["r.example.com/a"]', '["r.example.com/b"]').replace('name: b', 'name: a'),
    );
    expect(error.problems[0]?.path).toBe('spec.scopes[1].name');
  });
});

describe('when signature verification is skipped', () => {
  it('is accepted only without stores and identities, and warned about', () => {
    const { warnings } = parsePolicy(withSignature('        level: skip'), { now: NOW });
    expect(warnings[0]?.message).toContain('accepted unsigned');
    const error = policyError(
      withSignature(`        level: skip
        trustStores: [{ name: corp, type: ca, certificates: [corp.pem] }]`),
    );
    expect(error.problems[0]?.message).toContain('skips signature verification but lists trust stores');
  });

  it('cannot require signed SBOMs', () => {
    const error = policyError(withSignature('        level: skip', '      sbom: { signed: true }'));
    expect(error.problems[0]?.path).toBe('spec.scopes[0].sbom.signed');
  });
});

describe('when vulnerability exceptions are written', () => {
  const withExceptions = (exceptions: string): string =>
    withSignature(
      GOOD_SIGNATURE,
      `      vulnerabilities:\n        required: true\n        exceptions:\n${exceptions}`,
    );

  it('warns about an expired exception, by the injected clock', () => {
    const text = withExceptions('          - { id: CVE-2020-0001, reason: r, expires: "2026-01-01" }');
    expect(parsePolicy(text, { now: new Date('2025-12-31T23:59:59Z') }).warnings).toEqual([]);
    const { warnings } = parsePolicy(text, { now: new Date('2026-01-01T00:00:00Z') });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toBe(
      'the exception for CVE-2020-0001 expired on 2026-01-01: it no longer counts',
    );
  });

  it.each(['2099-02-30', 'tomorrow', '01/01/2099'])('rejects the expiry %j', (expires) => {
    const error = policyError(
      withExceptions(`          - { id: CVE-2020-0001, reason: r, expires: "${expires}" }`),
    );
    expect(error.problems[0]?.path).toBe('spec.scopes[0].vulnerabilities.exceptions[0].expires');
  });

  it('rejects an id both denied and excepted', () => {
    const text = withSignature(
      GOOD_SIGNATURE,
      `      vulnerabilities:\n        required: true\n        deniedIds: [CVE-2021-44228]\n        exceptions:\n          - { id: CVE-2021-44228, reason: r, expires: "2099-01-01" }`,
    );
    const error = policyError(text);
    expect(error.problems[0]?.path).toBe('spec.scopes[0].vulnerabilities.exceptions[0].id');
    expect(error.problems[0]?.message).toBe('CVE-2021-44228 is both denied (deniedIds) and excepted');
  });

  it('requires a reason and an expiry', () => {
    const error = policyError(withExceptions('          - { id: CVE-2020-0001 }'));
    expect(error.problems.map((p) => p.path).sort()).toEqual([
      'spec.scopes[0].vulnerabilities.exceptions[0].expires',
      'spec.scopes[0].vulnerabilities.exceptions[0].reason',
    ]);
  });
});

describe('when denied packages are written', () => {
  it('rejects a version range that cannot be read', () => {
    const error = policyError(
      withSignature(
        GOOD_SIGNATURE,
        '      sbom: { required: true, deniedPackages: [{ name: log4j-core, versions: ">=2.0 <<2.17" }] }',
      ),
    );
    expect(error.problems[0]?.path).toBe('spec.scopes[0].sbom.deniedPackages[0].versions');
    expect(error.problems[0]?.message).toContain('"<<2.17"');
  });

  it('warns when content rules are set but no SBOM is required', () => {
    const { warnings } = parsePolicy(
      withSignature(GOOD_SIGNATURE, '      sbom: { deniedLicenses: [AGPL-3.0-only] }'),
      { now: NOW },
    );
    expect(warnings[0]?.path).toBe('spec.scopes[0].sbom.required');
  });
});

describe('when the text is not a policy', () => {
  it('reports YAML syntax errors with their line', () => {
    const error = policyError('apiVersion: scs.dev/v1alpha1\nkind: [unclosed\n');
    expect(error.problems[0]?.message).toMatch(/^not valid YAML/);
    expect(error.problems[0]?.position?.line).toBeGreaterThan(0);
  });

  it('reports a key written twice', () => {
    const error = policyError('apiVersion: scs.dev/v1alpha1\napiVersion: scs.dev/v1alpha1\n');
    expect(error.problems[0]?.message).toBe('a key is written twice in the same mapping');
    expect(error.problems[0]?.position?.line).toBe(2);
  });

  it('reports an empty file', () => {
    expect(policyError('').problems[0]?.message).toBe('the policy is empty');
  });

  it('lists every missing top-level field', () => {
    const error = policyError('apiVersion: scs.dev/v1alpha1\n');
    expect(error.problems.map((p) => p.path).sort()).toEqual(['kind', 'metadata', 'spec']);
  });
});
