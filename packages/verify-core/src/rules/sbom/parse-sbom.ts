import { VerifyCoreError } from '../../errors.js';
import { type JsonObject, isJsonObject, nonEmptyString, parseJsonObject } from '../json-document.js';
import type { SbomFormat } from '../../policy/types.js';
import type { SbomDocument, SbomPackage } from './sbom-document.js';
import { purlType } from './sbom-document.js';

/** SBOM artifact types (referrer `artifactType`) and the formats they announce. */
export const SBOM_ARTIFACT_TYPES: Readonly<Record<string, SbomFormat>> = {
  'application/spdx+json': 'spdx',
  'application/vnd.cyclonedx+json': 'cyclonedx',
};

function malformed(format: string, detail: string, cause?: unknown): VerifyCoreError {
  return new VerifyCoreError(
    'SBOM_MALFORMED',
    `the attached ${format} SBOM ${detail}`,
    cause === undefined ? undefined : { cause },
  );
}

function parseJson(bytes: Uint8Array, format: string): JsonObject {
  return parseJsonObject(bytes, (detail, cause) => malformed(format, detail, cause));
}

const NO_LICENSE = new Set(['NOASSERTION', 'NONE', '']);

/** SPDX 2.x JSON (`spdxVersion: SPDX-2.x`). */
export function parseSpdx(bytes: Uint8Array): SbomDocument {
  const doc = parseJson(bytes, 'SPDX');
  const version = doc.spdxVersion;
  if (typeof version !== 'string' || !version.startsWith('SPDX-')) {
    throw malformed('SPDX', 'has no spdxVersion; it is not an SPDX JSON document');
  }
  if (!/^SPDX-2\.\d+$/.test(version))
    throw malformed('SPDX', `is ${version}; only SPDX 2.x JSON is supported`);
  const rawPackages = doc.packages ?? [];
  if (!Array.isArray(rawPackages)) throw malformed('SPDX', 'has a "packages" field that is not a list');
  const packages: SbomPackage[] = rawPackages.map((raw: unknown, i) => {
    if (!isJsonObject(raw) || typeof raw.name !== 'string')
      throw malformed('SPDX', `has a package (#${i + 1}) without a name`);
    const licenses: string[] = [];
    for (const field of [raw.licenseConcluded, raw.licenseDeclared]) {
      if (typeof field === 'string' && !NO_LICENSE.has(field.trim()) && !licenses.includes(field.trim())) {
        licenses.push(field.trim());
      }
    }
    const refs = Array.isArray(raw.externalRefs) ? raw.externalRefs : [];
    const purlRef = refs.find((r: unknown) => isJsonObject(r) && r.referenceType === 'purl') as
      JsonObject | undefined;
    const purl = nonEmptyString(purlRef?.referenceLocator);
    const version = nonEmptyString(raw.versionInfo);
    const type = purlType(purl);
    return {
      name: raw.name,
      ...(version === undefined ? {} : { version }),
      ...(purl === undefined ? {} : { purl }),
      ...(type === undefined ? {} : { type }),
      licenses,
      licenseKinds: licenses.map(() => 'expression' as const),
    };
  });
  const creation = isJsonObject(doc.creationInfo) ? doc.creationInfo : {};
  const creators = Array.isArray(creation.creators)
    ? creation.creators.filter((c): c is string => typeof c === 'string')
    : [];
  const name = nonEmptyString(doc.name);
  const created = nonEmptyString(creation.created);
  return {
    format: 'spdx',
    specVersion: version,
    ...(name === undefined ? {} : { name }),
    ...(created === undefined ? {} : { created }),
    creators,
    packages,
  };
}

function cycloneDxLicenses(raw: unknown): { licenses: string[]; kinds: ('expression' | 'name')[] } {
  const licenses: string[] = [];
  const kinds: ('expression' | 'name')[] = [];
  if (!Array.isArray(raw)) return { licenses, kinds };
  for (const entry of raw) {
    if (!isJsonObject(entry)) continue;
    const expression = nonEmptyString(entry.expression);
    if (expression !== undefined) {
      licenses.push(expression);
      kinds.push('expression');
      continue;
    }
    const license = isJsonObject(entry.license) ? entry.license : undefined;
    const id = nonEmptyString(license?.id);
    const name = nonEmptyString(license?.name);
    if (id !== undefined) {
      licenses.push(id);
      kinds.push('expression');
    } else if (name !== undefined && !NO_LICENSE.has(name)) {
      licenses.push(name);
      kinds.push('name');
    }
  }
  return { licenses, kinds };
}

function collectComponents(raw: unknown, out: SbomPackage[], depth: number): void {
  if (raw === undefined) return;
  if (!Array.isArray(raw)) throw malformed('CycloneDX', 'has a "components" field that is not a list');
  if (depth > 32) throw malformed('CycloneDX', 'nests components more than 32 levels deep');
  for (const component of raw) {
    if (!isJsonObject(component) || typeof component.name !== 'string') {
      throw malformed('CycloneDX', 'has a component without a name');
    }
    const { licenses, kinds } = cycloneDxLicenses(component.licenses);
    const version = nonEmptyString(component.version);
    const group = nonEmptyString(component.group);
    const purl = nonEmptyString(component.purl);
    const type = purlType(purl);
    out.push({
      name: component.name,
      ...(version === undefined ? {} : { version }),
      ...(group === undefined ? {} : { group }),
      ...(purl === undefined ? {} : { purl }),
      ...(type === undefined ? {} : { type }),
      licenses,
      licenseKinds: kinds,
    });
    collectComponents(component.components, out, depth + 1);
  }
}

/** CycloneDX JSON (`bomFormat: CycloneDX`), any 1.x spec version. */
export function parseCycloneDx(bytes: Uint8Array): SbomDocument {
  const doc = parseJson(bytes, 'CycloneDX');
  if (doc.bomFormat !== 'CycloneDX')
    throw malformed('CycloneDX', 'has no "bomFormat": "CycloneDX"; it is not a CycloneDX JSON document');
  const specVersion = nonEmptyString(doc.specVersion);
  if (specVersion === undefined || !/^1\.\d+$/.test(specVersion)) {
    throw malformed(
      'CycloneDX',
      `has specVersion ${JSON.stringify(doc.specVersion)}; CycloneDX 1.x is supported`,
    );
  }
  const packages: SbomPackage[] = [];
  collectComponents(doc.components, packages, 0);
  const metadata = isJsonObject(doc.metadata) ? doc.metadata : {};
  const creators: string[] = [];
  const tools = metadata.tools;
  // 1.5+: { components: [...] }; before: a list of { vendor, name, version }.
  const toolList = Array.isArray(tools)
    ? tools
    : isJsonObject(tools) && Array.isArray(tools.components)
      ? tools.components
      : [];
  for (const tool of toolList) {
    if (isJsonObject(tool) && typeof tool.name === 'string') {
      creators.push(`Tool: ${tool.name}${typeof tool.version === 'string' ? `-${tool.version}` : ''}`);
    }
  }
  const subject = isJsonObject(metadata.component) ? nonEmptyString(metadata.component.name) : undefined;
  const created = nonEmptyString(metadata.timestamp);
  return {
    format: 'cyclonedx',
    specVersion: `CycloneDX ${specVersion}`,
    ...(subject === undefined ? {} : { name: subject }),
    ...(created === undefined ? {} : { created }),
    creators,
    packages,
  };
}

/** Parse an SBOM in the format its artifact type announces. Throws `SBOM_MALFORMED`. */
export function parseSbom(format: SbomFormat, bytes: Uint8Array): SbomDocument {
  return format === 'spdx' ? parseSpdx(bytes) : parseCycloneDx(bytes);
}
