import type { SupplyChainPolicy } from '../policy/types.js';
import { excludedNamespaces, gatekeeperProvider } from './admission-template.js';
import type { KubernetesObject } from './kubernetes-object.js';

/**
 * Tag -> digest at admission (engine scs): Gatekeeper's mutating webhook asks `scs serve`'s
 * `POST /mutate` for every container image of a Pod and writes back `name:tag@sha256:…`, before
 * the validating webhook judges it. The Pod then runs the very digest the provider verified (a
 * tag moved between verification and pull changes nothing).
 *
 * Only Pods are mutated, never the pod templates of Deployments and the like: a workload's spec
 * stays as its owner (a GitOps tool, a Helm release) wrote it, so nothing drifts, while every Pod
 * it creates is pinned. Validation stays the gate: the template still judges every image.
 */

export const MUTATION_PROVIDER_NAME = 'scs-mutation-provider';
export const MUTATIONS_API_VERSION = 'mutations.gatekeeper.sh/v1';

/** The Pod fields whose images are pinned, with the Assign that pins each. */
export const PINNED_FIELDS: readonly { field: string; name: string }[] = [
  { field: 'containers', name: 'scs-pin-images-containers' },
  { field: 'initContainers', name: 'scs-pin-images-initcontainers' },
  { field: 'ephemeralContainers', name: 'scs-pin-images-ephemeralcontainers' },
];

export interface ImagePinningSettings {
  /** Namespace of Gatekeeper and of the scs provider's Service. */
  namespace: string;
  /** `https://<service>.<namespace>.svc:<port>/mutate`. */
  url: string;
  timeoutSeconds: number;
  /** The CA that signed the provider's serving certificate (the same as the verify Provider's). */
  caBundlePem: string;
  labels: Record<string, string>;
}

/**
 * What Gatekeeper does when the provider cannot pin an image: with the policy enforcing (`deny`),
 * the Pod is refused (`Fail`: it would be denied by the validation too, and nothing runs
 * unpinned by accident); in `dryrun` or `warn`, the image is left as written (`Ignore`), so that a
 * policy that must not block does not block through its mutation either.
 */
export function pinningFailurePolicy(policy: SupplyChainPolicy): 'Fail' | 'Ignore' {
  return policy.spec.admission.enforcementAction === 'deny' ? 'Fail' : 'Ignore';
}

/** The mutation Provider and one `Assign` per pinned Pod field, matching the constraint's namespaces. */
export function imagePinningObjects(policy: SupplyChainPolicy, s: ImagePinningSettings): KubernetesObject[] {
  const provider = gatekeeperProvider({
    name: MUTATION_PROVIDER_NAME,
    url: s.url,
    timeoutSeconds: s.timeoutSeconds,
    caBundlePem: s.caBundlePem,
    labels: s.labels,
  });
  const included = policy.spec.admission.includedNamespaces;
  const excluded = excludedNamespaces(policy, s.namespace);
  const match: Record<string, unknown> = {
    scope: 'Namespaced',
    kinds: [{ apiGroups: [''], kinds: ['Pod'] }],
    ...(included.length > 0 ? { namespaces: [...included] } : {}),
    ...(excluded.length > 0 ? { excludedNamespaces: excluded } : {}),
  };
  const assigns = PINNED_FIELDS.map(({ field, name }): KubernetesObject => ({
    apiVersion: MUTATIONS_API_VERSION,
    kind: 'Assign',
    metadata: { name, labels: s.labels },
    spec: {
      applyTo: [{ groups: [''], kinds: ['Pod'], versions: ['v1'] }],
      match,
      location: `spec.${field}[name:*].image`,
      parameters: {
        assign: {
          externalData: {
            provider: MUTATION_PROVIDER_NAME,
            dataSource: 'ValueAtLocation',
            failurePolicy: pinningFailurePolicy(policy),
          },
        },
      },
    },
  }));
  return [provider, ...assigns];
}
