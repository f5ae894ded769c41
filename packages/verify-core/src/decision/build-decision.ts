import type { Check, Decision, ReferenceEvidence } from './types.js';
import { CHECK_IDS, DECISION_API_VERSION, DECISION_KIND } from './types.js';

export interface DecisionInput {
  reference: ReferenceEvidence;
  policy: { name: string; digest: string };
  scope?: string;
  evaluatedAt: Date;
  checks: readonly Check[];
}

const ORDER = new Map<string, number>(CHECK_IDS.map((id, i) => [id, i]));

/**
 * Assemble a decision. Fail closed: allowed only when the digest is known, every check is
 * present that must be (reference, scope, signature), and none failed.
 */
export function buildDecision(input: DecisionInput): Decision {
  const checks = [...input.checks].sort((a, b) => (ORDER.get(a.id) ?? 0) - (ORDER.get(b.id) ?? 0));
  const failed = checks.filter((c) => c.status === 'fail');
  const has = (id: Check['id']): boolean => checks.some((c) => c.id === id);
  const complete = has('reference') && has('scope') && has('signature');
  const allowed = input.reference.digest !== undefined && complete && failed.length === 0;
  const reasons = failed.map((c) => c.reason);
  if (!allowed && reasons.length === 0) {
    reasons.push('the decision is incomplete (a required check is missing), so the image is denied');
  }
  return {
    apiVersion: DECISION_API_VERSION,
    kind: DECISION_KIND,
    allowed,
    subject: {
      reference: input.reference.requested,
      repository: input.reference.repository,
      ...(input.reference.digest === undefined ? {} : { digest: input.reference.digest }),
    },
    policy: {
      name: input.policy.name,
      digest: input.policy.digest,
      ...(input.scope === undefined ? {} : { scope: input.scope }),
    },
    evaluatedAt: input.evaluatedAt.toISOString(),
    checks,
    reasons,
  };
}
