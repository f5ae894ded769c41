import { OciError } from '../errors.js';

/** Bounded retries with exponential backoff and full jitter, honouring `Retry-After`. */
export interface RetryPolicy {
  /** Total attempts per request, the first included (1 = no retry). */
  maxAttempts: number;
  /** First backoff step; doubles each retry, capped at `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A `Retry-After` asking for longer than this is not waited for: the request fails at once. */
  maxRetryAfterMs: number;
  /** Statuses retried (429 and the transient 5xx by default). */
  retryStatuses: readonly number[];
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
  retryStatuses: [429, 500, 502, 503, 504],
};

export function retryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy = { ...DEFAULT_RETRY_POLICY, ...overrides };
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1 || policy.maxAttempts > 20) {
    throw new OciError(
      'CONFIG_INVALID',
      `retry.maxAttempts must be an integer from 1 to 20, got ${policy.maxAttempts}`,
    );
  }
  for (const key of ['baseDelayMs', 'maxDelayMs', 'maxRetryAfterMs'] as const) {
    if (!Number.isFinite(policy[key]) || policy[key] < 0) {
      throw new OciError('CONFIG_INVALID', `retry.${key} must be a non-negative number of milliseconds`);
    }
  }
  return policy;
}

/**
 * Parse `Retry-After` (delay-seconds or an HTTP-date) into milliseconds from `now`.
 * Undefined when absent or unparsable (the backoff applies then).
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * Backoff before retry number `retry` (1-based): "equal jitter" over an exponential window, so
 * clients spread out yet always wait at least half the window.
 */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number): number {
  const window = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(window / 2 + (window / 2) * random());
}
