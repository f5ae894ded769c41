/**
 * A strict CBOR (RFC 8949) decoder and a deterministic encoder, sized for COSE envelopes.
 *
 * The decoder refuses what a signature envelope never needs and an attacker might use:
 * indefinite lengths, non-minimal ("non-preferred") integer and length encodings, duplicate map
 * keys, map keys other than integers and text, invalid UTF-8, nesting deeper than `maxDepth`,
 * containers larger than `maxItems`, byte/text strings longer than `maxStringBytes`, and trailing
 * bytes. Lengths are checked against the remaining input before anything is allocated.
 */

export class CborError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CborError';
  }
}

export class CborTag {
  constructor(
    readonly tag: number,
    readonly value: CborValue,
  ) {}
}

export type CborKey = number | string;
export type CborValue =
  | number
  | bigint
  | string
  | boolean
  | null
  | undefined
  | Uint8Array
  | CborValue[]
  | Map<CborKey, CborValue>
  | CborTag;

export interface CborLimits {
  maxDepth: number;
  maxItems: number;
  maxStringBytes: number;
}

export const DEFAULT_CBOR_LIMITS: CborLimits = {
  maxDepth: 16,
  maxItems: 4096,
  maxStringBytes: 4 * 1024 * 1024,
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

class Reader {
  pos = 0;
  constructor(
    readonly buf: Uint8Array,
    readonly limits: CborLimits,
  ) {}

  byte(): number {
    const b = this.buf[this.pos];
    if (b === undefined) throw new CborError(`unexpected end of data at byte ${this.pos}`);
    this.pos++;
    return b;
  }

  bytes(n: number): Uint8Array {
    if (n > this.buf.length - this.pos) {
      throw new CborError(
        `length ${n} at byte ${this.pos} exceeds the remaining ${this.buf.length - this.pos} bytes`,
      );
    }
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** The argument of a head; enforces preferred (shortest) encoding. */
  argument(info: number, at: number): number | bigint {
    if (info < 24) return info;
    let value: bigint;
    let min: bigint;
    switch (info) {
      case 24:
        value = BigInt(this.byte());
        min = 24n;
        break;
      case 25:
        value = BigInt((this.byte() << 8) | this.byte());
        min = 0x100n;
        break;
      case 26: {
        const b = this.bytes(4);
        value = BigInt(
          ((b[0] ?? 0) * 0x1000000 + ((b[1] ?? 0) << 16) + ((b[2] ?? 0) << 8) + (b[3] ?? 0)) >>> 0,
        );
        min = 0x10000n;
        break;
      }
      case 27: {
        const b = this.bytes(8);
        value = 0n;
        for (const x of b) value = (value << 8n) | BigInt(x);
        min = 0x100000000n;
        break;
      }
      case 31:
        throw new CborError(`indefinite-length item at byte ${at} is not allowed`);
      default:
        throw new CborError(`reserved additional information ${info} at byte ${at}`);
    }
    if (value < min) throw new CborError(`non-minimal encoding of an integer or length at byte ${at}`);
    return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  }

  length(info: number, at: number, what: string, max: number): number {
    const n = this.argument(info, at);
    const unit = what.endsWith('string') ? 'bytes' : 'entries';
    if (typeof n === 'bigint' || n > max) {
      throw new CborError(`${what} at byte ${at} has ${String(n)} ${unit}, more than the ${max} allowed`);
    }
    return n;
  }

  item(depth: number): CborValue {
    if (depth > this.limits.maxDepth) {
      throw new CborError(`nesting deeper than ${this.limits.maxDepth} levels at byte ${this.pos}`);
    }
    const at = this.pos;
    const head = this.byte();
    const major = head >> 5;
    const info = head & 0x1f;
    switch (major) {
      case 0:
        return this.argument(info, at);
      case 1: {
        const n = this.argument(info, at);
        return typeof n === 'bigint' ? -1n - n : -1 - n;
      }
      case 2:
        return this.bytes(this.length(info, at, 'byte string', this.limits.maxStringBytes)).slice();
      case 3: {
        const raw = this.bytes(this.length(info, at, 'text string', this.limits.maxStringBytes));
        try {
          return utf8.decode(raw);
        } catch {
          throw new CborError(`text string at byte ${at} is not valid UTF-8`);
        }
      }
      case 4: {
        const n = this.length(info, at, 'array', this.limits.maxItems);
        const out: CborValue[] = [];
        for (let i = 0; i < n; i++) out.push(this.item(depth + 1));
        return out;
      }
      case 5: {
        const n = this.length(info, at, 'map', this.limits.maxItems);
        const out = new Map<CborKey, CborValue>();
        for (let i = 0; i < n; i++) {
          const keyAt = this.pos;
          const key = this.item(depth + 1);
          if (typeof key !== 'number' && typeof key !== 'string') {
            throw new CborError(`map key at byte ${keyAt} is neither an integer nor a text string`);
          }
          if (out.has(key)) throw new CborError(`duplicate map key ${JSON.stringify(key)} at byte ${keyAt}`);
          out.set(key, this.item(depth + 1));
        }
        return out;
      }
      case 6: {
        const tag = this.argument(info, at);
        if (typeof tag === 'bigint') throw new CborError(`tag number too large at byte ${at}`);
        return new CborTag(tag, this.item(depth + 1));
      }
      default:
        return this.simple(info, at);
    }
  }

  simple(info: number, at: number): CborValue {
    switch (info) {
      case 20:
        return false;
      case 21:
        return true;
      case 22:
        return null;
      case 23:
        return undefined;
      case 25: {
        const b = this.bytes(2);
        return halfToNumber(((b[0] ?? 0) << 8) | (b[1] ?? 0));
      }
      case 26:
        return Buffer.from(this.bytes(4)).readFloatBE(0);
      case 27:
        return Buffer.from(this.bytes(8)).readDoubleBE(0);
      case 31:
        throw new CborError(`unexpected "break" at byte ${at}`);
      default:
        throw new CborError(`unsupported simple value ${info} at byte ${at}`);
    }
  }
}

function halfToNumber(h: number): number {
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  const sign = h & 0x8000 ? -1 : 1;
  if (exp === 0) return sign * 2 ** -14 * (mant / 1024);
  if (exp === 31) return mant === 0 ? sign * Infinity : NaN;
  return sign * 2 ** (exp - 15) * (1 + mant / 1024);
}

/** Decodes exactly one CBOR item filling `buf`. Throws CborError naming the byte offset. */
export function decodeCbor(buf: Uint8Array, limits: CborLimits = DEFAULT_CBOR_LIMITS): CborValue {
  const r = new Reader(buf, limits);
  const value = r.item(0);
  if (r.pos !== buf.length) throw new CborError(`${buf.length - r.pos} trailing bytes after the CBOR item`);
  return value;
}

// ---- encoder ------------------------------------------------------------------------------

function head(major: number, n: number | bigint): Uint8Array {
  const v = BigInt(n);
  const m = major << 5;
  if (v < 24n) return Uint8Array.of(m | Number(v));
  if (v < 0x100n) return Uint8Array.of(m | 24, Number(v));
  if (v < 0x10000n) return Uint8Array.of(m | 25, Number(v >> 8n), Number(v & 0xffn));
  if (v < 0x100000000n) {
    const x = Number(v);
    return Uint8Array.of(m | 26, (x >>> 24) & 0xff, (x >>> 16) & 0xff, (x >>> 8) & 0xff, x & 0xff);
  }
  const out = new Uint8Array(9);
  out[0] = m | 27;
  for (let i = 0; i < 8; i++) out[8 - i] = Number((v >> BigInt(8 * i)) & 0xffn);
  return out;
}

function join(parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

/**
 * Deterministic encoding (RFC 8949 §4.2.1): shortest heads, map keys sorted by their encoded
 * bytes. Floats are not supported (COSE envelopes never need them).
 */
export function encodeCbor(value: CborValue): Uint8Array {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new CborError('only integers can be encoded');
    return value >= 0 ? head(0, value) : head(1, -1 - value);
  }
  if (typeof value === 'bigint') return value >= 0n ? head(0, value) : head(1, -1n - value);
  if (typeof value === 'string') {
    const b = new TextEncoder().encode(value);
    return join([head(3, b.length), b]);
  }
  if (typeof value === 'boolean') return Uint8Array.of(value ? 0xf5 : 0xf4);
  if (value === null) return Uint8Array.of(0xf6);
  if (value === undefined) return Uint8Array.of(0xf7);
  if (value instanceof Uint8Array) return join([head(2, value.length), value]);
  if (Array.isArray(value)) return join([head(4, value.length), ...value.map(encodeCbor)]);
  if (value instanceof Map) {
    const entries = [...value.entries()].map(([k, v]) => [encodeCbor(k), encodeCbor(v)] as const);
    entries.sort((a, b) => compareBytes(a[0], b[0]));
    return join([head(5, entries.length), ...entries.flatMap(([k, v]) => [k, v])]);
  }
  return join([head(6, value.tag), encodeCbor(value.value)]);
}
