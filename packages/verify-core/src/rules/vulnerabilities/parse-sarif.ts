import { VerifyCoreError } from '../../errors.js';
import { type JsonObject, isJsonObject, nonEmptyString, parseJsonObject } from '../json-document.js';
import type { FindingSeverity } from '../../decision/types.js';
import type { VulnerabilityFinding, VulnerabilityReport } from './vulnerability-report.js';
import { normalizeSeverity } from './vulnerability-report.js';

function malformed(detail: string, cause?: unknown): VerifyCoreError {
  return new VerifyCoreError(
    'REPORT_MALFORMED',
    `the attached SARIF report ${detail}`,
    cause === undefined ? undefined : { cause },
  );
}

/** CVSS v3 bands, for SARIF `security-severity` when no severity tag is given. */
function severityFromScore(score: number): FindingSeverity {
  if (score >= 9) return 'CRITICAL';
  if (score >= 7) return 'HIGH';
  if (score >= 4) return 'MEDIUM';
  if (score > 0) return 'LOW';
  return 'UNKNOWN';
}

interface RuleInfo {
  severity: FindingSeverity;
  kind: 'vulnerability' | 'misconfiguration' | 'secret';
  title?: string;
}

function ruleInfo(rule: JsonObject): RuleInfo {
  const properties = isJsonObject(rule.properties) ? rule.properties : {};
  const tags = Array.isArray(properties.tags)
    ? properties.tags.filter((t): t is string => typeof t === 'string')
    : [];
  const lower = tags.map((t) => t.toLowerCase());
  const kind = lower.includes('misconfiguration')
    ? 'misconfiguration'
    : lower.includes('secret')
      ? 'secret'
      : 'vulnerability';
  // Trivy writes the severity as a tag; other scanners as a CVSS-like score.
  let severity: FindingSeverity = 'UNKNOWN';
  const tagged =
    tags.map(normalizeSeverity).find((s) => s !== 'UNKNOWN') ??
    (lower.includes('unknown') ? 'UNKNOWN' : undefined);
  if (tagged !== undefined) {
    severity = tagged;
  } else {
    const score = Number(properties['security-severity']);
    if (Number.isFinite(score)) severity = severityFromScore(score);
  }
  const short = isJsonObject(rule.shortDescription) ? nonEmptyString(rule.shortDescription.text) : undefined;
  return { severity, kind, ...(short === undefined ? {} : { title: short }) };
}

/** `Key: value` lines of a Trivy SARIF result message. */
function messageField(text: string | undefined, key: string): string | undefined | null {
  if (text === undefined) return null;
  const match = new RegExp(`^${key}:[ \\t]*(.*)$`, 'm').exec(text);
  if (match === null) return null;
  const value = (match[1] ?? '').trim();
  return value === '' ? undefined : value;
}

/**
 * SARIF 2.1.0 (`trivy image --format sarif`, or another scanner's SARIF, as Ratify's
 * vulnerability-report verifier reads it). Severity comes from the rule's severity tag, else its
 * `security-severity` score, else UNKNOWN. Throws `REPORT_MALFORMED`.
 */
export function parseSarifReport(bytes: Uint8Array): VulnerabilityReport {
  const doc = parseJsonObject(bytes, malformed);
  if (doc.version !== '2.1.0' || !Array.isArray(doc.runs)) {
    throw malformed('is not SARIF 2.1.0 (it needs "version": "2.1.0" and a "runs" list)');
  }
  const findings: VulnerabilityFinding[] = [];
  let secrets = 0;
  let misconfigurations = 0;
  const scanners: string[] = [];
  let imageId: string | undefined;
  const repoDigests: string[] = [];
  for (const [r, run] of doc.runs.entries()) {
    if (!isJsonObject(run) || !isJsonObject(run.tool) || !isJsonObject(run.tool.driver))
      throw malformed(`has a run (#${r + 1}) without tool.driver`);
    const driver = run.tool.driver;
    const name = nonEmptyString(driver.name) ?? 'unknown scanner';
    const version = nonEmptyString(driver.version);
    scanners.push(version === undefined ? name : `${name} ${version}`);
    const rules = new Map<string, RuleInfo>();
    const ruleList: unknown[] = Array.isArray(driver.rules) ? driver.rules : [];
    for (const rule of ruleList) {
      if (isJsonObject(rule) && typeof rule.id === 'string') rules.set(rule.id, ruleInfo(rule));
    }
    const properties = isJsonObject(run.properties) ? run.properties : {};
    imageId ??= nonEmptyString(properties.imageID);
    if (Array.isArray(properties.repoDigests)) {
      repoDigests.push(...properties.repoDigests.filter((d): d is string => typeof d === 'string'));
    }
    const results = run.results ?? [];
    if (!Array.isArray(results)) throw malformed(`has a run (#${r + 1}) whose results are not a list`);
    for (const [i, result] of results.entries()) {
      if (!isJsonObject(result) || typeof result.ruleId !== 'string')
        throw malformed(`has a result (#${i + 1}) without ruleId`);
      const index = typeof result.ruleIndex === 'number' ? ruleList[result.ruleIndex] : undefined;
      const info =
        rules.get(result.ruleId) ??
        (isJsonObject(index)
          ? ruleInfo(index)
          : { severity: normalizeSeverity(undefined), kind: 'vulnerability' as const });
      if (info.kind === 'secret') {
        secrets++;
        continue;
      }
      if (info.kind === 'misconfiguration') {
        misconfigurations++;
        continue;
      }
      const text = isJsonObject(result.message) ? nonEmptyString(result.message.text) : undefined;
      const pkg = messageField(text, 'Package');
      const installed = messageField(text, 'Installed Version');
      const fixed = messageField(text, 'Fixed Version');
      const severityLine = messageField(text, 'Severity');
      const locations: unknown[] = Array.isArray(result.locations) ? result.locations : [];
      const location = locations[0];
      const uri =
        isJsonObject(location) &&
        isJsonObject(location.physicalLocation) &&
        isJsonObject(location.physicalLocation.artifactLocation)
          ? nonEmptyString(location.physicalLocation.artifactLocation.uri)
          : undefined;
      const severity =
        info.severity !== 'UNKNOWN' ? info.severity : normalizeSeverity(severityLine ?? undefined);
      findings.push({
        id: result.ruleId,
        severity,
        ...(typeof pkg === 'string' ? { package: pkg } : {}),
        ...(typeof installed === 'string' ? { installedVersion: installed } : {}),
        ...(typeof fixed === 'string' ? { fixedVersion: fixed } : {}),
        fixState: fixed === null ? 'unknown' : fixed === undefined ? 'unfixed' : 'fixed',
        ...(info.title === undefined ? {} : { title: info.title }),
        ...(uri === undefined ? {} : { target: uri }),
      });
    }
  }
  return {
    format: 'sarif',
    specVersion: 'SARIF 2.1.0',
    scanner: [...new Set(scanners)].join(', '),
    ...(imageId === undefined ? {} : { imageId }),
    repoDigests,
    findings,
    other: { secrets, misconfigurations },
  };
}
