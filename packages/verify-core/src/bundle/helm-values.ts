import type { BundleEngine } from './bundle-options.js';
import { GATEKEEPER_CHART, RATIFY_CHART } from './bundle-options.js';
import { toYaml } from './kubernetes-object.js';

/** Gatekeeper's webhook waits this much longer than the provider call, so a slow provider still gets a deny message in. */
export const WEBHOOK_MARGIN_SECONDS = 2;
/**
 * How long Gatekeeper keeps a provider answer. Long enough for one rollout (Deployment ->
 * ReplicaSet -> Pods within seconds: one verification, not three); short, because an answer about
 * a tag stays cached after the tag moves.
 */
export const PROVIDER_CACHE_TTL = '30s';

export interface GatekeeperValues {
  enableExternalData: true;
  validatingWebhookFailurePolicy: 'Fail';
  validatingWebhookTimeoutSeconds: number;
  externaldataProviderResponseCacheTTL: string;
  mutatingWebhookTimeoutSeconds?: number;
  controllerManager: { exemptNamespaces: string[] };
  postInstall: { labelNamespace: { extraNamespaces: string[] } };
}

/**
 * Values for the pinned Gatekeeper chart: external data on, fail closed, a webhook timeout that
 * leaves the provider its whole timeout, and `kube-system` exempt from the webhook (with
 * failurePolicy Fail, a Gatekeeper outage must not stop the control plane's own pods).
 */
export function gatekeeperValues(
  engine: BundleEngine,
  providerTimeoutSeconds: number,
  options: { mutation: boolean } = { mutation: true },
): GatekeeperValues {
  // Ratify's tag-to-digest mutation provider answers within 2 s; the scs mutation Provider has
  // the same timeout as the verify one, and the webhook the same margin (the chart's default, 1 s,
  // would cut a cold tag resolution short).
  const mutatingWebhookTimeoutSeconds =
    engine === 'ratify' ? 3 : options.mutation ? providerTimeoutSeconds + WEBHOOK_MARGIN_SECONDS : undefined;
  return {
    enableExternalData: true,
    validatingWebhookFailurePolicy: 'Fail',
    validatingWebhookTimeoutSeconds: providerTimeoutSeconds + WEBHOOK_MARGIN_SECONDS,
    externaldataProviderResponseCacheTTL: PROVIDER_CACHE_TTL,
    ...(mutatingWebhookTimeoutSeconds === undefined ? {} : { mutatingWebhookTimeoutSeconds }),
    controllerManager: { exemptNamespaces: ['kube-system'] },
    postInstall: { labelNamespace: { extraNamespaces: ['kube-system'] } },
  };
}

export function gatekeeperValuesYaml(
  engine: BundleEngine,
  providerTimeoutSeconds: number,
  options: { mutation: boolean } = { mutation: true },
): string {
  const values = gatekeeperValues(engine, providerTimeoutSeconds, options);
  return toYaml(
    values,
    [
      `Values for the ${GATEKEEPER_CHART.name} chart ${GATEKEEPER_CHART.version} (${GATEKEEPER_CHART.repository}), written by scs bundle.`,
      `helm upgrade --install gatekeeper gatekeeper/gatekeeper --version ${GATEKEEPER_CHART.version} -n gatekeeper-system --create-namespace -f values/gatekeeper.yaml`,
      '',
      'validatingWebhookFailurePolicy: Fail  - fail closed: when Gatekeeper cannot answer, the API server refuses',
      '  the request. Exempt from the webhook: the Gatekeeper namespace (always, by the chart) and',
      '  kube-system (controllerManager.exemptNamespaces + the admission.gatekeeper.sh/ignore label the',
      '  post-install job sets), so an outage of Gatekeeper cannot block the control plane.',
      `validatingWebhookTimeoutSeconds: the provider timeout + ${WEBHOOK_MARGIN_SECONDS} s, so the provider's answer (or`,
      '  its system error) arrives before the API server gives up on the webhook.',
      `externaldataProviderResponseCacheTTL: ${PROVIDER_CACHE_TTL} - one verification per rollout; short because a cached`,
      '  answer about a tag outlives a move of the tag (reference images by digest).',
      ...(values.mutatingWebhookTimeoutSeconds === undefined
        ? []
        : [
            `mutatingWebhookTimeoutSeconds: ${values.mutatingWebhookTimeoutSeconds} - the tag -> digest mutation provider answers in time; the`,
            "  mutating webhook's failure policy stays the chart's Ignore: a Gatekeeper outage leaves images as",
            '  written, and the validating webhook (Fail) still judges them.',
          ]),
    ].join('\n'),
  );
}

export interface RatifyValues {
  notation: { enabled: false };
  cosign: { enabled: false };
  sbom: { enabled: false };
  vulnerabilityreport: { enabled: false };
  policy: { useRego: true };
  gatekeeper: { version: string };
  provider: {
    timeout: { validationTimeoutSeconds: number; mutationTimeoutSeconds: number };
    enableMutation: true;
  };
  oras: { authProviders: { azureWorkloadIdentityEnabled: boolean } };
  azureWorkloadIdentity?: { clientId: string };
}

/**
 * Values for the pinned Ratify chart. The chart's own verifiers are off (its default notation
 * verifier trusts `*`): the bundle's Verifier, Store, KeyManagementProviders and Policy replace
 * them. Ratify's provider (its TLS and the `ratify-provider` Provider) stay the chart's.
 */
export function ratifyValues(options: {
  providerTimeoutSeconds: number;
  registryAuth: 'azureWorkloadIdentity' | 'anonymous';
  azureClientId: string | undefined;
}): RatifyValues {
  return {
    notation: { enabled: false },
    cosign: { enabled: false },
    sbom: { enabled: false },
    vulnerabilityreport: { enabled: false },
    policy: { useRego: true },
    gatekeeper: { version: GATEKEEPER_CHART.version },
    provider: {
      timeout: { validationTimeoutSeconds: options.providerTimeoutSeconds, mutationTimeoutSeconds: 2 },
      enableMutation: true,
    },
    oras: {
      authProviders: { azureWorkloadIdentityEnabled: options.registryAuth === 'azureWorkloadIdentity' },
    },
    ...(options.azureClientId === undefined
      ? {}
      : { azureWorkloadIdentity: { clientId: options.azureClientId } }),
  };
}

export function ratifyValuesYaml(options: Parameters<typeof ratifyValues>[0]): string {
  return toYaml(
    ratifyValues(options),
    [
      `Values for the ${RATIFY_CHART.name} chart ${RATIFY_CHART.version} (${RATIFY_CHART.repository}), written by scs bundle.`,
      `helm upgrade --install ratify ratify/ratify --version ${RATIFY_CHART.version} -n gatekeeper-system -f values/ratify.yaml --atomic`,
      '',
      "The chart's verifiers are disabled (its default notation verifier trusts any identity): the",
      "bundle's Verifier / Store / KeyManagementProvider / Policy objects are the whole configuration.",
      'provider.timeout.validationTimeoutSeconds matches the Gatekeeper webhook timeout minus its margin.',
    ].join('\n'),
  );
}
