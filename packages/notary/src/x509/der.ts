/**
 * The package's one DER reader and writer (X.690 distinguished encoding): definite lengths only,
 * minimal length octets, no trailing bytes where a caller asks for a whole value. Certificates,
 * CRLs, OCSP responses and CMS/TSTInfo are read with it; BER input (timestamp tokens) is first
 * normalised by `berToDer`. The writer builds OCSP requests and test certificates.
 *
 * Errors are `Asn1Error`s carrying the offset; callers turn them into a NotaryError with context.
 */

export class Asn1Error extends Error {
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(message);
    this.name = 'Asn1Error';
    this.offset = offset;
  }
}

export const TagClass = { universal: 0, application: 1, context: 2, private: 3 } as const;

export const Tag = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  enumerated: 0x0a,
  utf8String: 0x0c,
  sequence: 0x30,
  set: 0x31,
  numericString: 0x12,
  printableString: 0x13,
  t61String: 0x14,
  ia5String: 0x16,
  utcTime: 0x17,
  generalizedTime: 0x18,
  universalString: 0x1c,
  bmpString: 0x1e,
} as const;

/** One TLV. `bytes` is the whole encoding, `value` the contents octets (views, not copies). */
export interface DerNode {
  /** The identifier octet (single-byte tags only: tag numbers up to 30). */
  readonly tag: number;
  readonly tagClass: number;
  readonly constructed: boolean;
  readonly tagNumber: number;
  /** Offset of the identifier octet in the buffer given to `readDer`. */
  readonly offset: number;
  readonly bytes: Uint8Array;
  readonly value: Uint8Array;
  /** Offset of the contents octets in the original buffer. */
  readonly valueOffset: number;
}

/** Reads the TLV at `offset` of `buf`. `base` is added to offsets reported in errors. */
export function readDer(buf: Uint8Array, offset = 0, base = 0): DerNode {
  if (offset >= buf.length) throw new Asn1Error('data truncated: expected a tag', base + offset);
  const tag = buf[offset] ?? 0;
  if ((tag & 0x1f) === 0x1f) throw new Asn1Error('multi-byte tags are not supported', base + offset);
  let p = offset + 1;
  if (p >= buf.length) throw new Asn1Error('data truncated: expected a length', base + p);
  const first = buf[p] ?? 0;
  p += 1;
  let length: number;
  if (first < 0x80) {
    length = first;
  } else if (first === 0x80) {
    throw new Asn1Error('indefinite length is not allowed in DER', base + p - 1);
  } else {
    const count = first & 0x7f;
    if (count > 4) throw new Asn1Error('length too large', base + p - 1);
    if (p + count > buf.length) throw new Asn1Error('data truncated: length octets', base + p);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (buf[p + i] ?? 0);
    if ((buf[p] ?? 0) === 0) throw new Asn1Error('non-minimal length', base + p);
    if (length < 0x80) throw new Asn1Error('non-minimal length', base + p);
    p += count;
  }
  if (p + length > buf.length) {
    throw new Asn1Error(
      `data truncated: ${length} content bytes announced, ${buf.length - p} present`,
      base + p,
    );
  }
  return {
    tag,
    tagClass: tag >> 6,
    constructed: (tag & 0x20) !== 0,
    tagNumber: tag & 0x1f,
    offset: base + offset,
    bytes: buf.subarray(offset, p + length),
    value: buf.subarray(p, p + length),
    valueOffset: base + p,
  };
}

/** Reads exactly one TLV spanning all of `buf`. */
export function readDerExact(buf: Uint8Array, what: string): DerNode {
  const node = readDer(buf);
  if (node.bytes.length !== buf.length) {
    throw new Asn1Error(`trailing data after ${what}`, node.bytes.length);
  }
  return node;
}

/** The child TLVs of a constructed node. */
export function children(node: DerNode): DerNode[] {
  if (!node.constructed) throw new Asn1Error('expected a constructed value', node.offset);
  const out: DerNode[] = [];
  let p = 0;
  while (p < node.value.length) {
    const child = readDer(node.value, p, node.valueOffset);
    out.push(child);
    p += child.bytes.length;
    if (out.length > 1_000_000) throw new Asn1Error('too many elements', node.offset);
  }
  return out;
}

export function expectTag(node: DerNode | undefined, tag: number, what: string): DerNode {
  if (!node) throw new Asn1Error(`${what} is missing`, 0);
  if (node.tag !== tag) {
    throw new Asn1Error(`${what}: expected tag 0x${hex2(tag)}, found 0x${hex2(node.tag)}`, node.offset);
  }
  return node;
}

export function sequence(node: DerNode | undefined, what: string): DerNode[] {
  return children(expectTag(node, Tag.sequence, what));
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

export function readOid(node: DerNode | undefined, what = 'object identifier'): string {
  const n = expectTag(node, Tag.oid, what);
  const v = n.value;
  if (v.length === 0) throw new Asn1Error(`${what}: empty`, n.offset);
  const parts: bigint[] = [];
  let acc = 0n;
  for (let i = 0; i < v.length; i++) {
    const b = v[i] ?? 0;
    if (acc === 0n && b === 0x80) throw new Asn1Error(`${what}: non-minimal encoding`, n.offset);
    acc = (acc << 7n) | BigInt(b & 0x7f);
    if ((b & 0x80) === 0) {
      parts.push(acc);
      acc = 0n;
    } else if (i === v.length - 1) {
      throw new Asn1Error(`${what}: truncated`, n.offset);
    }
  }
  const first = parts[0] ?? 0n;
  const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
  return [...head, ...parts.slice(1)].map(String).join('.');
}

export function encodeOid(oid: string): Uint8Array {
  const arcs = oid.split('.').map((a) => BigInt(a));
  const [a0 = 0n, a1 = 0n, ...rest] = arcs;
  const body: number[] = [];
  for (const arc of [a0 * 40n + a1, ...rest]) {
    const chunk: number[] = [];
    let v = arc;
    do {
      chunk.unshift(Number(v & 0x7fn));
      v >>= 7n;
    } while (v > 0n);
    for (let i = 0; i < chunk.length - 1; i++) chunk[i] = (chunk[i] ?? 0) | 0x80;
    body.push(...chunk);
  }
  return encodeTlv(Tag.oid, Uint8Array.from(body));
}

/** An AlgorithmIdentifier: the OID, and the DER of the parameters when present. */
export function readAlgorithm(
  node: DerNode | undefined,
  what: string,
): { oid: string; parameters: Uint8Array | undefined } {
  const [oid, parameters] = sequence(node, what);
  return { oid: readOid(oid, what), parameters: parameters?.bytes };
}

export function readInteger(node: DerNode | undefined, what = 'integer'): bigint {
  const n = expectTag(node, Tag.integer, what);
  return bytesToSignedBigInt(n.value, what, n.offset);
}

export function readEnumerated(node: DerNode | undefined, what: string): number {
  const n = expectTag(node, Tag.enumerated, what);
  return Number(bytesToSignedBigInt(n.value, what, n.offset));
}

function bytesToSignedBigInt(v: Uint8Array, what: string, offset: number): bigint {
  if (v.length === 0) throw new Asn1Error(`${what}: empty integer`, offset);
  if (
    v.length > 1 &&
    ((v[0] === 0 && ((v[1] ?? 0) & 0x80) === 0) || (v[0] === 0xff && ((v[1] ?? 0) & 0x80) !== 0))
  ) {
    throw new Asn1Error(`${what}: integer not minimally-encoded`, offset);
  }
  let acc = 0n;
  for (const b of v) acc = (acc << 8n) | BigInt(b);
  if (((v[0] ?? 0) & 0x80) !== 0) acc -= 1n << BigInt(v.length * 8);
  return acc;
}

export function readBoolean(node: DerNode | undefined, what: string): boolean {
  const n = expectTag(node, Tag.boolean, what);
  if (n.value.length !== 1) throw new Asn1Error(`${what}: invalid boolean`, n.offset);
  const b = n.value[0];
  if (b !== 0 && b !== 0xff) throw new Asn1Error(`${what}: invalid boolean`, n.offset);
  return b === 0xff;
}

export function readOctetString(node: DerNode | undefined, what: string): Uint8Array {
  return expectTag(node, Tag.octetString, what).value;
}

/** BIT STRING contents without the unused-bits octet, plus that count. */
export function readBitString(
  node: DerNode | undefined,
  what: string,
): { bytes: Uint8Array; unusedBits: number } {
  const n = expectTag(node, Tag.bitString, what);
  if (n.value.length === 0) throw new Asn1Error(`${what}: empty bit string`, n.offset);
  const unusedBits = n.value[0] ?? 0;
  if (unusedBits > 7 || (n.value.length === 1 && unusedBits !== 0)) {
    throw new Asn1Error(`${what}: invalid padding bits`, n.offset);
  }
  return { bytes: n.value.subarray(1), unusedBits };
}

/**
 * UTCTime or GeneralizedTime (RFC 5280 profile: Z suffix, a real calendar date). Fractional
 * seconds are tolerated unless `allowFraction` is false (certificate validity, as Go's parser).
 */
export function readTime(node: DerNode | undefined, what: string, allowFraction = true): Date {
  if (!node) throw new Asn1Error(`${what} is missing`, 0);
  const s = latin1(node.value);
  if (node.tag === Tag.utcTime) {
    const m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s);
    if (!m) throw new Asn1Error(`${what}: invalid UTCTime ${JSON.stringify(s)}`, node.offset);
    const yy = Number(m[1]);
    const year = yy >= 50 ? 1900 + yy : 2000 + yy;
    return utc(year, m, node.offset, what);
  }
  if (node.tag === Tag.generalizedTime) {
    const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d{1,9}))?Z$/.exec(s);
    if (!m) throw new Asn1Error(`${what}: invalid GeneralizedTime ${JSON.stringify(s)}`, node.offset);
    const d = utc(Number(m[1]), m, node.offset, what);
    const frac = m[7];
    if (frac !== undefined) {
      if (frac.endsWith('0') || !allowFraction)
        throw new Asn1Error(`${what}: invalid GeneralizedTime ${JSON.stringify(s)}`, node.offset);
      d.setTime(d.getTime() + Math.floor(Number(`0.${frac}`) * 1000));
    }
    return d;
  }
  throw new Asn1Error(
    `${what}: expected UTCTime or GeneralizedTime, found tag 0x${hex2(node.tag)}`,
    node.offset,
  );
}

function utc(year: number, m: RegExpExecArray, offset: number, what: string): Date {
  const [mo, d, h, mi, se] = [m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(Date.UTC(year, mo - 1, d, h, mi, se));
  if (
    date.getUTCMonth() !== mo - 1 ||
    date.getUTCDate() !== d ||
    date.getUTCHours() !== h ||
    date.getUTCMinutes() !== mi ||
    date.getUTCSeconds() !== se
  ) {
    throw new Asn1Error(`${what}: invalid date`, offset);
  }
  date.setUTCFullYear(year);
  return date;
}

export function latin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

/**
 * The value of a string-typed element (UTF8String, PrintableString, IA5String, NumericString,
 * T61String as Latin-1, BMPString), as Go's certificate parser decodes them. Throws Asn1Error on
 * invalid UTF-8, an odd BMPString, or any other type.
 */
export function readString(node: DerNode): string {
  const v = node.value;
  switch (node.tag) {
    case Tag.utf8String:
      try {
        return new TextDecoder('utf-8', { fatal: true }).decode(v);
      } catch {
        throw new Asn1Error('invalid UTF8String', node.offset);
      }
    case Tag.printableString:
    case Tag.ia5String:
    case Tag.numericString:
    case Tag.t61String:
      return latin1(v);
    case Tag.bmpString: {
      if (v.length % 2 !== 0) throw new Asn1Error('odd BMPString', node.offset);
      let s = '';
      for (let i = 0; i < v.length; i += 2) s += String.fromCharCode(((v[i] ?? 0) << 8) | (v[i + 1] ?? 0));
      return s;
    }
    default:
      throw new Asn1Error(`unsupported string type 0x${hex2(node.tag)}`, node.offset);
  }
}

// ---- encoding (OCSP requests, test certificates) ----

export function encodeLength(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const bytes: number[] = [];
  let v = n;
  while (v > 0) {
    bytes.unshift(v & 0xff);
    v = Math.floor(v / 256);
  }
  return Uint8Array.from([0x80 | bytes.length, ...bytes]);
}

export function encodeTlv(tag: number, value: Uint8Array): Uint8Array {
  const len = encodeLength(value.length);
  const out = new Uint8Array(1 + len.length + value.length);
  out[0] = tag;
  out.set(len, 1);
  out.set(value, 1 + len.length);
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let p = 0;
  for (const part of parts) {
    out.set(part, p);
    p += part.length;
  }
  return out;
}

export function encodeSequence(...items: Uint8Array[]): Uint8Array {
  return encodeTlv(Tag.sequence, concat(...items));
}

export function encodeInteger(value: bigint): Uint8Array {
  const bytes: number[] = [];
  let v = value;
  if (v === 0n) bytes.push(0);
  while (v > 0n) {
    bytes.unshift(Number(v & 0xffn));
    v >>= 8n;
  }
  if (value < 0n) throw new RangeError('negative integers are not encoded here');
  if (((bytes[0] ?? 0) & 0x80) !== 0) bytes.unshift(0);
  return encodeTlv(Tag.integer, Uint8Array.from(bytes));
}

/** A non-negative INTEGER from big-endian bytes (leading zeros dropped) or a number. */
function encodeUnsigned(value: Uint8Array | number): Uint8Array {
  if (typeof value === 'number') return encodeInteger(BigInt(value));
  let start = 0;
  while (start < value.length - 1 && value[start] === 0) start++;
  const bytes = value.subarray(start);
  return encodeTlv(Tag.integer, (bytes[0] ?? 0) & 0x80 ? concat(Uint8Array.of(0), bytes) : bytes);
}

/** UTCTime before 2050, GeneralizedTime from 2050 (RFC 5280 4.1.2.5). */
function encodeTime(d: Date): Uint8Array {
  const digits = d.toISOString().slice(0, 19).replace(/[-T:]/g, '');
  const year = d.getUTCFullYear();
  if (year >= 1950 && year < 2050) {
    return encodeTlv(Tag.utcTime, new TextEncoder().encode(`${digits.slice(2)}Z`));
  }
  return encodeTlv(Tag.generalizedTime, new TextEncoder().encode(`${digits}Z`));
}

/** Terse constructors for building certificates in code and tests. */
export const der = {
  seq: encodeSequence,
  set: (...items: Uint8Array[]): Uint8Array => encodeTlv(Tag.set, concat(...items)),
  null: (): Uint8Array => Uint8Array.of(Tag.null, 0),
  bool: (v: boolean): Uint8Array => Uint8Array.of(Tag.boolean, 1, v ? 0xff : 0),
  octets: (v: Uint8Array): Uint8Array => encodeTlv(Tag.octetString, v),
  bits: (v: Uint8Array, unusedBits = 0): Uint8Array =>
    encodeTlv(Tag.bitString, concat(Uint8Array.of(unusedBits), v)),
  utf8: (s: string): Uint8Array => encodeTlv(Tag.utf8String, new TextEncoder().encode(s)),
  printable: (s: string): Uint8Array => encodeTlv(Tag.printableString, new TextEncoder().encode(s)),
  explicit: (n: number, inner: Uint8Array): Uint8Array => encodeTlv(0xa0 + n, inner),
  uint: encodeUnsigned,
  oid: encodeOid,
  time: encodeTime,
};
