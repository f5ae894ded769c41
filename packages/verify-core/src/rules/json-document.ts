import type { VerifyCoreError } from '../errors.js';

/** A JSON object as read from an attached document, before its fields are checked. */
export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value when it is a non-empty string, else undefined. */
export function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The bytes of an attached document as a JSON object. `malformed(detail, cause)` makes the
 * error of the document's kind (`is not JSON`, `is not a JSON object`).
 */
export function parseJsonObject(
  bytes: Uint8Array,
  malformed: (detail: string, cause?: unknown) => VerifyCoreError,
): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw malformed('is not JSON', error);
  }
  if (!isJsonObject(value)) throw malformed('is not a JSON object');
  return value;
}
