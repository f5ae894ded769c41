import { parseDigest } from './digest.js';
import { OciError } from './errors.js';

/** A parsed, normalised image reference (docker reference grammar). */
export interface Reference {
  /** Registry host and optional port, normalised: `docker.io`, `localhost:5000`, `[::1]:5000`. */
  registry: string;
  /** Repository path inside the registry, e.g. `library/alpine`, `team/app`. */
  repository: string;
  tag?: string;
  digest?: string;
}

export const DOCKER_HUB = 'docker.io';
/** Where Docker Hub's distribution API actually lives. */
export const DOCKER_HUB_API_HOST = 'registry-1.docker.io';

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const IPV6_HOST = /^\[[a-fA-F0-9:]+\]$/;
const PORT = /^[0-9]+$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const MAX_NAME_LENGTH = 255;

const EXAMPLE = 'e.g. registry.example.com:5000/team/app:1.0, ghcr.io/org/app@sha256:<hex> or alpine:3.20';

function invalid(text: string, why: string): OciError {
  const shown = text.length > 300 ? `${text.slice(0, 300)}…` : text;
  return new OciError(
    'REFERENCE_INVALID',
    `invalid image reference ${JSON.stringify(shown)}: ${why} (${EXAMPLE})`,
  );
}

/** Whether `tag` is a valid tag (`[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`). */
export function isValidTag(tag: string): boolean {
  return TAG.test(tag);
}

/** Throws `REFERENCE_INVALID` naming the problem unless `tag` is a valid tag. */
export function assertValidTag(tag: string): void {
  if (!TAG.test(tag)) {
    throw new OciError(
      'REFERENCE_INVALID',
      `invalid tag ${JSON.stringify(tag.length > 200 ? `${tag.slice(0, 200)}…` : tag)}: a tag is 1 to 128 characters of letters, digits, "_", "." and "-", not starting with "." or "-"`,
    );
  }
}

function isDomain(candidate: string): boolean {
  let host = candidate;
  const portColon = candidate.lastIndexOf(':');
  if (portColon !== -1 && !candidate.endsWith(']')) {
    const port = candidate.slice(portColon + 1);
    if (!PORT.test(port)) return false;
    host = candidate.slice(0, portColon);
  }
  if (IPV6_HOST.test(host)) return true;
  return host.split('.').every((component) => DOMAIN_COMPONENT.test(component));
}

/**
 * Parse an image reference with the docker reference grammar and normalise its name:
 * `alpine` -> registry `docker.io`, repository `library/alpine`. A missing tag stays missing
 * (`withDefaultTag` adds `latest`), so callers can tell `app` from `app:latest`.
 *
 * Accepted: `[host[:port]/]path[:tag][@digest]`, where host is a DNS name, `localhost`, an IPv4
 * address or a bracketed IPv6 address. The first component is a host when it contains `.` or `:`,
 * is `localhost`, or has an uppercase letter; otherwise the reference is on Docker Hub.
 */
export function parseReference(text: string): Reference {
  if (text.length === 0) throw invalid(text, 'it is empty');
  if (/\s/.test(text)) throw invalid(text, 'it contains whitespace');
  if (/^[a-f0-9]{64}$/.test(text)) {
    throw invalid(text, 'a bare 64-character hex string is ambiguous; write it as <name>@sha256:<hex>');
  }
  if (text.includes('://')) {
    throw invalid(text, 'a reference has no scheme; remove the "https://" or "http://" prefix');
  }

  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (digest.length === 0) throw invalid(text, 'the digest after "@" is empty');
    try {
      parseDigest(digest);
    } catch (error) {
      if (error instanceof OciError && error.code === 'UNSUPPORTED') throw error;
      throw invalid(
        text,
        `the digest is not <algorithm>:<hex> (sha256 with 64 or sha512 with 128 lowercase hex characters)`,
      );
    }
  }

  let tag: string | undefined;
  const lastColon = rest.lastIndexOf(':');
  const lastSlash = rest.lastIndexOf('/');
  if (lastColon > lastSlash) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (!TAG.test(tag)) {
      throw invalid(
        text,
        `the tag ${JSON.stringify(tag)} is not valid: 1 to 128 characters of letters, digits, "_", "." and "-", not starting with "." or "-"`,
      );
    }
  }
  if (rest.length === 0) throw invalid(text, 'the repository name is empty');

  let registry: string;
  let repository: string;
  const firstSlash = rest.indexOf('/');
  const first = firstSlash === -1 ? '' : rest.slice(0, firstSlash);
  if (
    firstSlash !== -1 &&
    (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase())
  ) {
    if (!isDomain(first)) {
      throw invalid(
        text,
        `the registry host ${JSON.stringify(first)} is not a valid host[:port] (DNS name, IPv4 address or [IPv6] address)`,
      );
    }
    registry = first;
    repository = rest.slice(firstSlash + 1);
  } else {
    registry = DOCKER_HUB;
    repository = rest;
  }
  if (registry === 'index.docker.io' || registry === DOCKER_HUB_API_HOST) registry = DOCKER_HUB;
  if (registry === DOCKER_HUB && !repository.includes('/')) repository = `library/${repository}`;

  if (repository !== repository.toLowerCase()) {
    throw invalid(text, `the repository name "${repository}" must be lowercase`);
  }
  for (const component of repository.split('/')) {
    if (!PATH_COMPONENT.test(component)) {
      throw invalid(
        text,
        component.length === 0
          ? 'the repository path has an empty component (a leading, trailing or doubled "/")'
          : `the repository path component ${JSON.stringify(component)} is not valid: lowercase letters and digits, separated by ".", "_", "__" or "-"`,
      );
    }
  }

  // The bound is on the normalised name, host included (`docker.io/library/…` for Hub), as docker
  // checks it; the tag and digest do not count.
  const name = `${registry}/${repository}`;
  if (name.length > MAX_NAME_LENGTH) {
    throw invalid(
      text,
      `the name ${JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name)} is ${name.length} characters, longer than ${MAX_NAME_LENGTH} (host and repository path together)`,
    );
  }

  const reference: Reference = { registry, repository };
  if (tag !== undefined) reference.tag = tag;
  if (digest !== undefined) reference.digest = digest;
  return reference;
}

/** `registry/repository[:tag][@digest]`. */
export function formatReference(reference: Reference): string {
  let text = `${reference.registry}/${reference.repository}`;
  if (reference.tag !== undefined) text += `:${reference.tag}`;
  if (reference.digest !== undefined) text += `@${reference.digest}`;
  return text;
}

/** The reference with tag `latest` when it names neither a tag nor a digest. */
export function withDefaultTag(reference: Reference): Reference {
  if (reference.tag !== undefined || reference.digest !== undefined) return reference;
  return { ...reference, tag: 'latest' };
}

/** The host the distribution API is served from (Docker Hub's API is not on docker.io). */
export function registryApiHost(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_API_HOST : registry;
}
