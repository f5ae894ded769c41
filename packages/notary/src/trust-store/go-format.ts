/**
 * Go's `%q` and `%#U` renderings, so that our messages are byte-for-byte the ones notation prints
 * (tests compare them with the strings notation's own tests assert). Go's time layouts are in
 * `x509/time-format.ts`.
 */

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** Go `strconv.Quote` / `%q` of a string. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\x07':
        out += '\\a';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\v':
        out += '\\v';
        continue;
      default:
        break;
    }
    if (PRINTABLE.test(ch)) {
      out += ch;
    } else if (cp < 0x80) {
      out += `\\x${cp.toString(16).padStart(2, '0')}`;
    } else if (cp >= 0xd800 && cp <= 0xdfff) {
      out += '\\ufffd';
    } else if (cp < 0x10000) {
      out += `\\u${cp.toString(16).padStart(4, '0')}`;
    } else {
      out += `\\U${cp.toString(16).padStart(8, '0')}`;
    }
  }
  return `${out}"`;
}

/** Go `%q` of `[]map[string]string`: `[map["C":"US" "O":"x"] map[...]]`, keys sorted bytewise. */
export function goQuoteStringMaps(maps: ReadonlyArray<ReadonlyMap<string, string>>): string {
  const rendered = maps.map((m) => {
    const keys = [...m.keys()].sort(compareBytewise);
    return `map[${keys.map((k) => `${goQuote(k)}:${goQuote(m.get(k) ?? '')}`).join(' ')}]`;
  });
  return `[${rendered.join(' ')}]`;
}

/** Go `%q` of a `[]string`: `["a" "b"]`. */
export function goQuoteStrings(items: readonly string[]): string {
  return `[${items.map(goQuote).join(' ')}]`;
}

function compareBytewise(a: string, b: string): number {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return Buffer.compare(ab, bb);
}

/** Go `%#U` of a byte, as in `encoding/hex: invalid byte: U+0069 'i'`. */
export function goRuneU(code: number): string {
  const hex = code.toString(16).toUpperCase().padStart(4, '0');
  const ch = String.fromCodePoint(code);
  return PRINTABLE.test(ch) ? `U+${hex} '${ch}'` : `U+${hex}`;
}
