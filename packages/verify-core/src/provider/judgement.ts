/**
 * What the provider answers for one image, and how it travels through the caches: a verdict
 * (the decision in Ratify's result shape, bound to the digest it judged) or an error (the image
 * could not be judged: not a reference, registry unreachable, deadline passed — denied by the
 * template all the same).
 */
import type { Decision } from '../decision/types.js';
import type { RatifyResponse } from '../render/render-ratify.js';
import { renderRatifyResponse } from '../render/render-ratify.js';
import type { ResultCodec } from './result-cache.js';

export type Judgement =
  { kind: 'verdict'; allowed: boolean; value: RatifyResponse } | { kind: 'error'; error: string };

/** A tag resolved to the manifest it names now (as the registry described it), or why it could not be. */
export type Resolution =
  { kind: 'digest'; digest: string; mediaType: string; size: number } | { kind: 'error'; error: string };

/**
 * The judgement of a decision: a denial caused by an error (a check that could not run: the
 * reference could not be resolved, the referrers could not be listed, the decision timed out)
 * is an error — the image could not be judged; any other decision is a verdict whose value is
 * `renderRatifyResponse(decision)` (`isSuccess` is exactly `decision.allowed`).
 */
export function judgementOf(decision: Decision): Judgement {
  if (!decision.allowed && decision.checks.some((c) => c.status === 'fail' && c.error !== undefined)) {
    return { kind: 'error', error: decision.reasons.join('; ') };
  }
  return { kind: 'verdict', allowed: decision.allowed, value: renderRatifyResponse(decision) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isRatifyResponse(value: unknown): value is RatifyResponse {
  return (
    isRecord(value) &&
    value.version === '0.1.0' &&
    typeof value.isSuccess === 'boolean' &&
    Array.isArray(value.verifierReports) &&
    value.verifierReports.every(
      (r) =>
        isRecord(r) &&
        typeof r.isSuccess === 'boolean' &&
        typeof r.message === 'string' &&
        typeof r.name === 'string' &&
        typeof r.type === 'string',
    )
  );
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Judgements as they are kept in the shared cache. Decoding checks the shape (a cache entry is
 * input like any other): an entry that does not hold together is ignored and the image judged
 * again; an allowing verdict must say `isSuccess: true` in its value too.
 */
export const judgementCodec: ResultCodec<Judgement> = {
  encode: (value) => JSON.stringify(value),
  decode(text) {
    const value = parse(text);
    if (!isRecord(value)) return undefined;
    if (value.kind === 'error') {
      return typeof value.error === 'string' && value.error !== ''
        ? { kind: 'error', error: value.error }
        : undefined;
    }
    if (value.kind === 'verdict' && typeof value.allowed === 'boolean' && isRatifyResponse(value.value)) {
      if (value.value.isSuccess !== value.allowed) return undefined;
      return { kind: 'verdict', allowed: value.allowed, value: value.value };
    }
    return undefined;
  },
};

const DIGEST = /^sha256:[a-f0-9]{64}$|^sha512:[a-f0-9]{128}$/;

export const resolutionCodec: ResultCodec<Resolution> = {
  encode: (value) => JSON.stringify(value),
  decode(text) {
    const value = parse(text);
    if (!isRecord(value)) return undefined;
    if (
      value.kind === 'digest' &&
      typeof value.digest === 'string' &&
      DIGEST.test(value.digest) &&
      typeof value.mediaType === 'string' &&
      typeof value.size === 'number' &&
      Number.isSafeInteger(value.size) &&
      value.size > 0
    ) {
      return { kind: 'digest', digest: value.digest, mediaType: value.mediaType, size: value.size };
    }
    if (value.kind === 'error' && typeof value.error === 'string' && value.error !== '') {
      return { kind: 'error', error: value.error };
    }
    return undefined;
  },
};
