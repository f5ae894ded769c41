/** Dates and durations written in policies. */

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * The instant an exception stops counting: a date means 00:00:00 UTC that day; an RFC 3339
 * timestamp means that instant. `undefined` when the text is neither (or not a real date).
 */
export function parseExpiry(text: string): Date | undefined {
  const date = DATE_ONLY.exec(text);
  if (date !== null) {
    const [, y, m, d] = date;
    const instant = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
    // Reject 2024-02-30 and the like, which Date would roll over.
    if (
      instant.getUTCFullYear() !== Number(y) ||
      instant.getUTCMonth() !== Number(m) - 1 ||
      instant.getUTCDate() !== Number(d)
    ) {
      return undefined;
    }
    return instant;
  }
  if (RFC3339.test(text)) {
    const instant = new Date(text);
    return Number.isNaN(instant.getTime()) ? undefined : instant;
  }
  return undefined;
}

/** Milliseconds of a policy duration (`90m`, `24h`, `7d`); `undefined` if not of that form. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)(m|h|d)$/.exec(text);
  if (match === null) return undefined;
  const n = Number(match[1]);
  const unit = match[2] === 'm' ? 60_000 : match[2] === 'h' ? 3_600_000 : 86_400_000;
  return n * unit;
}
