/**
 * The request side of the Gatekeeper external-data contract: the body Gatekeeper posts
 * (`ProviderRequest`), checked before any work is done, and the keys it carries (an image as
 * written in the pod spec, optionally prefixed with the namespace the pod is created in:
 * `[team-a]registry.example.com/app:1.0`, as Ratify's templates send it).
 *
 * Pure: bytes in, keys or a 4xx answer out.
 */
import { parseReference } from '@scs/oci';
import type { Reference } from '@scs/oci';
import { EXTERNAL_DATA_API_VERSION } from '../bundle/external-data.js';

/** The apiVersions Gatekeeper has sent (v3.7 to 3.10 sent v1alpha1, later versions v1beta1; same shape). */
export const ACCEPTED_REQUEST_API_VERSIONS: readonly string[] = [
  EXTERNAL_DATA_API_VERSION,
  'externaldata.gatekeeper.sh/v1alpha1',
];

export interface RequestLimits {
  /** Largest request body read; a larger one is refused (413) without being read whole. */
  maxBodyBytes: number;
  /** Most keys in one request; more is refused (413) before any work. */
  maxKeys: number;
  /** Longest key judged; a longer one gets a per-key error. */
  maxKeyLength: number;
}

export const DEFAULT_REQUEST_LIMITS: RequestLimits = {
  maxBodyBytes: 1024 * 1024,
  maxKeys: 1000,
  maxKeyLength: 2048,
};

export type ParsedProviderRequest =
  { ok: true; keys: string[] } | { ok: false; status: 400 | 413; message: string };

const shown = (value: unknown): string => (value === undefined ? 'nothing' : JSON.stringify(value));

const bad = (message: string): ParsedProviderRequest => ({ ok: false, status: 400, message });

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Check a request body: a JSON `ProviderRequest` (`apiVersion`, `kind: ProviderRequest`,
 * `request.keys`: strings, non-empty, at most `maxKeys`). Every refusal names what is wrong.
 */
export function parseProviderRequest(body: Uint8Array, limits: RequestLimits): ParsedProviderRequest {
  if (body.byteLength > limits.maxBodyBytes) {
    return {
      ok: false,
      status: 413,
      message: `the request body is larger than ${limits.maxBodyBytes} bytes; send fewer keys per request`,
    };
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return bad('the request body is not UTF-8 text; send a JSON ProviderRequest');
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    return bad(
      `the request body is not JSON (${error instanceof Error ? error.message : String(error)}); send a ProviderRequest`,
    );
  }
  if (!isRecord(document)) return bad('the request body must be a JSON object (a ProviderRequest)');
  const { apiVersion, kind, request } = document;
  if (typeof apiVersion !== 'string' || !ACCEPTED_REQUEST_API_VERSIONS.includes(apiVersion)) {
    return bad(`apiVersion must be ${ACCEPTED_REQUEST_API_VERSIONS.join(' or ')}, got ${shown(apiVersion)}`);
  }
  if (kind !== 'ProviderRequest') {
    return bad(`kind must be ProviderRequest, got ${shown(kind)}`);
  }
  if (!isRecord(request)) return bad('request must be an object holding keys: {"request": {"keys": [...]}}');
  const keys = request.keys ?? [];
  if (!Array.isArray(keys)) return bad('request.keys must be an array of image references');
  if (keys.length > limits.maxKeys) {
    return {
      ok: false,
      status: 413,
      message: `request.keys holds ${keys.length} keys, more than the ${limits.maxKeys} this provider judges in one request; split the request`,
    };
  }
  const strings: string[] = [];
  for (const [index, key] of keys.entries()) {
    if (typeof key !== 'string') {
      return bad(`request.keys[${index}] must be a string (an image reference), got ${typeof key}`);
    }
    if (key === '') return bad(`request.keys[${index}] is empty; send image references`);
    strings.push(key);
  }
  return { ok: true, keys: strings };
}

/** A key split into its namespace (when the template sent one) and the image reference. */
export interface ProviderKey {
  /** The namespace the pod is created in, from a `[namespace]` prefix. */
  namespace?: string;
  /** The image as written in the pod spec. */
  image: string;
  /** The image parsed (docker reference grammar; `docker.io/library/…` filled in). */
  reference: Reference;
}

const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Split and check one key. Only registry references are judged: an `oci:` layout path names a
 * directory of the provider's own file system and is refused, like anything that is not an
 * image reference. Returns the reason when the key cannot be judged.
 */
export function parseProviderKey(key: string, limits: RequestLimits): ProviderKey | { error: string } {
  if (key.length > limits.maxKeyLength) {
    return {
      error: `the key is longer than ${limits.maxKeyLength} characters; it is not an image reference`,
    };
  }
  let image = key;
  let namespace: string | undefined;
  if (key.startsWith('[')) {
    const end = key.indexOf(']');
    if (end === -1) {
      return { error: `the key starts with "[" but has no "]": write [namespace]image or just the image` };
    }
    namespace = key.slice(1, end);
    image = key.slice(end + 1);
    if (namespace.length > 63 || !NAMESPACE.test(namespace)) {
      return {
        error: `"${namespace}" is not a Kubernetes namespace name (lowercase letters, digits and "-", at most 63)`,
      };
    }
  }
  if (image.startsWith('oci:')) {
    return {
      error: `"${image}" names an OCI layout directory; the admission provider judges registry images only`,
    };
  }
  let reference: Reference;
  try {
    reference = parseReference(image);
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
  return { ...(namespace === undefined ? {} : { namespace }), image, reference };
}
