import type { CheckStatus, Decision } from '../decision/types.js';

const MARK: Readonly<Record<CheckStatus, string>> = {
  pass: 'ok  ',
  fail: 'FAIL',
  warn: 'warn',
  skip: 'skip',
};

/** The decision for a terminal: verdict, subject, then one line per check. */
export function formatDecisionText(decision: Decision): string {
  const subject =
    decision.subject.digest === undefined
      ? decision.subject.reference
      : `${decision.subject.repository}@${decision.subject.digest}`;
  const width = Math.max(...decision.checks.map((c) => c.id.length), 5);
  const lines = [
    `${decision.allowed ? 'ALLOWED' : 'DENIED'}  ${subject}`,
    `  policy ${decision.policy.name}${decision.policy.scope === undefined ? '' : `, scope ${decision.policy.scope}`}, ${decision.evaluatedAt}`,
    ...decision.checks.map((c) => `  [${MARK[c.status]}] ${c.id.padEnd(width)}  ${c.reason}`),
  ];
  return `${lines.join('\n')}\n`;
}
