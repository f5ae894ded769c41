import type { HeaderTime } from './types.js';

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** Parses an RFC 3339 time as Go's time.Time JSON decoding does, keeping the offset. */
export function parseRfc3339(value: string): HeaderTime | undefined {
  const m = RFC3339.exec(value);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, frac, , sign, oh, om] = m;
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  const offsetMinutes = sign === undefined ? 0 : (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  const ms = frac === undefined ? 0 : Math.floor(Number(`0${frac}`) * 1000);
  const utc = Date.UTC(Number(y), month - 1, day, hour, minute, second, ms) - offsetMinutes * 60_000;
  const date = new Date(utc);
  // Reject impossible dates such as 2023-02-30 (Date.UTC would roll them over).
  const local = new Date(utc + offsetMinutes * 60_000);
  if (local.getUTCDate() !== day || local.getUTCMonth() !== month - 1) return undefined;
  return { date, offsetMinutes };
}
