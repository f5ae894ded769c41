import { goQuote, goRuneU } from '../trust-store/go-format.js';

/** One RDN: its attributes in order (more than one means a multi-valued RDN, `A=1+B=2`). */
export type ParsedRdn = Array<{ type: string; value: string }>;

/** Why an RFC 4514 string did not parse; `message` is go-ldap's wording. */
export class DnSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DnSyntaxError';
  }
}

/**
 * Parses an RFC 4514 distinguished name the way notation does (go-ldap v3 `ParseDN`): `\`
 * escapes (special characters or a hex pair), unescaped leading/trailing spaces dropped, `+`
 * joins attributes of one RDN, and an unescaped `=` followed by `#` starts a hex-encoded BER
 * value. Any unescaped `=` starts a new attribute type, which is why `CN=a=#b` is rejected.
 */
export function parseRfc4514(str: string): ParsedRdn[] {
  const rdns: ParsedRdn[] = [];
  let rdn: ParsedRdn = [];
  let type = '';
  let buffer: number[] = [];
  let trailingSpaces = 0;
  let escaping = false;
  const bytes = Buffer.from(str, 'utf8');
  const take = (): string => {
    const s = Buffer.from(buffer.slice(0, buffer.length - trailingSpaces)).toString('utf8');
    buffer = [];
    trailingSpaces = 0;
    return s;
  };
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i] ?? 0;
    const ch = String.fromCharCode(c);
    if (escaping) {
      trailingSpaces = 0;
      escaping = false;
      if (' "#+,;<=>\\'.includes(ch)) {
        buffer.push(c);
        continue;
      }
      if (i + 1 === bytes.length) throw new DnSyntaxError('got corrupted escaped character');
      const decoded = decodeHex(bytes.subarray(i, i + 2));
      if (typeof decoded === 'string')
        throw new DnSyntaxError(`failed to decode escaped character: ${decoded}`);
      buffer.push(decoded[0] ?? 0);
      i++;
    } else if (ch === '\\') {
      trailingSpaces = 0;
      escaping = true;
    } else if (ch === '=') {
      type = take();
      if (i + 1 < bytes.length && bytes[i + 1] === 0x23 /* # */) {
        i += 2;
        const rest = bytes.subarray(i);
        const index = rest.findIndex((b) => b === 0x2c || b === 0x2b);
        const data = index > 0 ? rest.subarray(0, index) : rest;
        const raw = decodeHex(data);
        if (typeof raw === 'string') throw new DnSyntaxError(`failed to decode BER encoding: ${raw}`);
        buffer.push(...berContents(raw));
        i += data.length - 1;
      }
    } else if (ch === ',' || ch === '+') {
      if (type.length === 0) throw new DnSyntaxError('incomplete type, value pair');
      rdn.push({ type, value: take() });
      type = '';
      if (ch === ',') {
        rdns.push(rdn);
        rdn = [];
      }
    } else if (ch === ' ' && buffer.length === 0) {
      continue;
    } else {
      trailingSpaces = ch === ' ' ? trailingSpaces + 1 : 0;
      buffer.push(c);
    }
  }
  if (buffer.length > 0) {
    if (type.length === 0) throw new DnSyntaxError('DN ended with incomplete type, value pair');
    rdn.push({ type, value: take() });
    rdns.push(rdn);
  }
  return rdns;
}

/** Go `encoding/hex` decode; returns its error text on failure. */
function decodeHex(src: Uint8Array): Uint8Array | string {
  const val = (b: number): number => {
    if (b >= 0x30 && b <= 0x39) return b - 0x30;
    if (b >= 0x61 && b <= 0x66) return b - 0x61 + 10;
    if (b >= 0x41 && b <= 0x46) return b - 0x41 + 10;
    return -1;
  };
  const out: number[] = [];
  let j = 1;
  for (; j < src.length; j += 2) {
    const p = src[j - 1] ?? 0;
    const q = src[j] ?? 0;
    if (val(p) < 0) return `encoding/hex: invalid byte: ${goRuneU(p)}`;
    if (val(q) < 0) return `encoding/hex: invalid byte: ${goRuneU(q)}`;
    out.push(val(p) * 16 + val(q));
  }
  if (src.length % 2 === 1) {
    const last = src[j - 1] ?? 0;
    if (val(last) < 0) return `encoding/hex: invalid byte: ${goRuneU(last)}`;
    return 'encoding/hex: odd length hex string';
  }
  return Uint8Array.from(out);
}

/** The contents octets of a single BER TLV (what go-ldap keeps of a `#hex` value). */
function berContents(raw: Uint8Array): number[] {
  if (raw.length < 2) throw new DnSyntaxError('failed to decode BER packet: unexpected EOF');
  let p = 1;
  const l0 = raw[p++] ?? 0;
  let len = l0;
  if (l0 & 0x80) {
    const n = l0 & 0x7f;
    if (n === 0 || n > 4 || p + n > raw.length)
      throw new DnSyntaxError('failed to decode BER packet: invalid length');
    len = 0;
    for (let k = 0; k < n; k++) len = len * 256 + (raw[p++] ?? 0);
  }
  if (p + len > raw.length) throw new DnSyntaxError('failed to decode BER packet: unexpected EOF');
  return [...raw.subarray(p, p + len)];
}

/** A trusted-identity DN: attribute type -> value, in the order written. */
export type DistinguishedName = ReadonlyMap<string, string>;

const MANDATORY = ['C', 'ST', 'O'];

/**
 * notation's `ParseDistinguishedName`: RFC 4514 syntax, no multi-valued RDNs, no duplicate
 * attribute types, and at least C, ST and O. Throws with notation's exact message.
 */
export function parseDistinguishedName(name: string): DistinguishedName {
  let rdns: ParsedRdn[];
  try {
    rdns = parseRfc4514(name);
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    throw new DnSyntaxError(
      `parsing distinguished name (DN) ${goQuote(name)} failed with err: ${detail}. A valid DN must contain 'C', 'ST', and 'O' RDN attributes at a minimum, and follow RFC 4514 standard`,
    );
  }
  const map = new Map<string, string>();
  for (const rdn of rdns) {
    if (rdn.length > 1) {
      throw new DnSyntaxError(
        `distinguished name (DN) ${goQuote(name)} has multi-valued RDN attributes, remove multi-valued RDN attributes as they are not supported`,
      );
    }
    for (const { type, value } of rdn) {
      if ((map.get(type) ?? '') === '') {
        map.set(type, value);
      } else {
        throw new DnSyntaxError(
          `distinguished name (DN) ${goQuote(name)} has duplicate RDN attribute for ${goQuote(type)}, DN can only have unique RDN attributes`,
        );
      }
    }
  }
  for (const field of MANDATORY) {
    if ((map.get(field) ?? '') === '') {
      throw new DnSyntaxError(
        `distinguished name (DN) ${goQuote(name)} has no mandatory RDN attribute for ${goQuote(field)}, it must contain 'C', 'ST', and 'O' RDN attributes at a minimum`,
      );
    }
  }
  return map;
}

/** True when every attribute of `subset` has the same value in `dn` (Go map semantics: missing = ""). */
export function isSubsetDn(subset: DistinguishedName, dn: DistinguishedName): boolean {
  for (const [key, value] of subset) {
    if ((dn.get(key) ?? '') !== value) return false;
  }
  return true;
}
