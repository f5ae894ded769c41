/**
 * The Gatekeeper external-data contract between the admission template the bundle generates and
 * the provider that answers it (`scs serve`, or Ratify).
 *
 * On the wire (HTTPS `POST /verify`), Gatekeeper sends a `ProviderRequest` and the provider
 * answers a `ProviderResponse`: one item per key (image reference as written in the pod spec),
 * each with either a `value` or an `error`, and a `systemError` when the whole call failed.
 *
 * Gatekeeper hands that response to the Rego of the template as the result of
 * `external_data({"provider": <name>, "keys": [...]})`, reshaped (see `regoView`):
 *
 * ```
 * {
 *   "responses":    [[<key>, <value>], ...],    // items that carry a value
 *   "errors":       [[<key>, <error>], ...],    // items that carry an error
 *   "system_error": "<string, empty when none>",
 *   "status_code":  200
 * }
 * ```
 *
 * `<value>` is Ratify's verification result shape (`renderRatifyResponse`), which Ratify's own
 * templates also read: `{ "isSuccess": bool, "verifierReports": [{ "isSuccess": bool,
 * "message": string, "name": string, "type": string, ... }] }`. The template admits an image only
 * when its value says `isSuccess: true`; anything else (an error item, a system error, a key
 * missing from the response, a value of another shape) denies.
 *
 * `testdata/provider-response.json` is a ProviderResponse in exactly this shape; both the bundle
 * tests and the `serve` tests check against it.
 */

export const EXTERNAL_DATA_API_VERSION = 'externaldata.gatekeeper.sh/v1beta1';

/** What Gatekeeper posts to the provider. */
export interface ProviderRequest {
  apiVersion: typeof EXTERNAL_DATA_API_VERSION;
  kind: 'ProviderRequest';
  request: { keys: string[] };
}

/** The per-image verdict: Ratify's result shape (what `renderRatifyResponse` produces). */
export interface ProviderVerdict {
  isSuccess: boolean;
  verifierReports: {
    isSuccess: boolean;
    message: string;
    name: string;
    type: string;
    [field: string]: unknown;
  }[];
  [field: string]: unknown;
}

export interface ProviderResponseItem {
  key: string;
  value?: ProviderVerdict;
  /** Set when this image could not be judged; the image is denied with this text. */
  error?: string;
}

/** What the provider answers. */
export interface ProviderResponse {
  apiVersion: typeof EXTERNAL_DATA_API_VERSION;
  kind: 'ProviderResponse';
  response: {
    /** True when the same keys always get the same answer, so Gatekeeper may cache it. */
    idempotent: boolean;
    items: ProviderResponseItem[];
    /** Non-empty when the whole call failed: every image is denied. */
    systemError?: string;
  };
}

/** What the template's Rego receives from `external_data(...)`. */
export interface RegoExternalDataResult {
  responses: [string, unknown][];
  errors: [string, string][];
  system_error: string;
  status_code: number;
}

/**
 * The response as Gatekeeper hands it to Rego: items with a value go to `responses`, items with
 * an error to `errors` (an item with both counts as an error), `systemError` to `system_error`.
 */
export function regoView(response: ProviderResponse, statusCode = 200): RegoExternalDataResult {
  const responses: [string, unknown][] = [];
  const errors: [string, string][] = [];
  for (const item of response.response.items) {
    if (item.error !== undefined && item.error !== '') errors.push([item.key, item.error]);
    else responses.push([item.key, item.value]);
  }
  return { responses, errors, system_error: response.response.systemError ?? '', status_code: statusCode };
}

/** JSON Schema of a ProviderResponse as the template reads it (strict: no unknown envelope fields). */
export const PROVIDER_RESPONSE_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'kind', 'response'],
  properties: {
    apiVersion: { const: EXTERNAL_DATA_API_VERSION },
    kind: { const: 'ProviderResponse' },
    response: {
      type: 'object',
      additionalProperties: false,
      required: ['idempotent', 'items'],
      properties: {
        idempotent: { type: 'boolean' },
        systemError: { type: 'string' },
        items: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['key'],
            properties: {
              key: { type: 'string', minLength: 1 },
              error: { type: 'string' },
              value: {
                type: 'object',
                required: ['isSuccess', 'verifierReports'],
                properties: {
                  isSuccess: { type: 'boolean' },
                  verifierReports: {
                    type: 'array',
                    items: {
                      type: 'object',
                      required: ['isSuccess', 'message', 'name', 'type'],
                      properties: {
                        isSuccess: { type: 'boolean' },
                        message: { type: 'string' },
                        name: { type: 'string' },
                        type: { type: 'string' },
                      },
                    },
                  },
                },
              },
            },
            oneOf: [{ required: ['value'] }, { required: ['error'] }],
          },
        },
      },
    },
  },
} as const;
