import type { TokenCredential } from '@azure/identity';

/** What can authenticate to a registry. */
export type Credential =
  /** Username and password (or a personal access token used as the password). */
  | { kind: 'basic'; username: string; password: string }
  /** An OAuth2 refresh token (docker config `identitytoken`, an ACR refresh token). */
  | { kind: 'identity-token'; token: string }
  /** A bearer token sent as-is (docker config `registrytoken`). */
  | { kind: 'registry-token'; token: string }
  /**
   * An Azure AD identity exchanged at the registry's `/oauth2/exchange` for an ACR refresh token.
   * Any `@azure/identity` credential works (DefaultAzureCredential, workload identity, …).
   */
  | { kind: 'azure'; credential: TokenCredential; tenantId?: string };

export interface ResolvedCredential {
  credential: Credential;
  /** Where it came from, for messages: `docker config /home/u/.docker/config.json`, … Never the secret. */
  source: string;
}

/** Finds the credential for a registry. `registry` is the normalised host[:port] (`docker.io` for Hub). */
export interface CredentialProvider {
  /** A short description for "no credentials found (looked in …)" messages. */
  readonly description: string;
  get(registry: string): Promise<ResolvedCredential | undefined>;
}

/** Fixed credentials per registry host, e.g. from action inputs. */
export function staticCredentials(
  byRegistry: Readonly<Record<string, Credential>>,
  description = 'the credentials passed in',
): CredentialProvider {
  return {
    description,
    get: (registry) => {
      const credential = byRegistry[registry];
      return Promise.resolve(credential === undefined ? undefined : { credential, source: description });
    },
  };
}

/** The first provider that has a credential for the registry wins. */
export function chainCredentials(providers: readonly CredentialProvider[]): CredentialProvider {
  return {
    description: providers.map((p) => p.description).join(', ') || 'no credential sources',
    get: async (registry) => {
      for (const provider of providers) {
        const found = await provider.get(registry);
        if (found !== undefined) return found;
      }
      return undefined;
    },
  };
}

/**
 * Azure Container Registry credentials for every `*.azurecr.io` (and the sovereign clouds'
 * ACR suffixes) registry, or only for the hosts listed. Without `credential`, a
 * `DefaultAzureCredential` (environment, workload identity, managed identity, Azure CLI) is made
 * on first use.
 */
export function azureCredentials(
  options: {
    credential?: TokenCredential;
    tenantId?: string;
    /** Hosts to use it for; default: any host ending in an ACR suffix. */
    registries?: readonly string[];
  } = {},
): CredentialProvider {
  const suffixes = ['.azurecr.io', '.azurecr.cn', '.azurecr.us'];
  const description = 'the Azure AD credential (ACR token exchange)';
  let credential: Promise<TokenCredential> | undefined;
  const tokenCredential = (): Promise<TokenCredential> => {
    credential ??=
      options.credential !== undefined
        ? Promise.resolve(options.credential)
        : import('@azure/identity').then(
            ({ DefaultAzureCredential }) =>
              new DefaultAzureCredential(
                options.tenantId !== undefined ? { tenantId: options.tenantId } : {},
              ),
          );
    return credential;
  };
  return {
    description,
    get: async (registry) => {
      const applies =
        options.registries !== undefined
          ? options.registries.includes(registry)
          : suffixes.some((suffix) => registry.toLowerCase().endsWith(suffix));
      if (!applies) return undefined;
      const resolved: Credential = { kind: 'azure', credential: await tokenCredential() };
      if (options.tenantId !== undefined) resolved.tenantId = options.tenantId;
      return { credential: resolved, source: description };
    },
  };
}
