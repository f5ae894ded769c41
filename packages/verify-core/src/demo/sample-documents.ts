/**
 * The demo's SBOM and scan reports. Synthetic (the sample image is synthetic), in the real
 * formats the rules read: SPDX 2.3 JSON as Syft writes it, and Trivy's JSON report
 * (SchemaVersion 2) bound to the image by its config digest. The CVE ids are fictional
 * (CVE-2099-…), as in the policy example.
 */

export interface DemoPackage {
  name: string;
  version: string;
  license: string;
}

export const DEMO_PACKAGES: readonly DemoPackage[] = [
  { name: 'demo-app', version: '1.0.0', license: 'Apache-2.0' },
  { name: 'musl', version: '1.2.5-r0', license: 'MIT' },
  { name: 'zlib', version: '1.3.1-r1', license: 'Zlib' },
  { name: 'libcrypto3', version: '3.3.2-r0', license: 'Apache-2.0' },
];

export function demoSpdx(imageName: string, created: string): Uint8Array {
  const document = {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: imageName,
    documentNamespace: `https://scs.dev/demo/${encodeURIComponent(imageName)}`,
    creationInfo: { creators: ['Organization: scs', 'Tool: scs-demo-0.1.0'], created },
    packages: DEMO_PACKAGES.map((p, i) => ({
      name: p.name,
      SPDXID: `SPDXRef-Package-${i}`,
      versionInfo: p.version,
      downloadLocation: 'NOASSERTION',
      licenseConcluded: p.license,
      licenseDeclared: p.license,
      externalRefs: [
        {
          referenceCategory: 'PACKAGE-MANAGER',
          referenceType: 'purl',
          referenceLocator: `pkg:apk/alpine/${p.name}@${p.version}`,
        },
      ],
    })),
  };
  return new TextEncoder().encode(JSON.stringify(document, null, 2));
}

export interface DemoFinding {
  id: string;
  severity: 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';
  pkg: string;
  installed: string;
  fixed?: string;
  title: string;
}

export function demoTrivyReport(
  imageName: string,
  configDigest: string,
  created: string,
  findings: readonly DemoFinding[],
): Uint8Array {
  const report = {
    SchemaVersion: 2,
    Trivy: { Version: 'scs-demo' },
    CreatedAt: created,
    ArtifactName: imageName,
    ArtifactType: 'container_image',
    Metadata: { OS: { Family: 'alpine', Name: '3.20.3' }, ImageID: configDigest },
    Results: [
      {
        Target: `${imageName} (alpine 3.20.3)`,
        Class: 'os-pkgs',
        Type: 'alpine',
        Vulnerabilities: findings.map((f) => ({
          VulnerabilityID: f.id,
          PkgName: f.pkg,
          InstalledVersion: f.installed,
          ...(f.fixed === undefined ? {} : { FixedVersion: f.fixed }),
          Status: f.fixed === undefined ? 'affected' : 'fixed',
          Severity: f.severity,
          Title: f.title,
        })),
      },
    ],
  };
  return new TextEncoder().encode(JSON.stringify(report, null, 2));
}
