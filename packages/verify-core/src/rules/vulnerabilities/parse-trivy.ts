import { VerifyCoreError } from '../../errors.js';
import { isJsonObject, nonEmptyString, parseJsonObject } from '../json-document.js';
import type { VulnerabilityFinding, VulnerabilityReport } from './vulnerability-report.js';
import { normalizeSeverity, normalizeTarget } from './vulnerability-report.js';

function malformed(detail: string, cause?: unknown): VerifyCoreError {
  return new VerifyCoreError(
    'REPORT_MALFORMED',
    `the attached Trivy report ${detail}`,
    cause === undefined ? undefined : { cause },
  );
}

/** Trivy's JSON report (`trivy image --format json`, `SchemaVersion: 2`). Throws `REPORT_MALFORMED`. */
export function parseTrivyReport(bytes: Uint8Array): VulnerabilityReport {
  const doc = parseJsonObject(bytes, malformed);
  if (doc.SchemaVersion === undefined) {
    throw malformed('has no SchemaVersion; it is not a Trivy JSON report (use --format json)');
  }
  if (doc.SchemaVersion !== 2)
    throw malformed(`has SchemaVersion ${JSON.stringify(doc.SchemaVersion)}; version 2 is supported`);
  const results = doc.Results ?? [];
  if (!Array.isArray(results)) throw malformed('has a Results field that is not a list');
  const findings: VulnerabilityFinding[] = [];
  let secrets = 0;
  let misconfigurations = 0;
  for (const [i, result] of results.entries()) {
    if (!isJsonObject(result)) throw malformed(`has a Results[${i}] that is not an object`);
    const target = normalizeTarget(nonEmptyString(result.Target));
    if (Array.isArray(result.Secrets)) secrets += result.Secrets.length;
    if (Array.isArray(result.Misconfigurations)) {
      misconfigurations += result.Misconfigurations.filter(
        (m: unknown) => isJsonObject(m) && m.Status !== 'PASS',
      ).length;
    }
    const vulns = result.Vulnerabilities ?? [];
    if (!Array.isArray(vulns)) throw malformed(`has a Results[${i}].Vulnerabilities that is not a list`);
    for (const [j, v] of vulns.entries()) {
      if (!isJsonObject(v) || typeof v.VulnerabilityID !== 'string' || v.VulnerabilityID === '') {
        throw malformed(`has a finding (Results[${i}].Vulnerabilities[${j}]) without VulnerabilityID`);
      }
      const fixedVersion = nonEmptyString(v.FixedVersion);
      const pkg = nonEmptyString(v.PkgName);
      const installed = nonEmptyString(v.InstalledVersion);
      const title = nonEmptyString(v.Title);
      findings.push({
        id: v.VulnerabilityID,
        severity: normalizeSeverity(v.Severity),
        ...(pkg === undefined ? {} : { package: pkg }),
        ...(installed === undefined ? {} : { installedVersion: installed }),
        ...(fixedVersion === undefined ? {} : { fixedVersion }),
        fixState: fixedVersion === undefined ? 'unfixed' : 'fixed',
        ...(title === undefined ? {} : { title }),
        ...(target === undefined ? {} : { target }),
      });
    }
  }
  const trivy = isJsonObject(doc.Trivy) ? nonEmptyString(doc.Trivy.Version) : undefined;
  const metadata = isJsonObject(doc.Metadata) ? doc.Metadata : {};
  const createdAt = nonEmptyString(doc.CreatedAt);
  const imageId = nonEmptyString(metadata.ImageID);
  return {
    format: 'trivy',
    specVersion: 'Trivy JSON 2',
    scanner: trivy === undefined ? 'Trivy' : `Trivy ${trivy}`,
    ...(createdAt === undefined ? {} : { createdAt }),
    ...(imageId === undefined ? {} : { imageId }),
    repoDigests: Array.isArray(metadata.RepoDigests)
      ? metadata.RepoDigests.filter((d): d is string => typeof d === 'string')
      : [],
    findings,
    other: { secrets, misconfigurations },
  };
}
