import type { Decision } from '../decision/types.js';

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = canonical(v);
    }
    return out;
  }
  return value;
}

/**
 * The decision as stable JSON: keys sorted at every level, arrays in decision order, two-space
 * indent, trailing newline. The same decision always gives the same bytes. Valid against
 * `schema/decision.schema.json`.
 */
export function renderDecisionJson(decision: Decision): string {
  return `${JSON.stringify(canonical(decision), null, 2)}\n`;
}
