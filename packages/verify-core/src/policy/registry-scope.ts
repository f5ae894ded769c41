import type { PolicyScope, SupplyChainPolicy } from './types.js';

/** The registry scope that matches every repository. */
export const WILDCARD_SCOPE = '*';

// The distribution reference grammar for a domain (with optional port) and a repository path,
// as notation applies it to registry scopes.
const DOMAIN =
  /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?$/;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const REPOSITORY = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);

/**
 * Whether `scope` is a fully qualified repository (`domain/path`, no scheme, tag or digest), as
 * notation requires. `local/<name>` is the scope of an OCI layout named `<name>`.
 */
export function isValidRegistryScope(scope: string): boolean {
  const slash = scope.indexOf('/');
  if (slash <= 0) return false;
  const domain = scope.slice(0, slash);
  const repository = scope.slice(slash + 1);
  return DOMAIN.test(domain) && REPOSITORY.test(repository);
}

/**
 * The scope that judges `repository` (e.g. `registry.example.com/team/app`): the one listing it
 * exactly, else the one listing `*`, else none (the caller denies).
 */
export function selectScope(policy: SupplyChainPolicy, repository: string): PolicyScope | undefined {
  let wildcard: PolicyScope | undefined;
  for (const scope of policy.spec.scopes) {
    if (scope.registryScopes.includes(repository)) return scope;
    if (scope.registryScopes.includes(WILDCARD_SCOPE)) wildcard = scope;
  }
  return wildcard;
}

/**
 * The repository an OCI image-layout directory stands for in registry scopes: `local/<name>`,
 * `<name>` being the directory's last path component, lowercased, with characters a repository
 * cannot hold replaced by `-`.
 */
export function layoutRepository(directory: string): string {
  const parts = directory.split(/[\\/]+/).filter((p) => p !== '' && p !== '.');
  const last = parts[parts.length - 1] ?? 'layout';
  const name =
    last
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/[._-]{2,}/g, '-')
      .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '') || 'layout';
  return `local/${name}`;
}
