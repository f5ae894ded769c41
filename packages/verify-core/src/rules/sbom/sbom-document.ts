/** An SBOM reduced to what the rules read, whatever its format. */

import type { SbomFormat } from '../../policy/types.js';

export interface SbomPackage {
  name: string;
  version?: string;
  /** Maven group / npm scope when the format states it separately. */
  group?: string;
  purl?: string;
  /** The purl type (`npm`, `deb`, …) when a purl is present. */
  type?: string;
  /** License expressions (or plain names) as written; NOASSERTION / NONE are left out. */
  licenses: string[];
  /** Whether each entry of `licenses` is an SPDX expression (parse it) or a free-text name. */
  licenseKinds: ('expression' | 'name')[];
}

export interface SbomDocument {
  format: SbomFormat;
  /** `SPDX-2.3`, `CycloneDX 1.6`. */
  specVersion: string;
  name?: string;
  created?: string;
  /** Tools and organisations that wrote it. */
  creators: string[];
  packages: SbomPackage[];
}

/** The purl type: `pkg:npm/...` → `npm`. */
export function purlType(purl: string | undefined): string | undefined {
  if (purl === undefined) return undefined;
  const match = /^pkg:([A-Za-z0-9.+-]+)\//.exec(purl);
  return match?.[1]?.toLowerCase();
}
