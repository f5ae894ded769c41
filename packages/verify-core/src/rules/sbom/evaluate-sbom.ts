import type { DeniedLicenseEvidence, DeniedPackageEvidence } from '../../decision/types.js';
import type { DeniedPackage, SbomPolicy } from '../../policy/types.js';
import { deniedLicensesIn, licensePatternMatcher, parseLicenseExpression } from './license-expression.js';
import type { SbomDocument, SbomPackage } from './sbom-document.js';
import { parseVersionRange, satisfies } from './version-range.js';

function nameMatches(rule: DeniedPackage, pkg: SbomPackage): boolean {
  const wanted = rule.name.toLowerCase();
  const names = [pkg.name];
  if (pkg.group !== undefined) names.push(`${pkg.group}:${pkg.name}`, `${pkg.group}/${pkg.name}`);
  return names.some((n) => n.toLowerCase() === wanted);
}

/** Packages of the SBOMs matching a denied-package rule. A package without version matches any range (fail closed). */
export function findDeniedPackages(
  documents: readonly SbomDocument[],
  policy: SbomPolicy,
): DeniedPackageEvidence[] {
  const rules = policy.deniedPackages.map((rule) => ({ rule, range: parseVersionRange(rule.versions) }));
  const found: DeniedPackageEvidence[] = [];
  const seen = new Set<string>();
  for (const doc of documents) {
    for (const pkg of doc.packages) {
      for (const { rule, range } of rules) {
        if (!nameMatches(rule, pkg)) continue;
        if (rule.type !== undefined && pkg.type !== rule.type) continue;
        const versionUnknown = pkg.version === undefined && range.alternatives.length > 0;
        if (!versionUnknown && !satisfies(range, pkg.version)) continue;
        const key = `${pkg.name}\u0000${pkg.version ?? ''}\u0000${rule.name}\u0000${rule.versions}`;
        if (seen.has(key)) continue;
        seen.add(key);
        found.push({
          name: pkg.name,
          ...(pkg.version === undefined ? {} : { version: pkg.version }),
          ...(pkg.purl === undefined ? {} : { purl: pkg.purl }),
          rule: {
            name: rule.name,
            versions: rule.versions,
            ...(rule.type === undefined ? {} : { type: rule.type }),
            ...(rule.reason === undefined ? {} : { reason: rule.reason }),
          },
          ...(versionUnknown ? { versionUnknown: true } : {}),
        });
      }
    }
  }
  return found;
}

/** Packages whose license (concluded or declared) is denied under SPDX expression semantics. */
export function findDeniedLicenses(
  documents: readonly SbomDocument[],
  policy: SbomPolicy,
): DeniedLicenseEvidence[] {
  if (policy.deniedLicenses.length === 0) return [];
  const matchers = policy.deniedLicenses.map(licensePatternMatcher);
  const isDenied = (id: string): boolean => matchers.some((m) => m(id));
  const found: DeniedLicenseEvidence[] = [];
  const seen = new Set<string>();
  for (const doc of documents) {
    for (const pkg of doc.packages) {
      pkg.licenses.forEach((license, i) => {
        const expression =
          pkg.licenseKinds[i] === 'name'
            ? { kind: 'license' as const, id: license }
            : parseLicenseExpression(license);
        const matched = deniedLicensesIn(expression, isDenied);
        if (matched.length === 0) return;
        const key = `${pkg.name}\u0000${pkg.version ?? ''}\u0000${license}`;
        if (seen.has(key)) return;
        seen.add(key);
        found.push({
          name: pkg.name,
          ...(pkg.version === undefined ? {} : { version: pkg.version }),
          license,
          matched,
        });
      });
    }
  }
  return found;
}
