import { NotaryError } from '../errors.js';
import {
  parseStrictJson,
  JsonSyntaxError,
  type JsonObject,
  type JsonValue,
  type StrictJsonLimits,
} from './strict-json.js';
import { TRUST_POLICY_LINK } from './policy-core.js';
import type { SignatureVerification } from './types.js';

/** notation's message for a document that does not decode, with what is wrong appended. */
export function malformed(detail: string, cause?: unknown): NotaryError {
  return new NotaryError(
    'TRUST_POLICY_INVALID',
    `malformed trust policy. To create a trust policy, see: ${TRUST_POLICY_LINK}. Cause: ${detail}`,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * The shape both trust policy documents share, decoded strictly: `{ version, trustPolicies: [...] }`
 * with no other field; each statement is an object with only `statementFields`, built by `statement`.
 */
export function decodePolicyDocument<S>(
  input: string | Uint8Array,
  limits: StrictJsonLimits | undefined,
  statementFields: readonly string[],
  statement: (s: JsonObject, path: string) => S,
): { version: string; trustPolicies: S[] } {
  const root = parseDocumentJson(input, limits);
  checkFields(root, ['version', 'trustPolicies'], 'the document');
  return {
    version: stringField(root, 'version', 'the document'),
    trustPolicies: arrayField(root, 'trustPolicies', 'the document').map((raw, i) => {
      const path = `trustPolicies[${i}]`;
      const s = asObject(raw, path);
      checkFields(s, statementFields, path);
      return statement(s, path);
    }),
  };
}

export function parseDocumentJson(input: string | Uint8Array, limits?: StrictJsonLimits): JsonObject {
  let value: JsonValue;
  try {
    value = parseStrictJson(input, limits);
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw malformed(e.message, e);
    throw e;
  }
  return asObject(value, 'the document');
}

function typeName(v: JsonValue): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

export function asObject(v: JsonValue, path: string): JsonObject {
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw malformed(`${path} must be an object, found ${typeName(v)}`);
  return v;
}

export function checkFields(obj: JsonObject, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      throw malformed(
        `unknown field ${JSON.stringify(key)} in ${path}; allowed fields are ${allowed.join(', ')}`,
      );
    }
  }
}

/** A string field; absent or null reads as "" (Go's zero value). */
export function stringField(obj: JsonObject, key: string, path: string): string {
  const v = obj[key];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw malformed(`${path}.${key} must be a string, found ${typeName(v)}`);
  return v;
}

/** A string-array field; absent or null reads as []. */
export function stringArrayField(obj: JsonObject, key: string, path: string): string[] {
  const v = obj[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw malformed(`${path}.${key} must be an array of strings, found ${typeName(v)}`);
  return v.map((item, i) => {
    if (typeof item !== 'string')
      throw malformed(`${path}.${key}[${i}] must be a string, found ${typeName(item)}`);
    return item;
  });
}

export function booleanField(obj: JsonObject, key: string, path: string): boolean {
  const v = obj[key];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw malformed(`${path}.${key} must be true or false, found ${typeName(v)}`);
  return v;
}

export function arrayField(obj: JsonObject, key: string, path: string): JsonValue[] {
  const v = obj[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw malformed(`${path}.${key} must be an array, found ${typeName(v)}`);
  return v;
}

export function signatureVerificationField(obj: JsonObject, path: string): SignatureVerification {
  const raw = obj.signatureVerification;
  const p = `${path}.signatureVerification`;
  if (raw === undefined || raw === null) return { level: '' };
  const sv = asObject(raw, p);
  checkFields(sv, ['level', 'override', 'verifyTimestamp'], p);
  const out: SignatureVerification = { level: stringField(sv, 'level', p) };
  const override = sv.override;
  if (override !== undefined && override !== null) {
    const o = asObject(override, `${p}.override`);
    const entries = Object.create(null) as Record<string, string>;
    for (const [k, v] of Object.entries(o)) {
      if (typeof v !== 'string') throw malformed(`${p}.override.${k} must be a string, found ${typeName(v)}`);
      entries[k] = v;
    }
    out.override = entries;
  }
  const vt = sv.verifyTimestamp;
  if (vt !== undefined && vt !== null) out.verifyTimestamp = stringField(sv, 'verifyTimestamp', p);
  return out;
}
