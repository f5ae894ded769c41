/**
 * The target of the `rel="next"` link among `Link` header values (RFC 8288), or undefined.
 * Used for referrers and tag list pagination.
 */
export function nextLink(values: readonly string[]): string | undefined {
  for (const value of values) {
    const pattern = /<([^>]*)>((?:\s*;\s*[^;,]+)*)/g;
    for (const match of value.matchAll(pattern)) {
      const target = match[1];
      const params = match[2] ?? '';
      const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(params);
      const relations = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
      if (target !== undefined && relations.includes('next')) return target;
    }
  }
  return undefined;
}
