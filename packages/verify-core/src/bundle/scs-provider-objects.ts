import { createHash } from 'node:crypto';
import type { SupplyChainPolicy } from '../policy/types.js';
import { REDIS_KEY_ENV, REDIS_URL_ENV } from '../provider/redis-settings.js';
import { gatekeeperProvider } from './admission-template.js';
import { SCS_PROVIDER } from './bundle-options.js';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { KubernetesObject } from './kubernetes-object.js';

export interface ScsProviderSettings {
  namespace: string;
  image: string;
  replicas: number;
  clientAuth: boolean;
  timeoutSeconds: number;
  /** Workload identity client id, when the provider reads Azure Key Vault / ACR with it. */
  azureClientId: string | undefined;
  caCertificatePem: string;
  certificatePem: string;
  privateKeyPem: string;
  /** The self-contained policy file the provider serves. */
  policyYaml: string;
  labels: Record<string, string>;
  /** Share the replicas' caches through Redis: the Secret holding its URL and cache key. */
  redis?: ScsRedisWiring;
}

/**
 * The shared cache of the replicas: a Secret (made by the operator, never by the bundle) whose
 * `url` and `key` reach `scs serve` as `SCS_REDIS_URL` and `SCS_REDIS_KEY`, so neither the
 * password nor the key shows in the pod spec or the process arguments.
 */
export interface ScsRedisWiring {
  secretName: string;
  /** The Redis port the NetworkPolicy lets the provider reach. */
  port: number;
}

/** The Secret's keys, and the environment variables `scs serve` reads them from. */
export const REDIS_SECRET_KEYS = { url: REDIS_URL_ENV, key: REDIS_KEY_ENV } as const;

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const sha256 = (text: string): string => `sha256:${createHash('sha256').update(text).digest('hex')}`;

/**
 * The provider's answer budget for a Gatekeeper Provider timeout: 60 % of it (3 s of the default
 * 5 s), so that the answer, with every late image as a per-key error, reaches Gatekeeper before
 * it gives up on the call (which would deny every image of the object with a system error).
 */
export function providerBudgetMs(timeoutSeconds: number): number {
  return Math.round(timeoutSeconds * 600);
}

/** The registry ports the provider must reach besides 443 (a registry scope like `host:5000/app`). */
export function registryPorts(policy: SupplyChainPolicy): number[] {
  const ports = new Set<number>([443]);
  for (const scope of policy.spec.scopes) {
    for (const repository of scope.registryScopes) {
      const host = repository.split('/')[0] ?? '';
      const port = /:(\d+)$/.exec(host)?.[1];
      if (port !== undefined) ports.add(Number(port));
    }
  }
  return [...ports].sort((a, b) => a - b);
}

/**
 * Everything that runs `scs serve` in the cluster: ServiceAccount, policy ConfigMap, TLS Secret,
 * Deployment (non-root, read-only root filesystem, resources, probes), Service,
 * PodDisruptionBudget, NetworkPolicy, and the Gatekeeper Provider whose caBundle is the CA that
 * signed the serving certificate.
 */
export function scsProviderObjects(policy: SupplyChainPolicy, s: ScsProviderSettings): KubernetesObject[] {
  const name = SCS_PROVIDER.name;
  const selector = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': policy.metadata.name };
  const labels = { ...s.labels, ...selector, 'app.kubernetes.io/component': 'admission-provider' };
  const workloadIdentity = s.azureClientId !== undefined;
  const port = SCS_PROVIDER.port;

  const serviceAccount = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: {
      name,
      namespace: s.namespace,
      labels,
      ...(workloadIdentity
        ? { annotations: { 'azure.workload.identity/client-id': s.azureClientId ?? '' } }
        : {}),
    },
    automountServiceAccountToken: false,
  } satisfies IServiceAccount & KubernetesObject;

  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `${name}-policy`, namespace: s.namespace, labels },
    data: { 'policy.yaml': s.policyYaml },
  } satisfies IConfigMap & KubernetesObject;

  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: `${name}-tls`,
      namespace: s.namespace,
      labels,
      annotations: { 'scs.dev/holds-private-key': 'true' },
    },
    type: 'kubernetes.io/tls',
    data: {
      'tls.crt': b64(s.certificatePem),
      'tls.key': b64(s.privateKeyPem),
      'ca.crt': b64(s.caCertificatePem),
    },
  } satisfies ISecret & KubernetesObject;

  const args = [
    'serve',
    '--policy',
    SCS_PROVIDER.policyPath,
    '--tls-cert',
    `${SCS_PROVIDER.tlsDir}/tls.crt`,
    '--tls-key',
    `${SCS_PROVIDER.tlsDir}/tls.key`,
    ...(s.clientAuth ? ['--client-ca', `${SCS_PROVIDER.clientCaDir}/ca.crt`] : []),
    '--budget',
    `${providerBudgetMs(s.timeoutSeconds)}ms`,
  ];
  const probe = (path: string, periodSeconds: number): IProbe => ({
    httpGet: { path, port: 'https', scheme: 'HTTPS' },
    periodSeconds,
    timeoutSeconds: 2,
    failureThreshold: 3,
  });
  const volumes: IVolume[] = [
    { name: 'policy', configMap: { name: `${name}-policy` } },
    { name: 'tls', secret: { secretName: `${name}-tls`, defaultMode: 0o440 } },
    { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
  ];
  const mounts: IVolumeMount[] = [
    { name: 'policy', mountPath: '/etc/scs/policy.yaml', subPath: 'policy.yaml', readOnly: true },
    { name: 'tls', mountPath: SCS_PROVIDER.tlsDir, readOnly: true },
    { name: 'tmp', mountPath: '/tmp' },
  ];
  if (s.clientAuth) {
    volumes.push({
      name: 'client-ca',
      secret: {
        secretName: SCS_PROVIDER.gatekeeperCertSecret,
        items: [{ key: 'ca.crt', path: 'ca.crt' }],
        defaultMode: 0o444,
      },
    });
    mounts.push({ name: 'client-ca', mountPath: SCS_PROVIDER.clientCaDir, readOnly: true });
  }

  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: s.namespace, labels },
    spec: {
      replicas: s.replicas,
      revisionHistoryLimit: 3,
      selector: { matchLabels: selector },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: {
          labels: { ...labels, ...(workloadIdentity ? { 'azure.workload.identity/use': 'true' } : {}) },
          annotations: {
            // A new policy or certificate rolls the pods.
            'scs.dev/policy-digest': sha256(s.policyYaml),
            'scs.dev/tls-digest': sha256(s.certificatePem),
          },
        },
        spec: {
          serviceAccountName: name,
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 65532,
            runAsGroup: 65532,
            fsGroup: 65532,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                {
                  weight: 100,
                  podAffinityTerm: {
                    labelSelector: { matchLabels: selector },
                    topologyKey: 'kubernetes.io/hostname',
                  },
                },
              ],
            },
          },
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          containers: [
            {
              name: 'scs',
              image: s.image,
              imagePullPolicy: 'IfNotPresent',
              args,
              ports: [{ name: 'https', containerPort: port, protocol: 'TCP' }],
              ...(s.redis === undefined
                ? {}
                : {
                    env: Object.entries(REDIS_SECRET_KEYS).map(([key, name]) => ({
                      name,
                      valueFrom: { secretKeyRef: { name: s.redis?.secretName ?? '', key } },
                    })),
                  }),
              readinessProbe: probe('/readyz', 5),
              livenessProbe: probe('/healthz', 10),
              resources: {
                requests: { cpu: '100m', memory: '128Mi' },
                limits: { cpu: '1', memory: '512Mi' },
              },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: mounts,
            },
          ],
          volumes,
        },
      },
    },
  } satisfies IDeployment & KubernetesObject;

  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: s.namespace, labels },
    spec: {
      type: 'ClusterIP',
      selector,
      ports: [{ name: 'https', port, targetPort: 'https', protocol: 'TCP' }],
    },
  } satisfies IService & KubernetesObject;

  const pdb = {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name, namespace: s.namespace, labels },
    spec: { minAvailable: 1, selector: { matchLabels: selector } },
  } satisfies IPodDisruptionBudget & KubernetesObject;

  const networkPolicy = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: s.namespace, labels },
    spec: {
      podSelector: { matchLabels: selector },
      policyTypes: ['Ingress', 'Egress'],
      // Only Gatekeeper's pods call the provider (kubelet probes are not subject to policies).
      ingress: [
        {
          from: [{ podSelector: { matchLabels: { 'gatekeeper.sh/system': 'yes' } } }],
          ports: [{ protocol: 'TCP', port }],
        },
      ],
      // DNS, and HTTPS (registries, Key Vault, Entra ID) plus any registry port the policy names
      // (and Redis's, when the replicas share their caches).
      egress: [
        {
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
        {
          ports: [...new Set([...registryPorts(policy), ...(s.redis === undefined ? [] : [s.redis.port])])]
            .sort((a, b) => a - b)
            .map((p) => ({ protocol: 'TCP', port: p })),
        },
      ],
    },
  } satisfies INetworkPolicy & KubernetesObject;

  const provider = gatekeeperProvider({
    name,
    url: `https://${name}.${s.namespace}.svc:${port}${SCS_PROVIDER.verifyPath}`,
    timeoutSeconds: s.timeoutSeconds,
    caBundlePem: s.caCertificatePem,
    labels: s.labels,
  });

  return [serviceAccount, configMap, secret, deployment, service, pdb, networkPolicy, provider];
}
