import { describe, expect, it } from 'vitest';
import { Counter, Histogram, ProviderMetrics } from './metrics.js';

describe('the Prometheus text exposition', () => {
  it('renders counters with sorted, escaped labels', () => {
    const counter = new Counter('x_total', 'Things.');
    counter.inc({ path: '/verify', code: '200' });
    counter.inc({ code: '200', path: '/verify' }, 2);
    counter.inc({ reason: 'a "quoted"\nline\\' });
    expect(counter.render()).toEqual([
      '# HELP x_total Things.',
      '# TYPE x_total counter',
      'x_total{code="200",path="/verify"} 3',
      'x_total{reason="a \\"quoted\\"\\nline\\\\"} 1',
    ]);
  });

  it('renders histograms with cumulative buckets, +Inf, sum and count', () => {
    const histogram = new Histogram('t_seconds', 'Time.', [0.1, 1]);
    histogram.observe(0.05, { path: '/verify' });
    histogram.observe(0.5, { path: '/verify' });
    histogram.observe(3, { path: '/verify' });
    expect(histogram.render()).toEqual([
      '# HELP t_seconds Time.',
      '# TYPE t_seconds histogram',
      't_seconds_bucket{path="/verify",le="0.1"} 1',
      't_seconds_bucket{path="/verify",le="1"} 2',
      't_seconds_bucket{path="/verify",le="+Inf"} 3',
      't_seconds_sum{path="/verify"} 3.55',
      't_seconds_count{path="/verify"} 3',
    ]);
  });

  it('names every provider metric once, each with HELP and TYPE, and reads gauges when scraped', () => {
    const metrics = new ProviderMetrics();
    let inflight = 2;
    metrics.inflight.track(() => inflight);
    metrics.decisions.inc({ outcome: 'allowed' });
    inflight = 5;
    const text = metrics.render();
    const types = text.split('\n').filter((l) => l.startsWith('# TYPE '));
    expect(new Set(types).size).toBe(types.length);
    expect(types.map((l) => l.split(' ')[2])).toEqual([
      'scs_provider_http_requests_total',
      'scs_provider_http_request_duration_seconds',
      'scs_provider_decisions_total',
      'scs_provider_mutations_total',
      'scs_provider_evaluations_total',
      'scs_provider_evaluation_duration_seconds',
      'scs_provider_cache_events_total',
      'scs_provider_shared_cache_rejected_total',
      'scs_provider_deadline_exceeded_total',
      'scs_provider_registry_requests_total',
      'scs_provider_registry_errors_total',
      'scs_provider_reloads_total',
      'scs_provider_evaluations_in_flight',
      'scs_provider_ready',
    ]);
    expect(text).toContain('scs_provider_decisions_total{outcome="allowed"} 1\n');
    expect(text).toContain('scs_provider_evaluations_in_flight 5\n');
    // Every sample line is `name{labels} value` with a numeric value.
    for (const line of text.split('\n').filter((l) => l !== '' && !l.startsWith('#'))) {
      expect(line).toMatch(/^[a-z_]+(\{[^}]*\})? (-?[0-9.e+-]+|\+Inf|NaN)$/);
    }
  });
});
