/** `a, b, c and 4 more` — a bounded list for one-line reasons. */
export function summarizeList(items: readonly string[], max = 3): string {
  if (items.length <= max) {
    if (items.length <= 1) return items.join('');
    return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1] ?? ''}`;
  }
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

/** `1 package` / `2 packages`. */
export function plural(count: number, word: string, pluralWord = `${word}s`): string {
  return `${count} ${count === 1 ? word : pluralWord}`;
}

/** The short form of a digest for reasons: `sha256:0123456789ab`. */
export function shortDigest(digest: string): string {
  const [algorithm, hex] = digest.split(':');
  return hex === undefined ? digest : `${algorithm ?? ''}:${hex.slice(0, 12)}`;
}
