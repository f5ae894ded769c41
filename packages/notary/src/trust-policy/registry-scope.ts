import { goQuote } from '../trust-store/go-format.js';

const ENSURE =
  'make sure it is a fully qualified repository without the scheme, protocol or tag. For example domain.com/my/repository or a local scope like local/myOCILayout';

const MAX_SCOPE_LENGTH = 4096;

// Linear-time equivalents of the distribution reference grammar notation uses (its Go
// regexps run on RE2; the same patterns on a backtracking engine would be a ReDoS risk).
const DOMAIN_LABEL = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

function validDomain(domain: string): boolean {
  let host = domain;
  const colon = domain.indexOf(':');
  if (colon >= 0) {
    const port = domain.slice(colon + 1);
    if (!/^[0-9]+$/.test(port)) return false;
    host = domain.slice(0, colon);
  }
  return host.split('.').every((label) => label.length <= 255 && DOMAIN_LABEL.test(label));
}

function validRepository(repository: string): boolean {
  return repository.split('/').every((c) => PATH_COMPONENT.test(c));
}

/** notation's `validateRegistryScopeFormat`. Throws with notation's message. */
export function validateRegistryScopeFormat(scope: string): void {
  if (scope.length > 1 && scope.includes('*')) {
    throw new Error(`registry scope ${goQuote(scope)} with wild card(s) is not valid, ${ENSURE}`);
  }
  const slash = scope.indexOf('/');
  const domain = slash < 0 ? '' : scope.slice(0, slash);
  const repository = slash < 0 ? '' : scope.slice(slash + 1);
  if (
    slash < 0 ||
    scope.length > MAX_SCOPE_LENGTH ||
    domain === '' ||
    repository === '' ||
    !validDomain(domain) ||
    !validRepository(repository)
  ) {
    throw new Error(`registry scope ${goQuote(scope)} is not valid, ${ENSURE}`);
  }
}

/** The repository part of `domain/repo@digest` (notation only accepts digest references). */
export function artifactPathFromReference(reference: string): string {
  const at = reference.lastIndexOf('@');
  if (at < 0) {
    throw new Error(
      `artifact URI ${goQuote(reference)} could not be parsed, make sure it is the fully qualified oci artifact URI without the scheme/protocol. e.g domain.com:80/my/repository@sha256:digest`,
    );
  }
  const path = reference.slice(0, at);
  validateRegistryScopeFormat(path);
  return path;
}
