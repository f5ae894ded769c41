import { describe, expect, it } from 'vitest';
import { nextLink } from './link-header.js';
import { backoffDelay, DEFAULT_RETRY_POLICY, parseRetryAfter, retryPolicy } from './retry-policy.js';

describe('Link pagination', () => {
  it('finds rel="next" among several links', () => {
    expect(nextLink(['<https://r/v2/app/referrers/sha256:1?n=2&last=x>; rel="next"'])).toBe(
      'https://r/v2/app/referrers/sha256:1?n=2&last=x',
    );
    expect(nextLink(['</first>; rel="first", </page2>; rel=next'])).toBe('/page2');
    expect(nextLink(['</prev>; rel="prev"'])).toBeUndefined();
    expect(nextLink([])).toBeUndefined();
  });
});

describe('the retry policy', () => {
  const now = Date.parse('2026-11-27T00:00:00Z');

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('Fri, 27 Nov 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Thu, 26 Nov 2026 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('backs off exponentially with jitter, capped', () => {
    const policy = retryPolicy({ baseDelayMs: 100, maxDelayMs: 1000 });
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(policy, n, () => 0))).toEqual([50, 100, 200, 400, 500]);
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(policy, n, () => 1))).toEqual([100, 200, 400, 800, 1000]);
  });

  it('refuses nonsense settings', () => {
    expect(() => retryPolicy({ maxAttempts: 0 })).toThrow(
      /retry.maxAttempts must be an integer from 1 to 20/,
    );
    expect(() => retryPolicy({ baseDelayMs: -1 })).toThrow(/retry.baseDelayMs/);
    expect(DEFAULT_RETRY_POLICY.retryStatuses).toEqual([429, 500, 502, 503, 504]);
  });
});
