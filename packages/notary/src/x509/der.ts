/**
 * A small strict DER reader and writer: just what X.509 certificates need (TLV walking, OIDs,
 * integers, bit strings, strings, times). Indefinite and non-minimal lengths are refused.
 */

export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerError';
  }
}

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  SEQUENCE: 0x30,
  SET: 0x31,
  PRINTABLE_STRING: 0x13,
  T61_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  BMP_STRING: 0x1e,
  NUMERIC_STRING: 0x12,
  UNIVERSAL_STRING: 0x1c,
} as const;

/** One DER element: `bytes` is the whole TLV, `value` its contents. */
export interface DerElement {
  tag: number;
  bytes: Uint8Array;
  value: Uint8Array;
}

/** Reads the element at `offset`; returns it and the offset just after it. */
export function readElement(buf: Uint8Array, offset: number): { element: DerElement; next: number } {
  if (offset >= buf.length) throw new DerError('truncated DER: missing element');
  const tag = buf[offset] ?? 0;
  if ((tag & 0x1f) === 0x1f) throw new DerError('unsupported DER: high tag number');
  let pos = offset + 1;
  if (pos >= buf.length) throw new DerError('truncated DER: missing length');
  const first = buf[pos++] ?? 0;
  let length: number;
  if (first < 0x80) {
    length = first;
  } else {
    const count = first & 0x7f;
    if (count === 0) throw new DerError('invalid DER: indefinite length');
    if (count > 4) throw new DerError('invalid DER: length too large');
    if (pos + count > buf.length) throw new DerError('truncated DER: length octets');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (buf[pos++] ?? 0);
    if (length < 0x80 || (count > 1 && buf[pos - count] === 0)) {
      throw new DerError('invalid DER: non-minimal length');
    }
  }
  const end = pos + length;
  if (end > buf.length) throw new DerError('truncated DER: content shorter than its length');
  return {
    element: { tag, bytes: buf.subarray(offset, end), value: buf.subarray(pos, end) },
    next: end,
  };
}

/** Parses exactly one element filling `buf`. */
export function parseElement(buf: Uint8Array): DerElement {
  const { element, next } = readElement(buf, 0);
  if (next !== buf.length) throw new DerError('invalid DER: trailing data');
  return element;
}

/** The children of a constructed element. */
export function children(element: DerElement): DerElement[] {
  if ((element.tag & 0x20) === 0) throw new DerError('invalid DER: expected a constructed element');
  const out: DerElement[] = [];
  let pos = 0;
  while (pos < element.value.length) {
    const { element: child, next } = readElement(element.value, pos);
    out.push(child);
    pos = next;
  }
  return out;
}

export function expectTag(element: DerElement | undefined, tag: number, what: string): DerElement {
  if (element?.tag !== tag) throw new DerError(`invalid DER: expected ${what}`);
  return element;
}

export function decodeOid(value: Uint8Array): string {
  if (value.length === 0) throw new DerError('invalid DER: empty OID');
  const parts: number[] = [];
  let acc = 0;
  let started = false;
  for (let i = 0; i < value.length; i++) {
    const b = value[i] ?? 0;
    if (!started && b === 0x80) throw new DerError('invalid DER: non-minimal OID');
    started = true;
    acc = acc * 128 + (b & 0x7f);
    if (acc > Number.MAX_SAFE_INTEGER / 128) throw new DerError('invalid DER: OID arc too large');
    if ((b & 0x80) === 0) {
      parts.push(acc);
      acc = 0;
      started = false;
    } else if (i === value.length - 1) {
      throw new DerError('invalid DER: truncated OID');
    }
  }
  const first = parts.shift() ?? 0;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...parts].join('.');
}

/** A non-negative INTEGER small enough for a JS number (path lengths, versions). */
export function decodeSmallInteger(value: Uint8Array): number {
  if (value.length === 0) throw new DerError('invalid DER: empty INTEGER');
  if (value.length > 1 && value[0] === 0 && ((value[1] ?? 0) & 0x80) === 0) {
    throw new DerError('invalid DER: non-minimal INTEGER');
  }
  if (((value[0] ?? 0) & 0x80) !== 0) throw new DerError('invalid DER: negative INTEGER');
  if (value.length > 6) throw new DerError('invalid DER: INTEGER too large');
  let n = 0;
  for (const b of value) n = n * 256 + b;
  return n;
}

export function decodeBoolean(value: Uint8Array): boolean {
  if (value.length !== 1) throw new DerError('invalid DER: BOOLEAN length');
  if (value[0] === 0xff) return true;
  if (value[0] === 0) return false;
  throw new DerError('invalid DER: BOOLEAN must be 0x00 or 0xFF');
}

/** A string value of a name attribute (the ASN.1 string types Go accepts). */
export function decodeString(element: DerElement): string {
  const v = element.value;
  switch (element.tag) {
    case TAG.UTF8_STRING:
      return new TextDecoder('utf-8', { fatal: true }).decode(v);
    case TAG.PRINTABLE_STRING:
    case TAG.IA5_STRING:
    case TAG.NUMERIC_STRING:
    case TAG.T61_STRING:
      return Array.from(v, (b) => String.fromCharCode(b)).join('');
    case TAG.BMP_STRING: {
      if (v.length % 2 !== 0) throw new DerError('invalid DER: odd BMPString');
      let s = '';
      for (let i = 0; i < v.length; i += 2) s += String.fromCharCode(((v[i] ?? 0) << 8) | (v[i + 1] ?? 0));
      return s;
    }
    default:
      throw new DerError(`unsupported string type 0x${element.tag.toString(16)}`);
  }
}

// ---- writer -------------------------------------------------------------------------------

function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  let n = length;
  while (n > 0) {
    bytes.unshift(n & 0xff);
    n = Math.floor(n / 256);
  }
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

export function encodeTlv(tag: number, value: Uint8Array): Uint8Array {
  return concat([Uint8Array.of(tag), encodeLength(value.length), value]);
}

export const der = {
  seq: (...items: Uint8Array[]): Uint8Array => encodeTlv(TAG.SEQUENCE, concat(items)),
  set: (...items: Uint8Array[]): Uint8Array => encodeTlv(TAG.SET, concat(items)),
  null: (): Uint8Array => Uint8Array.of(TAG.NULL, 0),
  bool: (v: boolean): Uint8Array => Uint8Array.of(TAG.BOOLEAN, 1, v ? 0xff : 0),
  octets: (v: Uint8Array): Uint8Array => encodeTlv(TAG.OCTET_STRING, v),
  bits: (v: Uint8Array, unusedBits = 0): Uint8Array =>
    encodeTlv(TAG.BIT_STRING, concat([Uint8Array.of(unusedBits), v])),
  utf8: (s: string): Uint8Array => encodeTlv(TAG.UTF8_STRING, new TextEncoder().encode(s)),
  printable: (s: string): Uint8Array => encodeTlv(TAG.PRINTABLE_STRING, new TextEncoder().encode(s)),
  explicit: (n: number, inner: Uint8Array): Uint8Array => encodeTlv(0xa0 + n, inner),
  /** An unsigned big-endian integer, made minimal. */
  uint: (bytes: Uint8Array | number): Uint8Array => {
    let v: number[];
    if (typeof bytes === 'number') {
      v = [];
      let n = bytes;
      do {
        v.unshift(n & 0xff);
        n = Math.floor(n / 256);
      } while (n > 0);
    } else {
      v = Array.from(bytes);
    }
    while (v.length > 1 && v[0] === 0 && ((v[1] ?? 0) & 0x80) === 0) v.shift();
    if (((v[0] ?? 0) & 0x80) !== 0) v.unshift(0);
    return encodeTlv(TAG.INTEGER, Uint8Array.from(v));
  },
  oid: (dotted: string): Uint8Array => {
    const arcs = dotted.split('.').map(Number);
    const out: number[] = [(arcs[0] ?? 0) * 40 + (arcs[1] ?? 0)];
    for (const arc of arcs.slice(2)) {
      const chunk: number[] = [];
      let n = arc;
      do {
        chunk.unshift(n & 0x7f);
        n = Math.floor(n / 128);
      } while (n > 0);
      out.push(...chunk.map((b, i) => (i < chunk.length - 1 ? b | 0x80 : b)));
    }
    return encodeTlv(TAG.OID, Uint8Array.from(out));
  },
  /** UTCTime before 2050, GeneralizedTime from 2050 (RFC 5280 4.1.2.5). */
  time: (d: Date): Uint8Array => {
    const iso = d.toISOString();
    const digits = iso.slice(0, 19).replace(/[-T:]/g, '');
    const year = d.getUTCFullYear();
    if (year >= 1950 && year < 2050) {
      return encodeTlv(TAG.UTC_TIME, new TextEncoder().encode(`${digits.slice(2)}Z`));
    }
    return encodeTlv(TAG.GENERALIZED_TIME, new TextEncoder().encode(`${digits}Z`));
  },
};
