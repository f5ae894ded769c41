import { X509Certificate, createPrivateKey } from 'node:crypto';
import { parseOciTrustPolicy } from '@scs/notary';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { VerifyCoreError } from '../errors.js';
import { notationTrustPolicy } from '../export/notation-export.js';
import { parsePolicy } from '../policy/parse-policy.js';
import type { BundleOptions, CompiledBundle } from './bundle-options.js';
import { compileBundle } from './compile-bundle.js';
import type { ProviderTls } from './provider-tls.js';
import { E2E_IDENTITY } from '../test-support/e2e-policy.js';
import { NOW } from '../test-support/notation-layouts.js';
import { thrownBy } from '../test-support/thrown.js';
import {
  SCS_IMAGE,
  bundleObjects,
  loadTestPolicy,
  objectOf,
  productionPolicy,
  testTls,
} from './test-support/bundle-fixtures.js';
import type { ManifestValidator } from './test-support/manifest-validator.js';
import { loadManifestValidator } from './test-support/manifest-validator.js';

let validator: ManifestValidator;
let tls: ProviderTls;
beforeAll(async () => {
  validator = loadManifestValidator();
  tls = await testTls();
});

function scsOptions(extra: Partial<BundleOptions> = {}): BundleOptions {
  return { engine: 'scs', scs: { image: SCS_IMAGE, tls }, ...extra };
}

function expectEveryObjectValid(bundle: CompiledBundle): void {
  const objects = bundleObjects(bundle);
  const templates = objects.filter((o) => o.object.kind === 'ConstraintTemplate').map((o) => o.object);
  for (const { file, object } of objects) {
    expect({ file, problems: validator.problems(object, templates) }).toEqual({ file, problems: [] });
  }
}

async function compileError(yaml: string, options: BundleOptions): Promise<VerifyCoreError> {
  const loaded = await loadTestPolicy(yaml);
  return thrownBy(VerifyCoreError, () => compileBundle(loaded, options));
}

describe('the manifest validator', () => {
  it('rejects a Provider whose timeout is not whole seconds (Gatekeeper CRD)', () => {
    const problems = validator.problems({
      apiVersion: 'externaldata.gatekeeper.sh/v1beta1',
      kind: 'Provider',
      metadata: { name: 'p' },
      spec: { url: 'https://p.ns.svc:8443/verify', timeout: '5s', caBundle: 'Zm9v' },
    });
    expect(problems.join('\n')).toMatch(/\/spec\/timeout must be integer/);
  });

  it('rejects an unknown field in a Ratify Verifier (strict field validation)', () => {
    const problems = validator.problems({
      apiVersion: 'config.ratify.deislabs.io/v1beta1',
      kind: 'Verifier',
      metadata: { name: 'verifier-notation' },
      spec: { name: 'notation', artifactType: 'application/vnd.cncf.notary.signature' },
    });
    expect(problems.join('\n')).toMatch(/must have required property 'artifactTypes'/);
    expect(problems.join('\n')).toMatch(/must NOT have additional properties.*artifactType"/);
  });

  it('rejects a Deployment with a string replica count and an uppercase name (kubernetes-models + metadata)', () => {
    const problems = validator.problems({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'Bad_Name', namespace: 'ns' },
      spec: { replicas: 'two', selector: {}, template: {} },
    });
    expect(problems.join('\n')).toMatch(/replicas must be integer/);
    expect(problems.join('\n')).toMatch(/metadata.name "Bad_Name" is not a DNS-1123 subdomain/);
  });

  it('rejects a constraint with a namespace Gatekeeper would refuse, or of a kind no template defines', () => {
    const template = {
      apiVersion: 'templates.gatekeeper.sh/v1',
      kind: 'ConstraintTemplate',
      metadata: { name: 'k' },
      spec: { crd: { spec: { names: { kind: 'K' } } }, targets: [] },
    };
    const constraint = (kind: string, ns: string): unknown => ({
      apiVersion: 'constraints.gatekeeper.sh/v1beta1',
      kind,
      metadata: { name: 'c' },
      spec: { enforcementAction: 'deny', match: { excludedNamespaces: [ns] } },
    });
    expect(validator.problems(constraint('K', 'kube-system'), [template])).toEqual([]);
    expect(validator.problems(constraint('K', 'Kube_System'), [template]).join('\n')).toMatch(
      /must match pattern/,
    );
    expect(validator.problems(constraint('Other', 'x'), [template]).join('\n')).toMatch(
      /no ConstraintTemplate/,
    );
  });

  it('rejects a namespace on a cluster-scoped Ratify object', () => {
    const problems = validator.problems({
      apiVersion: 'config.ratify.deislabs.io/v1beta1',
      kind: 'Store',
      metadata: { name: 'store-oras', namespace: 'gatekeeper-system' },
      spec: { name: 'oras' },
    });
    expect(problems).toEqual(['a cluster-scoped object has metadata.namespace']);
  });
});

describe('when compiling for the scs engine', () => {
  let bundle: CompiledBundle;
  beforeAll(async () => {
    bundle = compileBundle(await loadTestPolicy(productionPolicy()), scsOptions());
  });

  it('writes one manifest per object, a kustomization listing them, the Gatekeeper values and an install guide', () => {
    const manifests = bundleObjects(bundle).map((o) => o.file);
    expect(manifests.sort()).toEqual(
      [
        'assign-scs-pin-images-containers.yaml',
        'assign-scs-pin-images-ephemeralcontainers.yaml',
        'assign-scs-pin-images-initcontainers.yaml',
        'configmap-scs-provider-policy.yaml',
        'constrainttemplate-scsimageverification.yaml',
        'deployment-scs-provider.yaml',
        'networkpolicy-scs-provider.yaml',
        'poddisruptionbudget-scs-provider.yaml',
        'provider-scs-mutation-provider.yaml',
        'provider-scs-provider.yaml',
        'scsimageverification-production.yaml',
        'secret-scs-provider-tls.yaml',
        'service-scs-provider.yaml',
        'serviceaccount-scs-provider.yaml',
      ].sort(),
    );
    const kustomization = parse(bundle.files.get('kustomization.yaml') ?? '') as { resources: string[] };
    expect([...kustomization.resources].sort()).toEqual(manifests.sort());
    expect(bundle.files.has('values/gatekeeper.yaml')).toBe(true);
    expect(bundle.files.has('values/ratify.yaml')).toBe(false);
    expect(bundle.files.get('INSTALL.md')).toMatch(
      /secret-scs-provider-tls.yaml holds the provider's TLS private key/,
    );
    expect(bundle.files.get('INSTALL.md')).toMatch(/mutating webhook pins every Pod image to the digest/);
  });

  it('makes every object valid against its real schema', () => {
    expectEveryObjectValid(bundle);
  });

  it('points the Provider at the service over HTTPS with whole-second timeout and the CA that signed the serving certificate', () => {
    const provider = objectOf(bundle, 'Provider', 'scs-provider');
    expect(provider.spec.url).toBe('https://scs-provider.gatekeeper-system.svc:8443/verify');
    expect(provider.spec.timeout).toBe(5);
    const ca = new X509Certificate(Buffer.from(String(provider.spec.caBundle), 'base64'));
    const secret = objectOf(bundle, 'Secret') as unknown as { data: Record<string, string>; type: string };
    expect(secret.type).toBe('kubernetes.io/tls');
    const cert = new X509Certificate(Buffer.from(secret.data['tls.crt'] ?? '', 'base64'));
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.checkHost('scs-provider.gatekeeper-system.svc')).toBe('scs-provider.gatekeeper-system.svc');
    const key = createPrivateKey(Buffer.from(secret.data['tls.key'] ?? '', 'base64'));
    expect(cert.checkPrivateKey(key)).toBe(true);
  });

  it('puts the private key in the Secret manifest only, and marks that file private', () => {
    const keyBase64 = Buffer.from(tls.privateKeyPem).toString('base64');
    const holding = [...bundle.files.entries()]
      .filter(
        ([, text]) =>
          text.includes('PRIVATE KEY') ||
          text.includes(keyBase64) ||
          text.includes(tls.privateKeyPem.split('\n')[1] ?? '#'),
      )
      .map(([file]) => file);
    expect(holding).toEqual(['secret-scs-provider-tls.yaml']);
    expect([...bundle.privateFiles]).toEqual(['secret-scs-provider-tls.yaml']);
  });

  it('runs scs serve non-root on a read-only root filesystem, with resources, probes and the agreed arguments', () => {
    const deployment = objectOf(bundle, 'Deployment') as unknown as {
      spec: {
        replicas: number;
        template: { spec: Record<string, unknown> & { containers: Record<string, unknown>[] } };
      };
    };
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0] ?? {};
    expect(deployment.spec.replicas).toBe(2);
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.image).toBe(SCS_IMAGE);
    expect(container.args).toEqual([
      'serve',
      '--policy',
      '/etc/scs/policy.yaml',
      '--tls-cert',
      '/etc/scs/tls/tls.crt',
      '--tls-key',
      '/etc/scs/tls/tls.key',
      '--client-ca',
      '/etc/scs/client-ca/ca.crt',
      '--budget',
      '3000ms',
    ]);
    expect(container.readinessProbe).toMatchObject({ httpGet: { path: '/readyz', scheme: 'HTTPS' } });
    expect(container.livenessProbe).toMatchObject({ httpGet: { path: '/healthz', scheme: 'HTTPS' } });
    expect(container.resources).toMatchObject({ requests: { cpu: '100m' }, limits: { memory: '512Mi' } });
  });

  it('serves the same policy, made self-contained (certificate files inlined)', async () => {
    const loaded = await loadTestPolicy(productionPolicy());
    const configMap = objectOf(bundle, 'ConfigMap') as unknown as { data: { 'policy.yaml': string } };
    const served = parsePolicy(configMap.data['policy.yaml'], { now: NOW }).policy;
    const [original, copy] = [loaded.policy, served].map((p) => ({
      ...p,
      spec: {
        ...p.spec,
        scopes: p.spec.scopes.map((s) => ({
          ...s,
          signature: { ...s.signature, trustStores: s.signature.trustStores.map((t) => t.name) },
        })),
      },
    }));
    expect(copy).toEqual(original);
    expect(served.spec.scopes[0]?.signature.trustStores[0]).toMatchObject({ source: 'inline' });
  });

  it('lets only Gatekeeper reach the provider, and the provider only DNS and the registry ports', () => {
    const policy = objectOf(bundle, 'NetworkPolicy') as unknown as {
      spec: { ingress: unknown[]; egress: { ports: { port: number }[] }[] };
    };
    expect(policy.spec.ingress).toEqual([
      {
        from: [{ podSelector: { matchLabels: { 'gatekeeper.sh/system': 'yes' } } }],
        ports: [{ protocol: 'TCP', port: 8443 }],
      },
    ]);
    expect(policy.spec.egress[1]?.ports.map((p) => p.port)).toEqual([443, 5000]);
  });

  it('drops mTLS, and its volume, when client authentication is off', async () => {
    const plain = compileBundle(await loadTestPolicy(productionPolicy()), {
      engine: 'scs',
      scs: { image: SCS_IMAGE, tls, clientAuth: false },
    });
    const text = plain.files.get('deployment-scs-provider.yaml') ?? '';
    expect(text).not.toMatch(/client-ca|gatekeeper-webhook-server-cert/);
    expectEveryObjectValid(plain);
  });

  it('shares the replicas’ caches through Redis from a Secret: URL and key as environment, never as values', async () => {
    const shared = compileBundle(
      await loadTestPolicy(productionPolicy()),
      scsOptions({ scs: { image: SCS_IMAGE, tls, redis: { secretName: 'scs-redis', port: 6380 } } }),
    );
    const deployment = objectOf(shared, 'Deployment') as unknown as {
      spec: { template: { spec: { containers: { env?: unknown[]; args: string[] }[] } } };
    };
    const container = deployment.spec.template.spec.containers[0];
    expect(container?.env).toEqual([
      { name: 'SCS_REDIS_URL', valueFrom: { secretKeyRef: { name: 'scs-redis', key: 'url' } } },
      { name: 'SCS_REDIS_KEY', valueFrom: { secretKeyRef: { name: 'scs-redis', key: 'key' } } },
    ]);
    expect(container?.args.join(' ')).not.toMatch(/redis/);
    const egress = (objectOf(shared, 'NetworkPolicy').spec.egress as { ports: { port: number }[] }[])[1];
    expect(egress?.ports.map((p) => p.port)).toEqual([443, 5000, 6380]);
    expect(shared.files.get('INSTALL.md')).toMatch(
      /kubectl -n gatekeeper-system create secret generic scs-redis \\\n {2}--from-literal=url='rediss:\/\/:<password>@<redis host>:6380\/0' \\\n {2}--from-literal=key="\$\(openssl rand -base64 48\)"/,
    );
    expect([...shared.files.values()].join('\n')).not.toMatch(/redis:\/\/|rediss:\/\/[^:]/);
    expectEveryObjectValid(shared);
    // Without a Secret: no Redis at all.
    expect(bundle.files.get('deployment-scs-provider.yaml')).not.toMatch(/SCS_REDIS|6379/);
  });

  it('gives the provider the workload identity named by the policy (Key Vault store client id)', async () => {
    const yaml = productionPolicy().replace(
      '{ name: e2e, type: ca, certificates: ["keys/e2e.crt"] }',
      '{ name: kv, type: ca, azureKeyVault: { vaultUri: "https://scs-kv.vault.azure.net", certificateName: signing, tenantId: "00000000-0000-0000-0000-000000000001", clientId: "00000000-0000-0000-0000-0000000000c1" } }',
    );
    const withKv = compileBundle(await loadTestPolicy(yaml), scsOptions());
    expect(objectOf(withKv, 'ServiceAccount')).toMatchObject({
      metadata: {
        annotations: { 'azure.workload.identity/client-id': '00000000-0000-0000-0000-0000000000c1' },
      },
    });
    expect(withKv.files.get('deployment-scs-provider.yaml')).toMatch(/azure.workload.identity\/use: "true"/);
    expectEveryObjectValid(withKv);
  });
});

describe('when compiling for the ratify engine', () => {
  let bundle: CompiledBundle;
  beforeAll(async () => {
    bundle = compileBundle(await loadTestPolicy(productionPolicy()), {
      engine: 'ratify',
      azureClientId: 'client-1',
    });
  });

  it('writes the Ratify CRs, the template and constraint, and both Helm values files, but no Provider (the chart owns it)', () => {
    expect(
      bundleObjects(bundle)
        .map((o) => `${String(o.object.kind)}/${(o.object.metadata as { name: string }).name}`)
        .sort(),
    ).toEqual(
      [
        'ConstraintTemplate/scsimageverification',
        'KeyManagementProvider/kmp-ca-e2e',
        'Policy/ratify-policy',
        'ScsImageVerification/production',
        'Store/store-oras',
        'Verifier/verifier-notation',
        'Verifier/verifier-sbom',
        'Verifier/verifier-vulnerabilityreport',
      ].sort(),
    );
    expect(bundle.files.has('values/ratify.yaml')).toBe(true);
    expect(bundle.privateFiles.size).toBe(0);
  });

  it('makes every object valid against the Ratify v1 and Gatekeeper CRDs', () => {
    expectEveryObjectValid(bundle);
  });

  it('compiles a notation-valid trust policy, identical to scs trustpolicy export', async () => {
    const verifier = objectOf(bundle, 'Verifier') as unknown as {
      spec: {
        parameters: {
          trustPolicyDoc: unknown;
          verificationCertStores: Record<string, Record<string, string[]>>;
        };
      };
    };
    const doc = verifier.spec.parameters.trustPolicyDoc;
    const parsed = parseOciTrustPolicy(JSON.stringify(doc));
    expect(parsed.trustPolicies.map((s) => s.name)).toEqual(['apps']);
    expect(doc).toEqual(notationTrustPolicy(await loadTestPolicy(productionPolicy())));
    // Every trust store the document names resolves to a KeyManagementProvider of the bundle.
    const kmps = new Set(
      bundleObjects(bundle)
        .filter((o) => o.object.kind === 'KeyManagementProvider')
        .map((o) => (o.object.metadata as { name: string }).name),
    );
    expect(verifier.spec.parameters.verificationCertStores).toEqual({ ca: { e2e: ['kmp-ca-e2e'] } });
    for (const stores of Object.values(verifier.spec.parameters.verificationCertStores)) {
      for (const names of Object.values(stores)) for (const name of names) expect(kmps.has(name)).toBe(true);
    }
  });

  it('never writes "*" into the trust policy unless the policy says so', async () => {
    const everything = [...bundle.files.values()].join('\n');
    expect(everything).not.toMatch(/"\*"|- \*$|'\*'/m);
    const wildcard = compileBundle(
      await loadTestPolicy(productionPolicy({ identities: ['*'], scopes: ['*'] })),
      { engine: 'ratify', azureClientId: 'client-1' },
    );
    const verifier = objectOf(wildcard, 'Verifier') as unknown as {
      spec: {
        parameters: {
          trustPolicyDoc: { trustPolicies: { registryScopes: string[]; trustedIdentities: string[] }[] };
        };
      };
    };
    expect(verifier.spec.parameters.trustPolicyDoc.trustPolicies[0]).toMatchObject({
      registryScopes: ['*'],
      trustedIdentities: ['*'],
    });
  });

  it('carries the certificate inline and the SBOM / report rules into their verifiers', () => {
    const kmp = objectOf(bundle, 'KeyManagementProvider') as unknown as {
      spec: { type: string; parameters: { value: string } };
    };
    expect(kmp.spec.type).toBe('inline');
    expect(new X509Certificate(kmp.spec.parameters.value).subject).toContain('CN=e2e');
    const verifiers = bundleObjects(bundle)
      .filter((o) => o.object.kind === 'Verifier')
      .map((o) => o.object as { spec: { name: string; parameters: unknown } });
    expect(verifiers.find((v) => v.spec.name === 'sbom')?.spec.parameters).toEqual({
      disallowedPackages: [{ name: 'log4j-core', version: '2.14.1' }],
      disallowedLicenses: ['AGPL-3.0-only'],
    });
    expect(verifiers.find((v) => v.spec.name === 'vulnerabilityreport')?.spec.parameters).toEqual({
      disallowedSeverities: ['critical'],
      denylistCVEs: ['CVE-2021-44228'],
      maximumAge: '168h',
    });
  });

  it('requires a trusted signature, an SBOM and a SARIF report in the Ratify policy', () => {
    const policy = objectOf(bundle, 'Policy') as unknown as {
      spec: { type: string; parameters: { policy: string } };
    };
    expect(policy.spec.type).toBe('rego-policy');
    expect(policy.spec.parameters.policy).toContain(
      'required_types := {"application/vnd.cncf.notary.signature", "application/spdx+json", "application/sarif+json"}',
    );
  });

  it('configures the oras store for Azure workload identity by default, anonymous on request', async () => {
    expect(objectOf(bundle, 'Store').spec).toMatchObject({
      parameters: { authProvider: { name: 'azureWorkloadIdentity', clientID: 'client-1' } },
    });
    const anonymous = compileBundle(await loadTestPolicy(productionPolicy()), {
      engine: 'ratify',
      ratify: { registryAuth: 'anonymous' },
    });
    expect(objectOf(anonymous, 'Store').spec).toEqual({
      name: 'oras',
      version: '1.0.0',
      parameters: { cacheEnabled: true, ttl: 10 },
    });
  });

  it('compiles an Azure Key Vault trust store into an azurekeyvault provider', async () => {
    const yaml = productionPolicy().replace(
      '{ name: e2e, type: ca, certificates: ["keys/e2e.crt"] }',
      '{ name: kv, type: ca, azureKeyVault: { vaultUri: "https://scs-kv.vault.azure.net", certificateName: signing, tenantId: tenant-1, clientId: client-2 } }',
    );
    const kv = compileBundle(await loadTestPolicy(yaml), { engine: 'ratify' });
    expect(objectOf(kv, 'KeyManagementProvider').spec).toEqual({
      type: 'azurekeyvault',
      refreshInterval: '1h',
      parameters: {
        vaultURI: 'https://scs-kv.vault.azure.net/',
        certificates: [{ name: 'signing' }],
        tenantID: 'tenant-1',
        clientID: 'client-2',
      },
    });
    expectEveryObjectValid(kv);
  });

  describe('when the policy has rules Ratify cannot enforce the same way', () => {
    it.each([
      [
        'a version range',
        {
          sbom: '{ required: true, formats: [spdx], deniedPackages: [{ name: log4j-core, versions: "<2.17.1" }] }',
        },
        /denied package log4j-core "<2.17.1"/,
      ],
      [
        'a license pattern',
        { sbom: '{ required: true, formats: [spdx], deniedLicenses: ["GPL-3.0*"] }' },
        /license pattern "GPL-3.0\*"/,
      ],
      ['CycloneDX only', { sbom: '{ required: true, formats: [cyclonedx] }' }, /CycloneDX only/],
      [
        'vulnerability exceptions',
        {
          vulnerabilities:
            '{ required: true, formats: [sarif], exceptions: [{ id: CVE-2099-1, reason: r, expires: "2099-01-01" }] }',
        },
        /vulnerability exceptions \(CVE-2099-1\)/,
      ],
      [
        'Trivy JSON only',
        { vulnerabilities: '{ required: true, formats: [trivy] }' },
        /Trivy JSON reports only/,
      ],
    ])('refuses %s, naming it and the fix', async (_what, override, message) => {
      const error = await compileError(productionPolicy(override), { engine: 'ratify', azureClientId: 'c' });
      expect(error.code).toBe('POLICY_INVALID');
      expect(error.message).toMatch(message);
      expect(error.message).toMatch(/use --engine scs/);
    });

    it('refuses scopes whose SBOM rules differ', async () => {
      const yaml = productionPolicy().replace(
        '  admission:',
        `    - name: other
      registryScopes: ["registry.example.com/other/app"]
      signature: { level: strict, trustStores: [{ name: e2e, type: ca, certificates: ["keys/e2e.crt"] }], trustedIdentities: ["${E2E_IDENTITY}"] }
  admission:`,
      );
      const error = await compileError(yaml, { engine: 'ratify', azureClientId: 'c' });
      expect(error.message).toMatch(/SBOM rules that differ between scopes \("apps" and "other"\)/);
    });

    it('refuses a Key Vault store without a tenant', async () => {
      const yaml = productionPolicy().replace(
        '{ name: e2e, type: ca, certificates: ["keys/e2e.crt"] }',
        '{ name: kv, type: ca, azureKeyVault: { vaultUri: "https://scs-kv.vault.azure.net", certificateName: signing } }',
      );
      const error = await compileError(yaml, { engine: 'ratify', azureClientId: 'c' });
      expect(error.message).toMatch(/trust store ca:kv: .*add azureKeyVault.tenantId/);
    });
  });
});

describe('the constraint', () => {
  async function constraintOf(
    admission: string,
  ): Promise<{ enforcementAction: string; match: Record<string, unknown> }> {
    const bundle = compileBundle(await loadTestPolicy(productionPolicy({ admission })), scsOptions());
    expectEveryObjectValid(bundle);
    return objectOf(bundle, 'ScsImageVerification').spec as {
      enforcementAction: string;
      match: Record<string, unknown>;
    };
  }

  it('checks pods and the pod templates of every workload kind', async () => {
    const spec = await constraintOf('{}');
    expect(spec.match.kinds).toEqual([
      { apiGroups: [''], kinds: ['Pod'] },
      { apiGroups: ['apps'], kinds: ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'] },
      { apiGroups: ['batch'], kinds: ['Job', 'CronJob'] },
    ]);
  });

  it('excludes kube-system and gatekeeper-system by default, denies by default and applies to all namespaces', async () => {
    expect(await constraintOf('{}')).toEqual({
      enforcementAction: 'deny',
      match: expect.objectContaining({ excludedNamespaces: ['gatekeeper-system', 'kube-system'] }) as unknown,
    });
    expect((await constraintOf('{}')).match.namespaces).toBeUndefined();
  });

  it("takes the policy's namespaces and enforcement action", async () => {
    const spec = await constraintOf(
      '{ includedNamespaces: [team-a, team-b], excludedNamespaces: [team-b-sandbox], enforcementAction: warn }',
    );
    expect(spec.enforcementAction).toBe('warn');
    expect(spec.match.namespaces).toEqual(['team-a', 'team-b']);
    expect(spec.match.excludedNamespaces).toEqual(['gatekeeper-system', 'kube-system', 'team-b-sandbox']);
    expect((await constraintOf('{ enforcementAction: dryrun }')).enforcementAction).toBe('dryrun');
  });

  it('does not exclude a default namespace the policy explicitly includes', async () => {
    const spec = await constraintOf('{ includedNamespaces: [kube-system] }');
    expect(spec.match.excludedNamespaces).toEqual(['gatekeeper-system']);
  });

  it('excludes the namespace Gatekeeper runs in when it is not the default one', async () => {
    const bundle = compileBundle(
      await loadTestPolicy(productionPolicy({ admission: '{}' })),
      scsOptions({ namespace: 'policy-system' }),
    );
    expect(objectOf(bundle, 'ScsImageVerification').spec.match).toMatchObject({
      excludedNamespaces: ['gatekeeper-system', 'kube-system', 'policy-system'],
    });
    expect(objectOf(bundle, 'Provider', 'scs-provider').spec.url).toBe(
      'https://scs-provider.policy-system.svc:8443/verify',
    );
    expect(objectOf(bundle, 'Provider', 'scs-mutation-provider').spec.url).toBe(
      'https://scs-provider.policy-system.svc:8443/mutate',
    );
    expect(objectOf(bundle, 'Assign', 'scs-pin-images-containers').spec.match).toMatchObject({
      excludedNamespaces: ['gatekeeper-system', 'kube-system', 'policy-system'],
    });
  });
});

describe('compiling', () => {
  it('is deterministic: the same policy and options give the same files', async () => {
    const loaded = await loadTestPolicy(productionPolicy());
    const a = compileBundle(loaded, scsOptions());
    const b = compileBundle(loaded, scsOptions());
    expect([...a.files.entries()]).toEqual([...b.files.entries()]);
  });

  it.each([
    [
      { scs: { image: 'registry.example.com/scs/scs:0.1.0', tls: undefined as unknown as ProviderTls } },
      /--image registry.example.com\/scs\/scs:0.1.0 is not pinned by digest/,
    ],
    [{ providerTimeoutSeconds: 0 }, /--timeout 0 is not a whole number of seconds from 1 to 28/],
    [{ providerTimeoutSeconds: 29 }, /--timeout 29/],
    [{ providerTimeoutSeconds: 2.5 }, /--timeout 2.5/],
    [
      { namespace: 'Gatekeeper_System' },
      /--namespace "Gatekeeper_System" is not a Kubernetes namespace name/,
    ],
    [{ engine: 'kyverno' as 'scs' }, /--engine kyverno is not supported; use one of ratify, scs/],
    [
      {
        scs: {
          image: SCS_IMAGE,
          tls: undefined as unknown as ProviderTls,
          redis: { secretName: 'Redis_Secret' },
        },
      },
      /--redis-secret "Redis_Secret" is not a Kubernetes Secret name/,
    ],
    [
      {
        scs: {
          image: SCS_IMAGE,
          tls: undefined as unknown as ProviderTls,
          redis: { secretName: 'scs-redis', port: 70_000 },
        },
      },
      /--redis-port 70000 must be a whole number from 1 to 65535/,
    ],
  ])('refuses bad options with one clear usage error (%#)', async (override, message) => {
    const error = await compileError(productionPolicy(), { ...scsOptions(), ...override });
    expect(error.code).toBe('USAGE');
    expect(error.message).toMatch(message);
  });

  it('refuses the scs engine without its image and TLS material', async () => {
    const error = await compileError(productionPolicy(), { engine: 'scs' });
    expect(error.message).toMatch(/the scs engine needs the provider image and its TLS material/);
  });
});
