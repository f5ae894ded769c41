import { describe, expect, it } from 'vitest';
import { VersionRangeSyntaxError, compareVersions, parseVersionRange, satisfies } from './version-range.js';

describe('comparing versions', () => {
  it.each([
    ['1.2.3', '1.2.10', -1],
    ['1.0.0-alpha', '1.0.0-alpha.1', -1],
    ['1.0.0-alpha.1', '1.0.0-beta', -1],
    ['1.0.0-beta', '1.0.0-rc.1', -1],
    ['1.0.0-rc.1', '1.0.0', -1],
    ['1.0.0', '1.0.0', 0],
    ['v1.2.3', '1.2.3', 0],
    ['1.2.3-r4', '1.2.3', 1],
    ['1.35.0-r29', '1.35.0-r3', 1],
    ['2.0.5-1+deb10u1', '2.0.5-1', 1],
    ['1.0~rc1', '1.0', -1],
    ['1:1.0', '2.0', 1],
    ['1.0-SNAPSHOT', '1.0', -1],
    ['2.17.1', '2.17.0', 1],
    ['4.2.46-31.el7', '4.2.46-34.el7', -1],
    ['1.1.1c-r0', '1.1.1d-r0', -1],
    ['20220614-r4', '20220614-r4', 0],
  ])('%s vs %s is %i', (a, b, expected) => {
    expect(Math.sign(compareVersions(a, b))).toBe(expected);
    expect(Math.sign(compareVersions(b, a))).toBe(expected === 0 ? 0 : -expected);
  });
});

describe('version ranges', () => {
  it('treats * and the empty range as every version', () => {
    expect(satisfies(parseVersionRange('*'), '0.0.1')).toBe(true);
    expect(satisfies(parseVersionRange(''), undefined)).toBe(true);
  });

  it('requires every comparator of an alternative', () => {
    const range = parseVersionRange('>=2.0.0 <2.17.1');
    expect(satisfies(range, '2.14.1')).toBe(true);
    expect(satisfies(range, '2.17.1')).toBe(false);
    expect(satisfies(range, '1.2.17')).toBe(false);
  });

  it('accepts any alternative', () => {
    const range = parseVersionRange('>=2.0.0 <2.17.1 || =1.2.3');
    expect(satisfies(range, '1.2.3')).toBe(true);
    expect(satisfies(range, '1.2.4')).toBe(false);
  });

  it('reads a bare version as equality and tolerates a space after the operator', () => {
    expect(satisfies(parseVersionRange('1.2.13-r0'), '1.2.13-r0')).toBe(true);
    expect(satisfies(parseVersionRange('< 1.2.13'), '1.2.12')).toBe(true);
    expect(satisfies(parseVersionRange('!=1.0'), '1.0')).toBe(false);
  });

  it('puts an unknown version in no bounded range', () => {
    expect(satisfies(parseVersionRange('<2.0'), undefined)).toBe(false);
  });

  it.each(['>=2.0 <<2.17', '>= ', '1.0 ||', '<>1.0'])('rejects %j naming the bad part', (text) => {
    expect(() => parseVersionRange(text)).toThrow(VersionRangeSyntaxError);
  });
});
