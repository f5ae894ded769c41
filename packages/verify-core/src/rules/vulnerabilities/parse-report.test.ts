import { describe, expect, it } from 'vitest';
import type { SeverityCounts } from '../../decision/types.js';
import { VerifyCoreError } from '../../errors.js';
import { GOLDEN, golden } from '../../test-support/golden.js';
import { parseSarifReport } from './parse-sarif.js';
import { parseTrivyReport } from './parse-trivy.js';
import type { VulnerabilityReport } from './vulnerability-report.js';

function counts(report: VulnerabilityReport): SeverityCounts {
  const out: SeverityCounts = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0 };
  for (const f of report.findings) out[f.severity]++;
  return out;
}

describe('reading Trivy JSON reports', () => {
  it.each([
    ['alpine-39.json.golden', { CRITICAL: 2, HIGH: 0, MEDIUM: 4, LOW: 0, UNKNOWN: 0 }],
    ['alpine-39-high-critical.json.golden', { CRITICAL: 2, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0 }],
    ['debian-buster.json.golden', { CRITICAL: 1, HIGH: 0, MEDIUM: 0, LOW: 1, UNKNOWN: 0 }],
    ['centos-7.json.golden', { CRITICAL: 0, HIGH: 0, MEDIUM: 1, LOW: 2, UNKNOWN: 0 }],
    ['mariner-1.0.json.golden', { CRITICAL: 0, HIGH: 1, MEDIUM: 0, LOW: 1, UNKNOWN: 0 }],
    ['gomod.json.golden', { CRITICAL: 0, HIGH: 0, MEDIUM: 1, LOW: 0, UNKNOWN: 4 }],
    ['fluentd-multiple-lockfiles.json.golden', { CRITICAL: 1, HIGH: 1, MEDIUM: 0, LOW: 1, UNKNOWN: 0 }],
    ['alpine-39-skip.json.golden', { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0 }],
    ['sl-micro-rancher5.4.json.golden', { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0 }],
  ])('reads %s with the severities of golden/INDEX.md', (file, expected) => {
    expect(counts(parseTrivyReport(golden(...GOLDEN.trivy(file))))).toEqual(expected);
  });

  it('keeps package, versions, fix state and the image id', () => {
    const report = parseTrivyReport(golden(...GOLDEN.trivy('debian-buster.json.golden')));
    expect(report).toMatchObject({
      format: 'trivy',
      scanner: 'Trivy dev',
      createdAt: '2021-08-25T12:20:30.000000005Z',
      imageId: 'sha256:c2c03a296d2329a4f3ab72a7bf38b78a8a80108204d326b0139d6af700e152d1',
    });
    expect(report.findings.find((f) => f.id === 'CVE-2019-18224')).toMatchObject({
      severity: 'CRITICAL',
      package: 'libidn2-0',
      installedVersion: '2.0.5-1',
      fixedVersion: '2.0.5-1+deb10u1',
      fixState: 'fixed',
      target: 'testdata/fixtures/images/debian-buster.tar.gz',
    });
    expect(report.findings.find((f) => f.id === 'CVE-2019-18276')?.fixState).toBe('unfixed');
  });

  it('counts secrets apart from vulnerabilities', () => {
    const report = parseTrivyReport(golden(...GOLDEN.trivy('secrets.json.golden')));
    expect(report.findings).toEqual([]);
    expect(report.other.secrets).toBe(2);
  });

  it('reads repo digests of a real Trivy 0.72.0 report', () => {
    const report = parseTrivyReport(golden(...GOLDEN.trivyAction('with-trivy-yaml-cfg', 'report.json')));
    expect(report.repoDigests).toEqual([
      'alpine@sha256:451eee8bedcb2f029756dc3e9d73bab0e7943c1ac55cff3a4861c52a0fdd3e98',
    ]);
    expect(report.findings.map((f) => [f.id, f.severity])).toEqual([['CVE-2021-36159', 'CRITICAL']]);
  });

  it('rejects a SARIF document announced as a Trivy report', () => {
    let error: unknown;
    try {
      parseTrivyReport(golden(...GOLDEN.trivy('alpine-310.sarif.golden')));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(VerifyCoreError);
    expect((error as VerifyCoreError).code).toBe('REPORT_MALFORMED');
    expect((error as VerifyCoreError).message).toContain('has no SchemaVersion');
  });
});

describe('reading SARIF reports', () => {
  it('reads the SARIF twin of alpine-310 with the same findings as its JSON', () => {
    const sarif = parseSarifReport(golden(...GOLDEN.trivy('alpine-310.sarif.golden')));
    const json = parseTrivyReport(golden(...GOLDEN.trivy('alpine-310.json.golden')));
    expect(counts(sarif)).toEqual({ CRITICAL: 0, HIGH: 0, MEDIUM: 4, LOW: 0, UNKNOWN: 0 });
    const key = (r: VulnerabilityReport): string[] =>
      r.findings
        .map((f) => [f.id, f.package, f.installedVersion, f.fixedVersion, f.fixState, f.target].join(' '))
        .sort();
    expect(key(sarif)).toEqual(key(json));
    expect(sarif.imageId).toBe('sha256:961769676411f082461f9ef46626dd7a2d1e2b2a38e6a44364bcbecf51e66dd4');
    expect(sarif.scanner).toBe('Trivy dev');
  });

  it('counts misconfiguration results apart from vulnerabilities', () => {
    const report = parseSarifReport(golden(...GOLDEN.trivyAction('config-sarif-report', 'report.sarif')));
    expect(report.findings).toEqual([]);
    expect(report.other.misconfigurations).toBe(8);
  });

  it('takes the severity from security-severity when there is no severity tag', () => {
    const sarif = {
      version: '2.1.0',
      runs: [
        {
          tool: {
            driver: {
              name: 'Grype',
              version: '0.80.0',
              rules: [{ id: 'CVE-2024-0001-zlib', properties: { 'security-severity': '9.8' } }],
            },
          },
          results: [{ ruleId: 'CVE-2024-0001-zlib', message: { text: 'zlib' } }],
        },
      ],
    };
    const report = parseSarifReport(new TextEncoder().encode(JSON.stringify(sarif)));
    expect(report.findings).toEqual([
      { id: 'CVE-2024-0001-zlib', severity: 'CRITICAL', fixState: 'unknown' },
    ]);
    expect(report.scanner).toBe('Grype 0.80.0');
  });

  it('rejects a Trivy JSON report announced as SARIF', () => {
    expect(() => parseSarifReport(golden(...GOLDEN.trivy('alpine-310.json.golden')))).toThrow(
      /is not SARIF 2.1.0/,
    );
  });
});
