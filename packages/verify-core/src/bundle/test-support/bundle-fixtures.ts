/** Test support: real policies (notation's e2e certificate as trust anchor) loaded the way the CLI loads them. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import type { LoadedPolicyWithCertificates } from '../../policy/load-policy.js';
import { E2E_IDENTITY } from '../../test-support/e2e-policy.js';
import { E2E_CERT, NOW } from '../../test-support/notation-layouts.js';
import { loadPolicy } from '../../policy/load-policy.js';
import type { CompiledBundle } from '../bundle-options.js';
import type { ProviderTls } from '../provider-tls.js';
import { generateProviderTls } from '../provider-tls.js';
import type { ScsProviderSettings } from '../scs-provider-objects.js';
import { scsProviderObjects } from '../scs-provider-objects.js';

export const SCS_IMAGE = `registry.example.com/scs/scs@sha256:${'5'.repeat(64)}`;

/** A policy file and the e2e certificate beside it, read through an in-memory reader. */
export async function loadTestPolicy(yaml: string): Promise<LoadedPolicyWithCertificates> {
  const files = new Map<string, Uint8Array>([
    ['/policies/scs-policy.yaml', new TextEncoder().encode(yaml)],
    ['/policies/keys/e2e.crt', new Uint8Array(readFileSync(E2E_CERT))],
  ]);
  return loadPolicy('/policies/scs-policy.yaml', {
    reader: {
      readFile: (file: string) => {
        const content = files.get(path.resolve(file));
        return content === undefined
          ? Promise.reject(Object.assign(new Error(file), { code: 'ENOENT' }))
          : Promise.resolve(content);
      },
    },
    now: () => NOW,
  });
}

/** A production-like policy: one signed-images scope, SBOM and SARIF report rules Ratify can express too. */
export function productionPolicy(
  options: {
    admission?: string;
    identities?: string[];
    scopes?: string[];
    sbom?: string;
    vulnerabilities?: string;
  } = {},
): string {
  return `apiVersion: scs.dev/v1alpha1
kind: SupplyChainPolicy
metadata: { name: production }
spec:
  scopes:
    - name: apps
      registryScopes: ${JSON.stringify(options.scopes ?? ['registry.example.com/team/app', 'localhost:5000/demo/app'])}
      signature:
        level: strict
        trustStores: [{ name: e2e, type: ca, certificates: ["keys/e2e.crt"] }]
        trustedIdentities: ${JSON.stringify(options.identities ?? [E2E_IDENTITY])}
      sbom: ${options.sbom ?? '{ required: true, formats: [spdx], deniedPackages: [{ name: log4j-core, versions: "=2.14.1" }], deniedLicenses: [AGPL-3.0-only] }'}
      vulnerabilities: ${options.vulnerabilities ?? '{ required: true, formats: [sarif], maxSeverity: HIGH, deniedIds: [CVE-2021-44228], maxAge: 7d }'}
  admission: ${options.admission ?? '{ excludedNamespaces: [monitoring], enforcementAction: deny }'}
`;
}

let tls: Promise<ProviderTls> | undefined;
/** One provider TLS set per test file (key generation is the slow part). */
export function testTls(): Promise<ProviderTls> {
  tls ??= generateProviderTls({ service: 'scs-provider', namespace: 'gatekeeper-system', now: NOW });
  return tls;
}

/** The objects of a bundle's manifests (every file but kustomization, values and INSTALL.md). */
export function bundleObjects(bundle: CompiledBundle): { file: string; object: Record<string, unknown> }[] {
  return [...bundle.files.entries()]
    .filter(
      ([file]) => file.endsWith('.yaml') && file !== 'kustomization.yaml' && !file.startsWith('values/'),
    )
    .map(([file, text]) => ({ file, object: parse(text) as Record<string, unknown> }));
}

/** The bundle's object of `kind` (and `name`, when the bundle holds several of that kind). */
export function objectOf(
  bundle: CompiledBundle,
  kind: string,
  name?: string,
): Record<string, unknown> & { spec: Record<string, unknown> } {
  const found = bundleObjects(bundle).find(
    (o) =>
      o.object.kind === kind &&
      (name === undefined || (o.object.metadata as { name?: unknown } | undefined)?.name === name),
  );
  if (found === undefined)
    throw new Error(`the bundle has no ${kind}${name === undefined ? '' : ` ${name}`}`);
  return found.object as Record<string, unknown> & { spec: Record<string, unknown> };
}

export function parseYamlStream(text: string): Record<string, unknown>[] {
  return parseAllDocuments(text).map((d) => d.toJS() as Record<string, unknown>);
}

/** The container of the Deployment that runs `scs serve`, as the bundle writes it. */
export interface ProviderContainer {
  args: string[];
  ports: { containerPort: number }[];
  env?: { name: string; valueFrom: { secretKeyRef: { name: string; key: string } } }[];
  readinessProbe: { httpGet: { path: string; scheme: string } };
  livenessProbe: { httpGet: { path: string; scheme: string } };
}

/**
 * The objects that run `scs serve` for a policy without scopes, with placeholder TLS material
 * (not parsed by `scsProviderObjects`) and `overrides` of the usual settings; and the `scs`
 * container of their Deployment.
 */
export function sampleProviderObjects(overrides: Partial<ScsProviderSettings> = {}): {
  objects: ReturnType<typeof scsProviderObjects>;
  container: ProviderContainer;
  podSecurityContext: Record<string, unknown>;
} {
  const objects = scsProviderObjects(
    {
      apiVersion: 'scs.dev/v1alpha1',
      kind: 'SupplyChainPolicy',
      metadata: { name: 'production' },
      spec: {
        scopes: [],
        admission: { includedNamespaces: [], excludedNamespaces: [], enforcementAction: 'deny' },
      },
    },
    {
      namespace: 'gatekeeper-system',
      image: `registry.example.com/scs@sha256:${'a'.repeat(64)}`,
      replicas: 2,
      clientAuth: true,
      timeoutSeconds: 5,
      azureClientId: undefined,
      caCertificatePem: 'ca',
      certificatePem: 'cert',
      privateKeyPem: 'key',
      policyYaml: 'policy',
      labels: {},
      ...overrides,
    },
  );
  const deployment = objects.find((o) => o.kind === 'Deployment') as unknown as {
    spec: {
      template: { spec: { containers: ProviderContainer[]; securityContext: Record<string, unknown> } };
    };
  };
  const container = deployment.spec.template.spec.containers[0];
  if (container === undefined) throw new Error('the provider Deployment has no container');
  return { objects, container, podSecurityContext: deployment.spec.template.spec.securityContext };
}
