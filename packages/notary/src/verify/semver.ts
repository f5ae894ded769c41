/** Semantic Versioning 2.0.0 parsing and precedence (as golang.org/x/mod/semver compares). */

const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

interface Parsed {
  core: [bigint, bigint, bigint];
  pre: string[];
}

function parse(v: string): Parsed | undefined {
  const m = SEMVER.exec(v);
  if (m === null) return undefined;
  return {
    core: [BigInt(m[1] ?? '0'), BigInt(m[2] ?? '0'), BigInt(m[3] ?? '0')],
    pre: m[4] === undefined ? [] : m[4].split('.'),
  };
}

export function isValidSemver(v: string): boolean {
  return parse(v) !== undefined;
}

/** -1, 0 or 1; build metadata is ignored. Throws on an invalid version. */
export function compareSemver(a: string, b: string): number {
  const pa = parse(a);
  const pb = parse(b);
  if (pa === undefined || pb === undefined) throw new Error(`invalid semantic version ${pa ? b : a}`);
  for (let i = 0; i < 3; i++) {
    const x = pa.core[i] ?? 0n;
    const y = pb.core[i] ?? 0n;
    if (x !== y) return x < y ? -1 : 1;
  }
  if (pa.pre.length === 0 || pb.pre.length === 0) {
    return pa.pre.length === pb.pre.length ? 0 : pa.pre.length === 0 ? 1 : -1;
  }
  for (let i = 0; i < Math.max(pa.pre.length, pb.pre.length); i++) {
    const x = pa.pre[i];
    const y = pb.pre[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    const xn = /^\d+$/.test(x);
    const yn = /^\d+$/.test(y);
    if (xn && yn) return BigInt(x) < BigInt(y) ? -1 : 1;
    if (xn !== yn) return xn ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return 0;
}
