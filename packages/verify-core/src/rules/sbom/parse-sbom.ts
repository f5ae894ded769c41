import { VerifyCoreError } from '../../errors.js';
import type { SbomFormat } from '../../policy/types.js';
import type { SbomDocument, SbomPackage } from './sbom-document.js';
import { purlType } from './sbom-document.js';

/** SBOM artifact types (referrer `artifactType`) and the formats they announce. */
export const SBOM_ARTIFACT_TYPES: Readonly<Record<string, SbomFormat>> = {
  'application/spdx+json': 'spdx',
  'application/vnd.cyclonedx+json': 'cyclonedx',
};

type Json = Record<string, unknown>;

function malformed(format: string, detail: string): VerifyCoreError {
  return new VerifyCoreError('SBOM_MALFORMED', `the attached ${format} SBOM ${detail}`);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function parseJson(bytes: Uint8Array, format: string): Json {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw new VerifyCoreError('SBOM_MALFORMED', `the attached ${format} SBOM is not JSON`, { cause: error });
  }
  if (!isObject(value)) throw malformed(format, 'is not a JSON object');
  return value;
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
    if (!isObject(raw) || typeof raw.name !== 'string')
      throw malformed('SPDX', `has a package (#${i + 1}) without a name`);
    const licenses: string[] = [];
    for (const field of [raw.licenseConcluded, raw.licenseDeclared]) {
      if (typeof field === 'string' && !NO_LICENSE.has(field.trim()) && !licenses.includes(field.trim())) {
        licenses.push(field.trim());
      }
    }
    const refs = Array.isArray(raw.externalRefs) ? raw.externalRefs : [];
    const purlRef = refs.find((r: unknown) => isObject(r) && r.referenceType === 'purl') as Json | undefined;
    const purl = optionalString(purlRef?.referenceLocator);
    const version = optionalString(raw.versionInfo);
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
  const creation = isObject(doc.creationInfo) ? doc.creationInfo : {};
  const creators = Array.isArray(creation.creators)
    ? creation.creators.filter((c): c is string => typeof c === 'string')
    : [];
  const name = optionalString(doc.name);
  const created = optionalString(creation.created);
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
    if (!isObject(entry)) continue;
    const expression = optionalString(entry.expression);
    if (expression !== undefined) {
      licenses.push(expression);
      kinds.push('expression');
      continue;
    }
    const license = isObject(entry.license) ? entry.license : undefined;
    const id = optionalString(license?.id);
    const name = optionalString(license?.name);
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
    if (!isObject(component) || typeof component.name !== 'string') {
      throw malformed('CycloneDX', 'has a component without a name');
    }
    const { licenses, kinds } = cycloneDxLicenses(component.licenses);
    const version = optionalString(component.version);
    const group = optionalString(component.group);
    const purl = optionalString(component.purl);
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
  const specVersion = optionalString(doc.specVersion);
  if (specVersion === undefined || !/^1\.\d+$/.test(specVersion)) {
    throw malformed(
      'CycloneDX',
      `has specVersion ${JSON.stringify(doc.specVersion)}; CycloneDX 1.x is supported`,
    );
  }
  const packages: SbomPackage[] = [];
  collectComponents(doc.components, packages, 0);
  const metadata = isObject(doc.metadata) ? doc.metadata : {};
  const creators: string[] = [];
  const tools = metadata.tools;
  // 1.5+: { components: [...] }; before: a list of { vendor, name, version }.
  const toolList = Array.isArray(tools)
    ? tools
    : isObject(tools) && Array.isArray(tools.components)
      ? tools.components
      : [];
  for (const tool of toolList) {
    if (isObject(tool) && typeof tool.name === 'string') {
      creators.push(`Tool: ${tool.name}${typeof tool.version === 'string' ? `-${tool.version}` : ''}`);
    }
  }
  const subject = isObject(metadata.component) ? optionalString(metadata.component.name) : undefined;
  const created = optionalString(metadata.timestamp);
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
