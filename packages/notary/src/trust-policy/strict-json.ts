/**
 * A strict JSON reader for policy documents: RFC 8259 syntax, and also rejects what
 * `JSON.parse` lets through silently — duplicate object keys, nesting deeper than a bound,
 * documents larger than a bound, a byte-order mark, invalid UTF-8. Errors carry line:column.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export interface StrictJsonLimits {
  /** Largest accepted document, in bytes (UTF-8). */
  maxBytes: number;
  /** Deepest accepted nesting of arrays/objects. */
  maxDepth: number;
}

export const DEFAULT_JSON_LIMITS: StrictJsonLimits = { maxBytes: 1024 * 1024, maxDepth: 32 };

export class JsonSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonSyntaxError';
  }
}

/** Decodes bytes as UTF-8 (fatal) or takes a string, then parses strictly. */
export function parseStrictJson(
  input: string | Uint8Array,
  limits: StrictJsonLimits = DEFAULT_JSON_LIMITS,
): JsonValue {
  let text: string;
  if (typeof input === 'string') {
    if (Buffer.byteLength(input, 'utf8') > limits.maxBytes) {
      throw new JsonSyntaxError(`document is larger than ${limits.maxBytes} bytes`);
    }
    text = input;
  } else {
    if (input.length > limits.maxBytes)
      throw new JsonSyntaxError(`document is larger than ${limits.maxBytes} bytes`);
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(input);
    } catch {
      throw new JsonSyntaxError('document is not valid UTF-8');
    }
  }
  return new Parser(text, limits.maxDepth).document();
}

class Parser {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  document(): JsonValue {
    if (this.text.charCodeAt(0) === 0xfeff) this.fail('a byte-order mark is not allowed');
    this.ws();
    if (this.pos >= this.text.length) this.fail('the document is empty');
    const value = this.value(0);
    this.ws();
    if (this.pos < this.text.length) this.fail(`unexpected ${this.describe()} after the top-level value`);
    return value;
  }

  private where(): string {
    const before = this.text.slice(0, this.pos);
    const line = before.split('\n').length;
    const col = this.pos - before.lastIndexOf('\n');
    return `line ${line}, column ${col}`;
  }

  private fail(msg: string): never {
    throw new JsonSyntaxError(`${msg} at ${this.where()}`);
  }

  private describe(): string {
    const c = this.text[this.pos];
    return c === undefined ? 'end of input' : `character ${JSON.stringify(c)}`;
  }

  private ws(): void {
    for (;;) {
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else return;
    }
  }

  private value(depth: number): JsonValue {
    const c = this.text[this.pos];
    switch (c) {
      case '{':
        return this.object(depth + 1);
      case '[':
        return this.array(depth + 1);
      case '"':
        return this.string();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      default:
        if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
        return this.fail(`unexpected ${this.describe()}, expected a value`);
    }
  }

  private literal<T extends JsonValue>(word: string, value: T): T {
    if (this.text.startsWith(word, this.pos)) {
      this.pos += word.length;
      return value;
    }
    return this.fail(`unexpected ${this.describe()}, expected a value`);
  }

  private number(): number {
    const m = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(
      this.text.slice(this.pos, this.pos + 64),
    );
    if (!m) this.fail('invalid number');
    this.pos += m[0].length;
    return Number(m[0]);
  }

  private string(): string {
    this.pos++; // opening quote
    let out = '';
    let start = this.pos;
    for (;;) {
      const c = this.text.charCodeAt(this.pos);
      if (Number.isNaN(c)) this.fail('unterminated string');
      if (c === 0x22) {
        out += this.text.slice(start, this.pos);
        this.pos++;
        return out;
      }
      if (c < 0x20) this.fail('control character in string (escape it)');
      if (c === 0x5c) {
        out += this.text.slice(start, this.pos);
        const e = this.text[this.pos + 1];
        const simple: Record<string, string> = {
          '"': '"',
          '\\': '\\',
          '/': '/',
          b: '\b',
          f: '\f',
          n: '\n',
          r: '\r',
          t: '\t',
        };
        if (e !== undefined && e in simple) {
          out += simple[e] ?? '';
          this.pos += 2;
        } else if (e === 'u') {
          const hex = this.text.slice(this.pos + 2, this.pos + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('invalid \\u escape');
          out += String.fromCharCode(parseInt(hex, 16));
          this.pos += 6;
        } else {
          this.fail('invalid escape in string');
        }
        start = this.pos;
        continue;
      }
      this.pos++;
    }
  }

  private array(depth: number): JsonValue[] {
    if (depth > this.maxDepth) this.fail(`nesting deeper than ${this.maxDepth} levels`);
    this.pos++;
    const out: JsonValue[] = [];
    this.ws();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.ws();
      out.push(this.value(depth));
      this.ws();
      const c = this.text[this.pos];
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === ']') {
        this.pos++;
        return out;
      }
      this.fail(`unexpected ${this.describe()}, expected ',' or ']' in an array`);
    }
  }

  private object(depth: number): JsonObject {
    if (depth > this.maxDepth) this.fail(`nesting deeper than ${this.maxDepth} levels`);
    this.pos++;
    const out: JsonObject = Object.create(null) as JsonObject;
    const seen = new Set<string>();
    this.ws();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.text[this.pos] !== '"') this.fail(`unexpected ${this.describe()}, expected a quoted key`);
      const keyAt = this.where();
      const key = this.string();
      if (seen.has(key)) throw new JsonSyntaxError(`duplicate key ${JSON.stringify(key)} at ${keyAt}`);
      seen.add(key);
      this.ws();
      if (this.text[this.pos] !== ':') this.fail(`unexpected ${this.describe()}, expected ':' after a key`);
      this.pos++;
      this.ws();
      out[key] = this.value(depth);
      this.ws();
      const c = this.text[this.pos];
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === '}') {
        this.pos++;
        return out;
      }
      this.fail(`unexpected ${this.describe()}, expected ',' or '}' in an object`);
    }
  }
}
