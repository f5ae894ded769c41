import type { Check, CheckStatus, Decision } from '../decision/types.js';

const ICON: Readonly<Record<CheckStatus, string>> = { pass: '✅', fail: '❌', warn: '⚠️', skip: '➖' };

/** A table cell: no line breaks, pipes escaped. */
function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

function subjectText(decision: Decision): string {
  return decision.subject.digest === undefined
    ? decision.subject.reference
    : `${decision.subject.repository}@${decision.subject.digest}`;
}

function details(check: Check, maxRows: number): string[] {
  const lines: string[] = [];
  const more = (total: number): void => {
    if (total > maxRows) lines.push('', `… and ${total - maxRows} more (see the JSON decision).`);
  };
  switch (check.id) {
    case 'signature': {
      const rows = check.evidence.signatures;
      if (rows.length === 0) return lines;
      lines.push('', '| Signature | Signer | Signed at | Result |', '|---|---|---|---|');
      for (const s of rows.slice(0, maxRows)) {
        lines.push(
          `| ${code(s.digest.slice(0, 19))} | ${cell(s.signer?.subject ?? '-')} | ${cell(s.signingTime ?? '-')} | ${s.verified ? '✅ trusted' : `❌ ${cell(s.failure ?? 'not trusted')}`} |`,
        );
      }
      more(rows.length);
      return lines;
    }
    case 'vulnerabilities': {
      const e = check.evidence;
      lines.push(
        '',
        '| CRITICAL | HIGH | MEDIUM | LOW | UNKNOWN |',
        '|---|---|---|---|---|',
        `| ${e.counts.CRITICAL} | ${e.counts.HIGH} | ${e.counts.MEDIUM} | ${e.counts.LOW} | ${e.counts.UNKNOWN} |`,
      );
      if (e.blocking.length > 0) {
        lines.push('', '| Blocking | Severity | Package | Installed | Fixed in |', '|---|---|---|---|---|');
        for (const f of e.blocking.slice(0, maxRows)) {
          lines.push(
            `| ${cell(f.id)}${f.rule === 'denied-id' ? ' (denied id)' : ''} | ${f.severity} | ${cell(f.package ?? '-')} | ${cell(f.installedVersion ?? '-')} | ${cell(f.fixedVersion ?? 'no fix')} |`,
          );
        }
        more(e.blocking.length);
      }
      if (e.excepted.length > 0) {
        lines.push('', '| Excepted | Severity | Package | Until | Reason |', '|---|---|---|---|---|');
        for (const f of e.excepted.slice(0, maxRows)) {
          lines.push(
            `| ${cell(f.id)} | ${f.severity} | ${cell(f.package ?? '-')} | ${cell(f.expires)} | ${cell(f.reason)} |`,
          );
        }
        more(e.excepted.length);
      }
      return lines;
    }
    case 'sbom-packages': {
      const rows = check.evidence.denied;
      if (rows.length === 0) return lines;
      lines.push('', '| Denied package | Version | Rule | Reason |', '|---|---|---|---|');
      for (const d of rows.slice(0, maxRows)) {
        lines.push(
          `| ${cell(d.name)} | ${cell(d.version ?? 'unknown')} | ${cell(`${d.rule.name} ${d.rule.versions}`)} | ${cell(d.rule.reason ?? '-')} |`,
        );
      }
      more(rows.length);
      return lines;
    }
    case 'sbom-licenses': {
      const rows = check.evidence.denied;
      if (rows.length === 0) return lines;
      lines.push('', '| Package | Version | License | Denied |', '|---|---|---|---|');
      for (const d of rows.slice(0, maxRows)) {
        lines.push(
          `| ${cell(d.name)} | ${cell(d.version ?? '-')} | ${cell(d.license)} | ${cell(d.matched.join(', '))} |`,
        );
      }
      more(rows.length);
      return lines;
    }
    default:
      return lines;
  }
}

/**
 * The decision as GitHub-flavoured Markdown for a job summary: a verdict line, a table of the
 * checks, then details of signatures, findings and denied packages (at most `maxRows` rows each).
 */
export function renderDecisionMarkdown(decision: Decision, options: { maxRows?: number } = {}): string {
  const maxRows = options.maxRows ?? 20;
  const verdict = decision.allowed ? '✅ ALLOWED' : '❌ DENIED';
  const lines = [
    `## ${verdict}: ${code(subjectText(decision))}`,
    '',
    `Policy ${code(decision.policy.name)}${decision.policy.scope === undefined ? '' : `, scope ${code(decision.policy.scope)}`} (${code(decision.policy.digest.slice(0, 19))}), evaluated ${decision.evaluatedAt}.`,
  ];
  if (!decision.allowed) {
    lines.push('', '**Why it is denied:**', '');
    for (const reason of decision.reasons) lines.push(`- ${reason.replace(/\r?\n/g, ' ')}`);
  }
  lines.push('', '| Check | Result | Reason |', '|---|---|---|');
  for (const check of decision.checks) {
    lines.push(`| ${check.id} | ${ICON[check.status]} ${check.status} | ${cell(check.reason)} |`);
  }
  for (const check of decision.checks) {
    const extra = details(check, maxRows);
    if (extra.length > 0) lines.push('', `### ${check.id}`, ...extra);
  }
  return `${lines.join('\n')}\n`;
}
