/**
 * What every benchmark (`packages/<name>/bench/*.bench.ts`, run one by one by `pnpm bench`)
 * shares: the timing loop, the summary of latency samples, and the result file under
 * `bench-results/`. Figures are measured and printed, never asserted.
 *
 *   import { msPerOp, writeBenchResult } from '../../../scripts/bench-kit.js';
 *   const compileMs = await msPerOp('compile', () => compile(input), { durationMs: 1500, warmupMs: 150 });
 *   await writeBenchResult('my-package.json', { node: process.version, compileMs });
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { repoRoot } from '../test/harness/paths.js';

export interface LoopOptions {
  /** How long the measured runs go on. */
  durationMs: number;
  /** How long `fn` runs unmeasured first (JIT, caches). */
  warmupMs: number;
}

export interface LoopTiming {
  /** Measured calls. */
  runs: number;
  /** Wall time of the measured calls. */
  elapsedMs: number;
}

/** Calls `fn` (awaiting it) for `warmupMs` unmeasured, then again and again for `durationMs`. */
export async function timeLoop(
  fn: () => unknown,
  { durationMs, warmupMs }: LoopOptions,
): Promise<LoopTiming> {
  const warmEnd = performance.now() + warmupMs;
  while (performance.now() < warmEnd) await fn();
  let runs = 0;
  const start = performance.now();
  let now = start;
  while (now - start < durationMs) {
    await fn();
    runs++;
    now = performance.now();
  }
  return { runs, elapsedMs: now - start };
}

/** Calls of `fn` per second (`timeLoop`), printed as a row `name  rate /s  (runs in ms)`. */
export async function ratePerSecond(name: string, fn: () => unknown, options: LoopOptions): Promise<number> {
  const { runs, elapsedMs } = await timeLoop(fn, options);
  const perSecond = (runs * 1000) / elapsedMs;
  console.log(
    `${name.padEnd(44)} ${perSecond.toFixed(0).padStart(8)} /s  (${runs} in ${elapsedMs.toFixed(0)} ms)`,
  );
  return perSecond;
}

/** Milliseconds per call of `fn` (`timeLoop`), printed as a row `name  ms/op  (runs)`. */
export async function msPerOp(name: string, fn: () => unknown, options: LoopOptions): Promise<number> {
  const { runs, elapsedMs } = await timeLoop(fn, options);
  const ms = elapsedMs / runs;
  console.log(`${name.padEnd(44)} ${ms.toFixed(3).padStart(9)} ms/op  (${runs} runs)`);
  return ms;
}

/** The `q` quantile (0..1) of ascending `sorted`, by nearest rank; NaN when there is no sample. */
export function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/** One measured operation against a registry: the HTTP requests it made and its wall time. */
export interface RequestSample {
  requests: number;
  ms: number;
}

export interface RequestSummary {
  /** HTTP requests of one run: the most frequent count over the samples. */
  requests: number;
  /** Fewest and most requests seen (equal when the count never varied). */
  requestsRange: [number, number];
  medianMs: number;
  p95Ms: number;
}

/** Request counts and latency quantiles (ms, two decimals) of `samples`. */
export function summariseRequests(samples: readonly RequestSample[]): RequestSummary {
  const times = samples.map((s) => s.ms).sort((a, b) => a - b);
  const counts = samples.map((s) => s.requests);
  const mode = [...new Set(counts)].sort(
    (a, b) => counts.filter((c) => c === b).length - counts.filter((c) => c === a).length,
  )[0];
  return {
    requests: mode ?? 0,
    requestsRange: [Math.min(...counts), Math.max(...counts)],
    medianMs: Number(quantile(times, 0.5).toFixed(2)),
    p95Ms: Number(quantile(times, 0.95).toFixed(2)),
  };
}

/**
 * Writes `result` as JSON to `bench-results/<file>` (the directory made if need be), says so, and
 * returns the file's path.
 */
export async function writeBenchResult(file: string, result: unknown): Promise<string> {
  const out = path.join(repoRoot, 'bench-results', file);
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${path.relative(repoRoot, out)}`);
  return out;
}
