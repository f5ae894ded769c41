import { describe, expect, it } from 'vitest';
import { deniedLicensesIn, licensePatternMatcher, parseLicenseExpression } from './license-expression.js';

const denying =
  (...patterns: string[]) =>
  (id: string): boolean =>
    patterns.map(licensePatternMatcher).some((m) => m(id));

describe('license expressions', () => {
  it('denies an AND expression when either side is denied', () => {
    expect(
      deniedLicensesIn(parseLicenseExpression('MPL-2.0 AND LicenseRef-AND AND MIT'), denying('MIT')),
    ).toEqual(['MIT']);
  });

  it('denies an OR expression only when every choice is denied', () => {
    const expression = parseLicenseExpression('GPL-3.0-only OR MIT');
    expect(deniedLicensesIn(expression, denying('GPL-3.0*'))).toEqual([]);
    expect(deniedLicensesIn(expression, denying('GPL-3.0*', 'MIT'))).toEqual(['GPL-3.0-only', 'MIT']);
  });

  it('binds AND tighter than OR, and honours parentheses', () => {
    expect(
      deniedLicensesIn(
        parseLicenseExpression('MIT OR Apache-2.0 AND GPL-3.0-only'),
        denying('MIT', 'GPL-3.0-only'),
      ),
    ).toEqual(['MIT', 'GPL-3.0-only']);
    expect(
      deniedLicensesIn(parseLicenseExpression('(MIT OR Apache-2.0) AND GPL-3.0-only'), denying('MIT')),
    ).toEqual([]);
  });

  it('judges A WITH exception by A', () => {
    expect(
      deniedLicensesIn(
        parseLicenseExpression('GPL-2.0-only WITH Classpath-exception-2.0'),
        denying('GPL-2.0-only'),
      ),
    ).toEqual(['GPL-2.0-only']);
  });

  it('reads text that is not an expression as one name', () => {
    expect(parseLicenseExpression('Apache License 2.0 (')).toEqual({
      kind: 'license',
      id: 'Apache License 2.0 (',
    });
  });

  it('matches patterns case-insensitively with * wildcards only', () => {
    const m = licensePatternMatcher('gpl-3.0*');
    expect(m('GPL-3.0-or-later')).toBe(true);
    expect(m('LGPL-3.0-only')).toBe(false);
    expect(licensePatternMatcher('GPL-2.0+')('GPL-2.0+')).toBe(true);
    expect(licensePatternMatcher('GPL-2.0+')('GPL-2.00')).toBe(false);
  });
});
