/**
 * JSON.parse that refuses duplicate object keys (JSON.parse silently keeps the last one, so two
 * parsers could disagree on what was signed) and nesting deeper than `maxDepth`.
 * Throws Error with the reason.
 */
export function parseStrictJson(text: string, maxDepth = 32): unknown {
  checkStructure(text, maxDepth);
  return JSON.parse(text) as unknown;
}

/** Index of the closing quote of a string whose body starts at `from` (escapes skipped). */
function nextQuote(text: string, from: number): number {
  let j = from;
  for (;;) {
    const q = text.indexOf('"', j);
    if (q < 0) return text.length;
    let backslashes = 0;
    for (let k = q - 1; k >= from && text.charCodeAt(k) === 92; k--) backslashes++;
    if (backslashes % 2 === 0) return q;
    j = q + 1;
  }
}

function checkStructure(text: string, maxDepth: number): void {
  const stack: { keys: Set<string> | undefined; expectKey: boolean }[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    if (c === '"') {
      let j = i + 1;
      j = nextQuote(text, j);
      const top = stack.at(-1);
      if (top?.keys !== undefined && top.expectKey) {
        const raw = text.slice(i + 1, j);
        let key = raw;
        if (raw.includes('\\')) {
          try {
            key = JSON.parse(text.slice(i, j + 1)) as string;
          } catch {
            throw new Error(`invalid string at offset ${i}`);
          }
        }
        if (top.keys.has(key)) throw new Error(`duplicate key "${key}"`);
        top.keys.add(key);
        top.expectKey = false;
      }
      i = j + 1;
      continue;
    }
    if (c === '{' || c === '[') {
      stack.push({ keys: c === '{' ? new Set() : undefined, expectKey: c === '{' });
      if (stack.length > maxDepth) throw new Error(`nesting deeper than ${maxDepth} levels`);
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',') {
      const top = stack.at(-1);
      if (top?.keys !== undefined) top.expectKey = true;
    }
    i++;
  }
}
