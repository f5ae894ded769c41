/**
 * Versions and version ranges for denied-package rules.
 *
 * SBOMs mix ecosystems (semver, Debian `2.0.5-1+deb10u1`, Alpine `1.2.3-r4`, RPM `4.2.46-31.el7`,
 * Maven `1.0-SNAPSHOT`), so the comparison is ecosystem-agnostic and documented:
 *
 * - an optional epoch `N:` is compared first;
 * - the rest is split into runs of digits (compared as numbers) and runs of letters (compared
 *   case-insensitively); every other character only separates;
 * - pre-release words (`dev` < `alpha`/`a` < `beta`/`b` < `milestone`/`m` < `rc`/`cr`/`pre`/`preview`
 *   < `snapshot`) sort before the release they qualify: `1.0.0-rc.1 < 1.0.0`, as in semver;
 * - any other suffix sorts after the release: `1.2.3-r4 > 1.2.3`, `2.0.5-1+deb10u1 > 2.0.5-1`;
 * - `~` sorts before everything, even the end of the version: `1.0~rc1 < 1.0` (Debian).
 *
 * For semver versions without build metadata this agrees with semver precedence.
 */

type Token = { kind: 'number'; value: bigint } | { kind: 'word'; value: string } | { kind: 'tilde' };

const PRERELEASE_RANK: Readonly<Record<string, number>> = {
  dev: 0,
  alpha: 1,
  a: 1,
  beta: 2,
  b: 2,
  milestone: 3,
  m: 3,
  rc: 4,
  cr: 4,
  pre: 4,
  preview: 4,
  snapshot: 5,
};

function tokenize(version: string): { epoch: bigint; tokens: Token[] } {
  let rest = version.trim();
  let epoch = 0n;
  const epochMatch = /^(\d+):(.+)$/.exec(rest);
  if (epochMatch?.[1] !== undefined && epochMatch[2] !== undefined) {
    epoch = BigInt(epochMatch[1]);
    rest = epochMatch[2];
  }
  // A leading "v" (v1.2.3) is not part of the version.
  if (/^v\d/i.test(rest)) rest = rest.slice(1);
  const tokens: Token[] = [];
  for (const match of rest.matchAll(/(\d+)|([A-Za-z]+)|(~)/g)) {
    if (match[1] !== undefined) tokens.push({ kind: 'number', value: BigInt(match[1]) });
    else if (match[2] !== undefined) tokens.push({ kind: 'word', value: match[2].toLowerCase() });
    else tokens.push({ kind: 'tilde' });
  }
  return { epoch, tokens };
}

function isPrerelease(token: Token | undefined): boolean {
  return token?.kind === 'word' && PRERELEASE_RANK[token.value] !== undefined;
}

/** How a version that continues compares with one that has ended. */
function compareWithEnd(next: Token): number {
  if (next.kind === 'tilde' || isPrerelease(next)) return -1;
  return 1;
}

function compareTokens(a: Token, b: Token): number {
  if (a.kind === 'tilde' || b.kind === 'tilde') {
    if (a.kind === b.kind) return 0;
    return a.kind === 'tilde' ? -1 : 1;
  }
  if (a.kind === 'number' && b.kind === 'number') return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  if (a.kind === 'word' && b.kind === 'word') {
    const ra = PRERELEASE_RANK[a.value];
    const rb = PRERELEASE_RANK[b.value];
    if (ra !== undefined && rb !== undefined) return ra === rb ? 0 : ra < rb ? -1 : 1;
    if (ra !== undefined) return -1;
    if (rb !== undefined) return 1;
    return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  }
  // A word against a number: the word sorts first (1.0.a < 1.0.1; 1.0-rc1 < 1.0.1).
  return a.kind === 'word' ? -1 : 1;
}

/** Negative, zero or positive as `a` is older than, equal to or newer than `b`. */
export function compareVersions(a: string, b: string): number {
  const ta = tokenize(a);
  const tb = tokenize(b);
  if (ta.epoch !== tb.epoch) return ta.epoch < tb.epoch ? -1 : 1;
  const n = Math.max(ta.tokens.length, tb.tokens.length);
  for (let i = 0; i < n; i++) {
    const x = ta.tokens[i];
    const y = tb.tokens[i];
    if (x === undefined && y === undefined) return 0;
    if (x === undefined) return y === undefined ? 0 : -compareWithEnd(y);
    if (y === undefined) return compareWithEnd(x);
    const c = compareTokens(x, y);
    if (c !== 0) return c;
  }
  return 0;
}

export type ComparatorOperator = '<' | '<=' | '>' | '>=' | '=' | '!=';

export interface Comparator {
  operator: ComparatorOperator;
  version: string;
}

/** Alternatives (any may hold), each a list of comparators (all must hold). Empty: every version. */
export interface VersionRange {
  source: string;
  alternatives: Comparator[][];
}

/** Thrown text of a range that cannot be parsed: what is wrong, for the policy error. */
export class VersionRangeSyntaxError extends Error {
  override readonly name = 'VersionRangeSyntaxError';
}

/**
 * Parse `>=2.0.0 <2.17.1 || =1.2.3`. A bare version means `=`. `*` (or an empty string) is every
 * version. Throws `VersionRangeSyntaxError` naming the bad part.
 */
export function parseVersionRange(source: string): VersionRange {
  const text = source.trim();
  if (text === '' || text === '*') return { source, alternatives: [] };
  const alternatives: Comparator[][] = [];
  for (const part of text.split('||')) {
    const comparators: Comparator[] = [];
    // Allow "<= 1.2" as well as "<=1.2".
    const words = part
      .trim()
      .replace(/(<=|>=|!=|<|>|=)\s+/g, '$1')
      .split(/\s+/)
      .filter((w) => w !== '');
    if (words.length === 0)
      throw new VersionRangeSyntaxError(`"${source}" has an empty alternative around "||"`);
    for (const word of words) {
      const match = /^(<=|>=|!=|<|>|=)?(.+)$/.exec(word);
      const version = match?.[2];
      if (version === undefined || !/[0-9A-Za-z]/.test(version) || /[<>=!|]/.test(version)) {
        throw new VersionRangeSyntaxError(
          `"${word}" in "${source}" is not a comparator such as <2.17.1 or >=1.0`,
        );
      }
      comparators.push({ operator: (match?.[1] ?? '=') as ComparatorOperator, version });
    }
    alternatives.push(comparators);
  }
  return { source, alternatives };
}

function holds(comparator: Comparator, version: string): boolean {
  const c = compareVersions(version, comparator.version);
  switch (comparator.operator) {
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
    case '=':
      return c === 0;
    case '!=':
      return c !== 0;
  }
}

/** Whether `version` is in the range. An absent version is in no range but `*` (callers decide what that means). */
export function satisfies(range: VersionRange, version: string | undefined): boolean {
  if (range.alternatives.length === 0) return true;
  if (version === undefined || version.trim() === '') return false;
  return range.alternatives.some((all) => all.every((comparator) => holds(comparator, version)));
}
