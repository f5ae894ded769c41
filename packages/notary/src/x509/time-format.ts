/** Go time layouts notation prints in its messages, so ours read the same. */

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function shifted(date: Date, offsetMinutes: number): Date {
  return new Date(date.getTime() + offsetMinutes * 60_000);
}

function formatOffset(offsetMinutes: number, colon: boolean): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${sign}${pad(Math.floor(abs / 60))}${colon ? ':' : ''}${pad(abs % 60)}`;
}

/** Go's `time.RFC1123Z`: `Tue, 27 Jun 2023 13:21:21 +0800` (in the given UTC offset). */
export function formatRfc1123Z(date: Date, offsetMinutes = 0): string {
  const d = shifted(date, offsetMinutes);
  return (
    `${DAYS[d.getUTCDay()] ?? ''}, ${pad(d.getUTCDate())} ${MONTHS[d.getUTCMonth()] ?? ''} ${d.getUTCFullYear()} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${formatOffset(offsetMinutes, false)}`
  );
}

/** Go's default `time.Time.String()` of a UTC time: `2023-06-27 05:20:21 +0000 UTC`. */
export function formatGoUtc(date: Date): string {
  const ms = date.getUTCMilliseconds();
  const frac = ms === 0 ? '' : `.${pad(ms, 3).replace(/0+$/, '')}`;
  return (
    `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}${frac} +0000 UTC`
  );
}

/** RFC 3339 with the given offset, seconds precision: `2023-06-27T13:21:21+08:00` or `…Z`. */
export function formatRfc3339(date: Date, offsetMinutes = 0): string {
  const d = shifted(date, offsetMinutes);
  const base =
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return offsetMinutes === 0 ? `${base}Z` : `${base}${formatOffset(offsetMinutes, true)}`;
}
