import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Node } from 'yaml';
import type { PolicyProblem, SourcePosition } from '../errors.js';

/** A path into a parsed document: property names and array indexes. */
export type FieldPath = readonly (string | number)[];

/** `spec.scopes[0].signature` — how paths are shown to users. */
export function formatFieldPath(path: FieldPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}

/** A YAML (or JSON) text parsed to plain data, able to say where each field was written. */
export interface YamlSource {
  value: unknown;
  /** Position of the value at `path` (or of its key, with `key: true`); the nearest parent when absent. */
  positionOf(path: FieldPath, options?: { key?: boolean }): SourcePosition | undefined;
}

/** Parse one YAML document. Syntax errors (with their line) are returned as problems, never thrown. */
export function parseYamlSource(text: string): { source: YamlSource } | { problems: PolicyProblem[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true, version: '1.2' });
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((error) => {
        const pos = error.linePos?.[0];
        const duplicate = error.code === 'DUPLICATE_KEY';
        return {
          path: '',
          message: duplicate
            ? 'a key is written twice in the same mapping'
            : `not valid YAML: ${firstLine(error.message)}`,
          fix: duplicate
            ? 'keep one of the two keys'
            : 'correct the YAML syntax at that line (indentation, quotes, `:` after keys)',
          ...(pos === undefined ? {} : { position: { line: pos.line, column: pos.col } }),
        };
      }),
    };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 50 });
  } catch (error) {
    return {
      problems: [
        {
          path: '',
          message: `the YAML cannot be read as data: ${error instanceof Error ? firstLine(error.message) : String(error)}`,
          fix: 'remove YAML aliases and anchors (`*name`, `&name`) and custom tags',
        },
      ],
    };
  }
  return {
    source: {
      value,
      positionOf: (path, options) => locate(doc, lineCounter, path, options?.key ?? false),
    },
  };
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?\s*$/, '').trim();
}

function locate(
  doc: Document,
  lineCounter: LineCounter,
  path: FieldPath,
  wantKey: boolean,
): SourcePosition | undefined {
  let node: unknown = doc.contents;
  let keyNode: unknown;
  let best: unknown = node;
  for (const segment of path) {
    keyNode = undefined;
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isPair(item) && isScalar(item.key) && item.key.value === segment,
      );
      if (pair === undefined) break;
      keyNode = pair.key;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
    } else {
      break;
    }
    if (node === undefined || node === null) {
      best = keyNode ?? best;
      break;
    }
    best = wantKey && keyNode !== undefined && segment === path[path.length - 1] ? keyNode : node;
  }
  const range = (best as Node | undefined)?.range;
  if (range === undefined || range === null) return undefined;
  const pos = lineCounter.linePos(range[0]);
  return { line: pos.line, column: pos.col };
}
