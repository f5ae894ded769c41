/**
 * A small Prometheus registry: counters, gauges and histograms with labels, rendered in the text
 * exposition format (version 0.0.4). Label values are escaped; label sets are whatever the
 * provider passes (bounded sets: paths, status codes, outcomes — never image names).
 */
export type Labels = Readonly<Record<string, string>>;

const escapeLabel = (value: string): string =>
  value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

function labelText(labels: Labels, extra?: [string, string]): string {
  const pairs = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  if (extra !== undefined) pairs.push(extra);
  if (pairs.length === 0) return '';
  return `{${pairs.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
}

const keyOf = (labels: Labels): string =>
  JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

interface Metric {
  name: string;
  render(): string[];
}

export class Counter implements Metric {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    private readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = keyOf(labels);
    const entry = this.values.get(key);
    if (entry === undefined) this.values.set(key, { labels, value: by });
    else entry.value += by;
  }

  value(labels: Labels = {}): number {
    return this.values.get(keyOf(labels))?.value ?? 0;
  }

  render(): string[] {
    return [
      `# HELP ${this.name} ${this.help}`,
      `# TYPE ${this.name} counter`,
      ...[...this.values.values()].map((e) => `${this.name}${labelText(e.labels)} ${formatNumber(e.value)}`),
    ];
  }
}

export class Gauge implements Metric {
  private readonly values = new Map<string, { labels: Labels; value: () => number }>();
  constructor(
    readonly name: string,
    private readonly help: string,
  ) {}

  /** The gauge reads `value` when scraped. */
  track(value: () => number, labels: Labels = {}): void {
    this.values.set(keyOf(labels), { labels, value });
  }

  value(labels: Labels = {}): number {
    return this.values.get(keyOf(labels))?.value() ?? 0;
  }

  render(): string[] {
    return [
      `# HELP ${this.name} ${this.help}`,
      `# TYPE ${this.name} gauge`,
      ...[...this.values.values()].map(
        (e) => `${this.name}${labelText(e.labels)} ${formatNumber(e.value())}`,
      ),
    ];
  }
}

export class Histogram implements Metric {
  private readonly series = new Map<
    string,
    { labels: Labels; counts: number[]; sum: number; count: number }
  >();
  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly buckets: readonly number[],
  ) {}

  observe(value: number, labels: Labels = {}): void {
    const key = keyOf(labels);
    const entry = this.series.get(key) ?? { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
    this.series.set(key, entry);
    this.buckets.forEach((bound, i) => {
      if (value <= bound) entry.counts[i] = (entry.counts[i] ?? 0) + 1;
    });
    entry.sum += value;
    entry.count += 1;
  }

  count(labels: Labels = {}): number {
    return this.series.get(keyOf(labels))?.count ?? 0;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const entry of this.series.values()) {
      this.buckets.forEach((bound, i) => {
        lines.push(
          `${this.name}_bucket${labelText(entry.labels, ['le', formatNumber(bound)])} ${entry.counts[i] ?? 0}`,
        );
      });
      lines.push(`${this.name}_bucket${labelText(entry.labels, ['le', '+Inf'])} ${entry.count}`);
      lines.push(`${this.name}_sum${labelText(entry.labels)} ${formatNumber(entry.sum)}`);
      lines.push(`${this.name}_count${labelText(entry.labels)} ${entry.count}`);
    }
    return lines;
  }
}

/** Latency buckets in seconds, from a cache hit to a cold verification near the deadline. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10];

/** Everything the provider measures. */
export class ProviderMetrics {
  readonly httpRequests = new Counter(
    'scs_provider_http_requests_total',
    'HTTP requests answered, by path and status code.',
  );
  readonly httpDuration = new Histogram(
    'scs_provider_http_request_duration_seconds',
    'Time to answer an HTTP request, by path.',
    LATENCY_BUCKETS,
  );
  readonly decisions = new Counter(
    'scs_provider_decisions_total',
    'Keys answered by /verify, by outcome (allowed, denied, error).',
  );
  readonly mutations = new Counter(
    'scs_provider_mutations_total',
    'Keys answered by /mutate, by outcome (pinned, unchanged, error).',
  );
  readonly evaluations = new Counter(
    'scs_provider_evaluations_total',
    'Decisions computed (not served from a cache), by outcome.',
  );
  readonly evaluationDuration = new Histogram(
    'scs_provider_evaluation_duration_seconds',
    'Time to compute one decision (registry requests included).',
    LATENCY_BUCKETS,
  );
  readonly cache = new Counter(
    'scs_provider_cache_events_total',
    'Result cache lookups: memory-hit, shared-hit (another replica computed it), joined (a computation in flight), miss; shared-error when the shared cache failed.',
  );
  readonly sharedCacheRejected = new Counter(
    'scs_provider_shared_cache_rejected_total',
    'Shared cache (Redis) entries ignored because their MAC does not verify: not written with this provider’s key (a forgery, or a replica with another key).',
  );
  readonly deadlineExceeded = new Counter(
    'scs_provider_deadline_exceeded_total',
    'Keys answered with an error because they were not judged within the deadline.',
  );
  readonly registryRequests = new Counter(
    'scs_provider_registry_requests_total',
    'HTTP requests sent to registries (each retry and redirect counts).',
  );
  readonly registryErrors = new Counter(
    'scs_provider_registry_errors_total',
    'Registry requests that failed: no answer (network, timeout) or 429/5xx.',
  );
  readonly reloads = new Counter(
    'scs_provider_reloads_total',
    'Reloads of the policy or the TLS files, by what and result (applied, rejected).',
  );
  readonly inflight = new Gauge('scs_provider_evaluations_in_flight', 'Decisions being computed now.');
  readonly ready = new Gauge('scs_provider_ready', '1 when the provider accepts admission requests.');

  private readonly all = [
    this.httpRequests,
    this.httpDuration,
    this.decisions,
    this.mutations,
    this.evaluations,
    this.evaluationDuration,
    this.cache,
    this.sharedCacheRejected,
    this.deadlineExceeded,
    this.registryRequests,
    this.registryErrors,
    this.reloads,
    this.inflight,
    this.ready,
  ];

  /** The Prometheus text exposition of every metric. */
  render(): string {
    return `${this.all.flatMap((m) => m.render()).join('\n')}\n`;
  }
}

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
