/**
 * RFC 4514 distinguished names as written in trusted identities (`x509.subject: CN=…,O=…,ST=…,C=…`),
 * with the Notary Project rules: single-valued RDNs, no repeated attribute, and C, ST and O present.
 */

/** Attribute type (as written, upper-cased) to value (unescaped). */
export type DistinguishedName = ReadonlyMap<string, string>;

export class DistinguishedNameError extends Error {
  override readonly name = 'DistinguishedNameError';
}

const MANDATORY = ['C', 'ST', 'O'] as const;

/** Split on `separator` where it is not escaped by a backslash. */
function splitUnescaped(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === '\\' && i + 1 < text.length) {
      current += ch + (text[i + 1] as string);
      i++;
    } else if (ch === separator) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

function unescapeValue(raw: string, dn: string): string {
  let out = '';
  const bytes: number[] = [];
  const flush = (): void => {
    if (bytes.length > 0) {
      out += Buffer.from(bytes).toString('utf8');
      bytes.length = 0;
    }
  };
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i] as string;
    if (ch !== '\\') {
      flush();
      out += ch;
      continue;
    }
    const next = raw.slice(i + 1, i + 3);
    if (/^[0-9A-Fa-f]{2}$/.test(next)) {
      bytes.push(parseInt(next, 16));
      i += 2;
    } else if (i + 1 < raw.length) {
      flush();
      out += raw[i + 1] as string;
      i++;
    } else {
      throw new DistinguishedNameError(`distinguished name "${dn}" ends with a lone backslash`);
    }
  }
  flush();
  return out;
}

/**
 * Parse a DN. Throws `DistinguishedNameError` saying what is wrong (the policy loader adds the
 * field path and the fix).
 */
export function parseDistinguishedName(dn: string): DistinguishedName {
  const attributes = new Map<string, string>();
  if (dn.trim() === '') throw new DistinguishedNameError('the distinguished name is empty');
  for (const rdn of splitUnescaped(dn, ',')) {
    const values = splitUnescaped(rdn, '+');
    if (values.length > 1) {
      throw new DistinguishedNameError(
        `distinguished name "${dn}" has a multi-valued RDN "${rdn.trim()}", which is not supported`,
      );
    }
    const text = rdn.trim();
    const eq = text.indexOf('=');
    if (eq <= 0) throw new DistinguishedNameError(`"${text}" in "${dn}" is not an attribute=value pair`);
    const type = text.slice(0, eq).trim();
    if (!/^([A-Za-z][A-Za-z0-9-]*|\d+(\.\d+)+)$/.test(type)) {
      throw new DistinguishedNameError(`"${type}" in "${dn}" is not an attribute type`);
    }
    const rawValue = text.slice(eq + 1).trim();
    if (rawValue.startsWith('#')) {
      throw new DistinguishedNameError(
        `"${text}" in "${dn}" uses a hex-encoded value, which is not supported`,
      );
    }
    if (rawValue === '') throw new DistinguishedNameError(`"${type}" in "${dn}" has an empty value`);
    const key = type.toUpperCase();
    if (attributes.has(key)) {
      throw new DistinguishedNameError(`distinguished name "${dn}" repeats the attribute "${type}"`);
    }
    attributes.set(key, unescapeValue(rawValue, dn));
  }
  for (const field of MANDATORY) {
    if (!attributes.has(field)) {
      throw new DistinguishedNameError(
        `distinguished name "${dn}" has no "${field}" attribute; C, ST and O are required at a minimum`,
      );
    }
  }
  return attributes;
}

/** True when every attribute of `a` is in `b` with the same value (`a` is at most as specific as `b`). */
export function isSubsetOf(a: DistinguishedName, b: DistinguishedName): boolean {
  for (const [key, value] of a) {
    if (b.get(key) !== value) return false;
  }
  return true;
}
