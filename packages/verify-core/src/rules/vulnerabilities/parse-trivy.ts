import { VerifyCoreError } from '../../errors.js';
import type { VulnerabilityFinding, VulnerabilityReport } from './vulnerability-report.js';
import { normalizeSeverity, normalizeTarget } from './vulnerability-report.js';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function malformed(detail: string, cause?: unknown): VerifyCoreError {
  return new VerifyCoreError(
    'REPORT_MALFORMED',
    `the attached Trivy report ${detail}`,
    cause === undefined ? undefined : { cause },
  );
}

/** Trivy's JSON report (`trivy image --format json`, `SchemaVersion: 2`). Throws `REPORT_MALFORMED`. */
export function parseTrivyReport(bytes: Uint8Array): VulnerabilityReport {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw malformed('is not JSON', error);
  }
  if (!isObject(doc)) throw malformed('is not a JSON object');
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
    if (!isObject(result)) throw malformed(`has a Results[${i}] that is not an object`);
    const target = normalizeTarget(str(result.Target));
    if (Array.isArray(result.Secrets)) secrets += result.Secrets.length;
    if (Array.isArray(result.Misconfigurations)) {
      misconfigurations += result.Misconfigurations.filter(
        (m: unknown) => isObject(m) && m.Status !== 'PASS',
      ).length;
    }
    const vulns = result.Vulnerabilities ?? [];
    if (!Array.isArray(vulns)) throw malformed(`has a Results[${i}].Vulnerabilities that is not a list`);
    for (const [j, v] of vulns.entries()) {
      if (!isObject(v) || typeof v.VulnerabilityID !== 'string' || v.VulnerabilityID === '') {
        throw malformed(`has a finding (Results[${i}].Vulnerabilities[${j}]) without VulnerabilityID`);
      }
      const fixedVersion = str(v.FixedVersion);
      const pkg = str(v.PkgName);
      const installed = str(v.InstalledVersion);
      const title = str(v.Title);
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
  const trivy = isObject(doc.Trivy) ? str(doc.Trivy.Version) : undefined;
  const metadata = isObject(doc.Metadata) ? doc.Metadata : {};
  const createdAt = str(doc.CreatedAt);
  const imageId = str(metadata.ImageID);
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
