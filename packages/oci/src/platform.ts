import { OciError } from './errors.js';
import { isManifestMediaType } from './manifest.js';
import type { Descriptor, ImageIndex, Platform } from './types.js';

/** Architecture names other tools use (uname, Debian), as the OCI/Go names they mean. */
const ARCHITECTURE_ALIASES: Readonly<Record<string, { architecture: string; variant?: string }>> = {
  x86_64: { architecture: 'amd64' },
  'x86-64': { architecture: 'amd64' },
  aarch64: { architecture: 'arm64' },
  armhf: { architecture: 'arm', variant: 'v7' },
  armel: { architecture: 'arm', variant: 'v6' },
  i386: { architecture: '386' },
};

/** The variant an architecture means when none is written (containerd's normalisation). */
const DEFAULT_VARIANTS: Readonly<Record<string, string>> = { arm64: 'v8', arm: 'v7', amd64: 'v1' };

/**
 * A platform in canonical form: os and architecture lowercased, aliases resolved
 * (`x86_64` -> `amd64`, `aarch64` -> `arm64`, `armhf` -> `arm/v7`), the default variant of the
 * architecture written out (`arm64` -> `v8`, `arm` -> `v7`, `amd64` -> `v1`).
 */
export function normalisePlatform(platform: Platform): Platform {
  const os = platform.os.toLowerCase();
  const alias = ARCHITECTURE_ALIASES[platform.architecture.toLowerCase()];
  const architecture = alias?.architecture ?? platform.architecture.toLowerCase();
  const variant = platform.variant?.toLowerCase() ?? alias?.variant ?? DEFAULT_VARIANTS[architecture];
  const result: Platform = { ...platform, os, architecture };
  if (variant === undefined) delete result.variant;
  else result.variant = variant;
  return result;
}

/**
 * Whether `candidate` is `wanted`: same os and architecture; the same variant when one is asked
 * for (`linux/arm64` and `linux/arm64/v8` are the same platform); the same `os.version` when
 * one is asked for.
 */
export function platformMatches(candidate: Platform | undefined, wanted: Platform): boolean {
  if (candidate === undefined) return false;
  const have = normalisePlatform(candidate);
  const want = normalisePlatform(wanted);
  if (have.os !== want.os || have.architecture !== want.architecture) return false;
  if (wanted.variant !== undefined && have.variant !== want.variant) return false;
  if (wanted['os.version'] !== undefined && candidate['os.version'] !== wanted['os.version']) return false;
  return true;
}

/**
 * Pick the manifest for `platform` from an index. Entries must match os and architecture (and the
 * variant and os.version when asked for). When no variant is asked for and several entries match,
 * the one of the architecture's default variant wins (`linux/arm` takes `arm/v7` over `arm/v6`,
 * whatever the order), else the first. Throws `NOT_FOUND` listing the platforms the index has.
 */
export function selectPlatform(index: ImageIndex, platform: Platform, what: string): Descriptor {
  const matches = index.manifests.filter(
    (m) => isManifestMediaType(m.mediaType) && platformMatches(m.platform, platform),
  );
  const wantedVariant = normalisePlatform(platform).variant;
  const preferred =
    platform.variant === undefined && wantedVariant !== undefined
      ? matches.find(
          (m) => m.platform !== undefined && normalisePlatform(m.platform).variant === wantedVariant,
        )
      : undefined;
  const match = preferred ?? matches[0];
  if (match !== undefined) return match;
  const available = index.manifests
    .map((m) => m.platform)
    .filter((p): p is Platform => p !== undefined)
    .map(formatPlatform);
  throw new OciError(
    'NOT_FOUND',
    `${what} has no manifest for platform ${formatPlatform(platform)}; it has: ${available.length > 0 ? available.join(', ') : 'no platform entries'}`,
  );
}

export function formatPlatform(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter((p) => p !== undefined).join('/');
}

/** Parse `os/arch[/variant]`, e.g. `linux/arm64/v8` (lowercased; aliases are resolved when matching). */
export function parsePlatform(text: string): Platform {
  const parts = text.toLowerCase().split('/');
  const [os, architecture, variant] = parts;
  if (parts.length < 2 || parts.length > 3 || !os || !architecture || (parts.length === 3 && !variant)) {
    throw new OciError(
      'CONFIG_INVALID',
      `invalid platform "${text}": expected os/architecture[/variant], e.g. linux/amd64 or linux/arm64/v8`,
    );
  }
  return variant === undefined ? { os, architecture } : { os, architecture, variant };
}
