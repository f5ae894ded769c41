import { createHash } from 'node:crypto';
import type { Check, Decision } from '../decision/types.js';
import { CHECK_IDS } from '../decision/types.js';

/** The scs rules in SARIF: one per check id. */
const RULE_TEXT: Readonly<Record<Check['id'], string>> = {
  reference: 'The image reference resolves to a digest',
  scope: 'A scope of the policy applies to the repository',
  signature: 'The image has a signature trusted by the policy',
  sbom: 'An SBOM in an accepted format is attached',
  'sbom-signature': 'The SBOM has a trusted signature',
  'sbom-packages': 'The SBOM holds no denied package',
  'sbom-licenses': 'The SBOM holds no denied license',
  'vulnerability-report': 'A vulnerability report in an accepted format is attached',
  'vulnerability-report-signature': 'The vulnerability report has a trusted signature',
  vulnerabilities: 'No vulnerability finding above the policy',
};

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: 'error' | 'warning';
  message: { text: string };
  locations: { physicalLocation: { artifactLocation: { uri: string } } }[];
  partialFingerprints: { scsDecision: string };
  properties?: Record<string, unknown>;
}

function fingerprint(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
}

/**
 * The failed and warned checks of a decision as a SARIF 2.1.0 log (for GitHub code scanning):
 * one result per failed check, plus one per blocking finding, denied package and denied
 * license. `locationUri` is where results point (default: the policy file name if given, else
 * the image reference).
 */
export function renderDecisionSarif(
  decision: Decision,
  options: { locationUri?: string; toolVersion?: string } = {},
): string {
  // A URI reference: a path with spaces or non-ASCII characters is percent-encoded.
  const uri = encodeURI(options.locationUri ?? decision.subject.reference);
  const subject = decision.subject.digest ?? decision.subject.reference;
  const results: SarifResult[] = [];
  const add = (
    check: Check,
    level: 'error' | 'warning',
    text: string,
    key: string,
    properties?: Record<string, unknown>,
  ): void => {
    results.push({
      ruleId: `scs/${check.id}`,
      ruleIndex: CHECK_IDS.indexOf(check.id),
      level,
      message: { text },
      locations: [{ physicalLocation: { artifactLocation: { uri } } }],
      partialFingerprints: { scsDecision: fingerprint(subject, check.id, key) },
      ...(properties === undefined ? {} : { properties }),
    });
  };
  for (const check of decision.checks) {
    if (check.status !== 'fail' && check.status !== 'warn') continue;
    const level = check.status === 'fail' ? 'error' : 'warning';
    add(check, level, `${decision.subject.repository}: ${check.reason}`, 'check');
    if (check.id === 'vulnerabilities') {
      for (const f of check.evidence.blocking) {
        add(
          check,
          level,
          `${f.id} (${f.severity}) in ${f.package ?? 'an unnamed package'} ${f.installedVersion ?? ''}${f.fixedVersion === undefined ? ', no fix' : `, fixed in ${f.fixedVersion}`}`,
          `${f.id}\u0000${f.package ?? ''}\u0000${f.installedVersion ?? ''}`,
          { vulnerability: f.id, severity: f.severity },
        );
      }
    } else if (check.id === 'sbom-packages') {
      for (const d of check.evidence.denied) {
        add(
          check,
          level,
          `denied package ${d.name} ${d.version ?? '(version unknown)'} (rule ${d.rule.name} ${d.rule.versions})`,
          `${d.name}\u0000${d.version ?? ''}`,
        );
      }
    } else if (check.id === 'sbom-licenses') {
      for (const d of check.evidence.denied) {
        add(
          check,
          level,
          `${d.name} ${d.version ?? ''} is licensed ${d.license} (denied: ${d.matched.join(', ')})`,
          `${d.name}\u0000${d.license}`,
        );
      }
    }
  }
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'scs',
            informationUri: 'https://scs.dev',
            ...(options.toolVersion === undefined ? {} : { version: options.toolVersion }),
            rules: CHECK_IDS.map((id) => ({
              id: `scs/${id}`,
              name: id,
              shortDescription: { text: RULE_TEXT[id] },
              defaultConfiguration: { level: 'error' },
            })),
          },
        },
        results,
        properties: {
          allowed: decision.allowed,
          subject: decision.subject,
          policy: decision.policy,
          evaluatedAt: decision.evaluatedAt,
        },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
