/**
 * BER to DER normalisation as tspclient-go does it before reading a timestamp token: definite
 * lengths only (long-form lengths are re-encoded minimally), indefinite lengths rejected, and
 * the same error texts (Go's `asn1.SyntaxError` / `asn1.StructuralError` renderings).
 */

export class BerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BerError';
  }
}

const syntax = (msg: string): BerError => new BerError(`asn1: syntax error: ${msg}`);
const structure = (msg: string): BerError => new BerError(`asn1: structure error: ${msg}`);

interface Header {
  identifier: Uint8Array;
  length: number;
  rest: Uint8Array;
}

function decodeIdentifier(r: Uint8Array): { identifier: Uint8Array; rest: Uint8Array } {
  if (r.length < 1) throw syntax('decoding BER identifier octets: identifier octets is empty');
  let offset = 1;
  if (((r[0] ?? 0) & 0x1f) === 0x1f) {
    while (offset < r.length && ((r[offset] ?? 0) & 0x80) === 0x80) offset++;
    if (offset >= r.length)
      throw syntax('decoding BER identifier octets: high-tag-number form with early EOF');
    offset++;
  }
  if (offset >= r.length)
    throw syntax('decoding BER identifier octets: early EOF due to missing length and content octets');
  return { identifier: r.subarray(0, offset), rest: r.subarray(offset) };
}

function decodeLength(r: Uint8Array): { length: number; rest: Uint8Array } {
  if (r.length < 1) throw syntax('decoding BER length octets: length octets is empty');
  const b = r[0] ?? 0;
  let offset = 1;
  if (b < 0x80) {
    const rest = r.subarray(offset);
    if (b > rest.length) {
      throw syntax(
        'decoding BER length octets: short form length octets value should be less or equal to the subsequent octets length',
      );
    }
    return { length: b, rest };
  }
  if (b === 0x80) throw structure('decoding BER length octets: indefinite length not supported');
  const n = b & 0x7f;
  if (n > 4)
    throw structure(`decoding BER length octets: length of encoded data (${n} bytes) cannot exceed 4 bytes`);
  if (offset + n >= r.length)
    throw syntax('decoding BER length octets: long form length octets with early EOF');
  let length = 0;
  for (let i = 0; i < n; i++) length = length * 256 + (r[offset++] ?? 0);
  if (length > 0x7fffffff) {
    throw structure(`decoding BER length octets: length ${length} does not fit the memory space of int32`);
  }
  const rest = r.subarray(offset);
  if (length > rest.length) {
    throw syntax(
      'decoding BER length octets: long form length octets value should be less or equal to the subsequent octets length',
    );
  }
  return { length, rest };
}

function decodeHeader(r: Uint8Array): Header {
  const { identifier, rest } = decodeIdentifier(r);
  const { length, rest: after } = decodeLength(rest);
  return { identifier, length, rest: after };
}

function encodeLength(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  let v = n;
  while (v > 0) {
    bytes.unshift(v & 0xff);
    v = Math.floor(v / 256);
  }
  return [0x80 | bytes.length, ...bytes];
}

interface Node {
  identifier: Uint8Array;
  content?: Uint8Array;
  members?: Node[];
}

const MAX_DEPTH = 64;

function decodeNode(identifier: Uint8Array, content: Uint8Array, depth: number): Node {
  if (((identifier[0] ?? 0) & 0x20) === 0) return { identifier, content };
  if (depth > MAX_DEPTH) throw structure('decoding BER: nesting too deep');
  const members: Node[] = [];
  let raw = content;
  while (raw.length > 0) {
    const h = decodeHeader(raw);
    members.push(decodeNode(h.identifier, h.rest.subarray(0, h.length), depth + 1));
    raw = h.rest.subarray(h.length);
  }
  return { identifier, members };
}

function encode(node: Node, out: number[]): void {
  const body: number[] = [];
  if (node.content) {
    for (const b of node.content) body.push(b);
  } else {
    for (const m of node.members ?? []) encode(m, body);
  }
  for (const b of node.identifier) out.push(b);
  for (const b of encodeLength(body.length)) out.push(b);
  for (const b of body) out.push(b);
}

/** Converts one BER-encoded value (spanning all of `ber`) to DER. Throws BerError. */
export function berToDer(ber: Uint8Array): Uint8Array {
  if (ber.length === 0) throw syntax('BER-encoded ASN.1 data structures is empty');
  const h = decodeHeader(ber);
  if (h.rest.length !== h.length) {
    throw syntax(
      `decoding BER: length octets value ${h.length} does not match with content length ${h.rest.length}`,
    );
  }
  const out: number[] = [];
  encode(decodeNode(h.identifier, h.rest, 0), out);
  return Uint8Array.from(out);
}
