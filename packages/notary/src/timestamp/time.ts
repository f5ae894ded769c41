/** Go `time.RFC3339` of a UTC instant (`2024-06-18T07:30:31Z`, sub-seconds dropped). */
export function formatRfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
