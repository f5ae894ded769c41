import { isDigest, parseDigest } from './digest.js';
import { OciError } from './errors.js';
import { NodeHttpTransport } from './http/node-transport.js';
import type { HttpTransport } from './http/transport.js';
import { LayoutStore } from './layout/layout-store.js';
import { isValidTag, parseReference } from './reference.js';
import { RegistryClient, type RegistryClientOptions } from './registry/registry-client.js';
import { RegistryStore } from './registry/registry-store.js';
import type { ArtifactStore } from './types.js';

export interface OpenStoreOptions extends Omit<RegistryClientOptions, 'transport'> {
  /** Extra CA certificates (PEM) for registries with a private CA (ignored with `transport`/`client`). */
  ca?: string | readonly string[];
  /** The HTTP transport (default: node:http/https with keep-alive). */
  transport?: HttpTransport;
  /**
   * A client to share between stores: tokens, challenges and what each registry supports
   * (referrers API or tag schema) are then learned once. Other registry options are ignored.
   */
  client?: RegistryClient;
}

export interface OpenedStore {
  store: ArtifactStore;
  /** What the target named inside the store; `latest` when it named neither tag nor digest. */
  reference: { tag?: string; digest?: string };
}

/** A registry client for `openStore({ client })`, e.g. one per CLI run. */
export function createRegistryClient(options: Omit<OpenStoreOptions, 'client'> = {}): RegistryClient {
  const transport =
    options.transport ?? new NodeHttpTransport(options.ca !== undefined ? { ca: options.ca } : {});
  return new RegistryClient({ ...options, transport });
}

/**
 * Parse `oci:<dir>[:tag|@digest]`. The tag is what follows the last `:` after the last path
 * separator; `@` starts a digest. Neither given means tag `latest`, as for registry references
 * (never "the only image in the layout": which image is verified must not depend on what else
 * the directory holds).
 */
export function parseLayoutTarget(target: string): { dir: string; tag?: string; digest?: string } {
  if (!target.startsWith('oci:')) {
    throw new OciError(
      'REFERENCE_INVALID',
      `"${target}" is not an OCI layout target: write oci:<dir>[:tag|@digest]`,
    );
  }
  let rest = target.slice('oci:'.length);
  let digest: string | undefined;
  let tag: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at !== -1 && /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:/.test(rest.slice(at + 1))) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    try {
      parseDigest(digest);
    } catch (error) {
      throw new OciError(
        'REFERENCE_INVALID',
        `invalid OCI layout target "${target}": ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }
  const colon = rest.lastIndexOf(':');
  const separator = Math.max(rest.lastIndexOf('/'), rest.lastIndexOf('\\'));
  if (colon > separator && colon > 1) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!isValidTag(tag)) {
      throw new OciError(
        'REFERENCE_INVALID',
        `invalid OCI layout target "${target}": the tag "${tag}" is not valid (1 to 128 letters, digits, "_", "." or "-", not starting with "." or "-")`,
      );
    }
  }
  if (rest === '') {
    throw new OciError(
      'REFERENCE_INVALID',
      `invalid OCI layout target "${target}": the directory is empty (oci:<dir>[:tag|@digest])`,
    );
  }
  const result: { dir: string; tag?: string; digest?: string } = { dir: rest };
  if (tag !== undefined) result.tag = tag;
  if (digest !== undefined) result.digest = digest;
  if (tag === undefined && digest === undefined) result.tag = 'latest';
  return result;
}

/**
 * Open the store a target names: `oci:<dir>[:tag|@digest]` (an OCI image-layout directory) or
 * a registry reference (`host[:port]/repo[:tag][@digest]`, docker reference grammar).
 */
export function openStore(target: string, options: OpenStoreOptions = {}): Promise<OpenedStore> {
  try {
    if (target.startsWith('oci:')) {
      const { dir, tag, digest } = parseLayoutTarget(target);
      const store = new LayoutStore(dir, {
        ...(options.logger !== undefined ? { logger: options.logger } : {}),
        ...(options.maxBlobBytes !== undefined ? { maxBlobBytes: options.maxBlobBytes } : {}),
      });
      return Promise.resolve({ store, reference: referenceOf(tag, digest) });
    }
    const parsed = parseReference(target);
    const client = options.client ?? createRegistryClient(options);
    const store = new RegistryStore(client, parsed.registry, parsed.repository);
    const tag = parsed.tag ?? (parsed.digest === undefined ? 'latest' : undefined);
    return Promise.resolve({ store, reference: referenceOf(tag, parsed.digest) });
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

function referenceOf(tag: string | undefined, digest: string | undefined): { tag?: string; digest?: string } {
  const reference: { tag?: string; digest?: string } = {};
  if (tag !== undefined) reference.tag = tag;
  if (digest !== undefined && isDigest(digest)) reference.digest = digest;
  return reference;
}
