/**
 * SPDX license expressions (`MIT OR Apache-2.0`, `GPL-2.0-only WITH Classpath-exception-2.0`,
 * `(A AND B) OR C`) and the denied-license rule over them.
 */

export type LicenseExpression =
  | { kind: 'license'; id: string }
  | { kind: 'with'; license: LicenseExpression; exception: string }
  | { kind: 'and' | 'or'; left: LicenseExpression; right: LicenseExpression };

class ExpressionSyntaxError extends Error {}

function tokenize(text: string): string[] {
  return text
    .replace(/\(/g, ' ( ')
    .replace(/\)/g, ' ) ')
    .split(/\s+/)
    .filter((t) => t !== '');
}

/**
 * Parse an SPDX expression (operators in either case; AND binds tighter than OR). Text that is
 * not an expression (e.g. `Apache License 2.0`) is read as a single license name.
 */
export function parseLicenseExpression(text: string): LicenseExpression {
  const tokens = tokenize(text);
  let i = 0;
  const peek = (): string | undefined => tokens[i];
  const isOperator = (t: string | undefined, op: string): boolean =>
    t !== undefined && t.toUpperCase() === op;

  const primary = (): LicenseExpression => {
    const token = peek();
    if (token === undefined) throw new ExpressionSyntaxError('unexpected end');
    if (token === '(') {
      i++;
      const inner = orExpression();
      if (peek() !== ')') throw new ExpressionSyntaxError('missing )');
      i++;
      return inner;
    }
    if (token === ')' || ['AND', 'OR', 'WITH'].includes(token.toUpperCase())) {
      throw new ExpressionSyntaxError(`unexpected ${token}`);
    }
    i++;
    let license: LicenseExpression = { kind: 'license', id: token };
    if (isOperator(peek(), 'WITH')) {
      i++;
      const exception = peek();
      if (exception === undefined || exception === '(' || exception === ')')
        throw new ExpressionSyntaxError('WITH needs an exception');
      i++;
      license = { kind: 'with', license, exception };
    }
    return license;
  };
  const andExpression = (): LicenseExpression => {
    let left = primary();
    while (isOperator(peek(), 'AND')) {
      i++;
      left = { kind: 'and', left, right: primary() };
    }
    return left;
  };
  const orExpression = (): LicenseExpression => {
    let left = andExpression();
    while (isOperator(peek(), 'OR')) {
      i++;
      left = { kind: 'or', left, right: andExpression() };
    }
    return left;
  };

  try {
    const expression = orExpression();
    if (i !== tokens.length) throw new ExpressionSyntaxError('trailing text');
    return expression;
  } catch (error) {
    if (error instanceof ExpressionSyntaxError) return { kind: 'license', id: text.trim() };
    throw error;
  }
}

/** A denied-license pattern: case-insensitive, `*` matches any run of characters. */
export function licensePatternMatcher(pattern: string): (id: string) => boolean {
  const escaped = pattern
    .trim()
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  const regex = new RegExp(`^${escaped}$`, 'i');
  return (id) => regex.test(id);
}

/**
 * The denied license ids that make `expression` denied, or an empty list when it is allowed:
 * `A AND B` is denied when either side is, `A OR B` only when both are (the user may choose
 * the allowed one), `A WITH exception` when `A` is.
 */
export function deniedLicensesIn(expression: LicenseExpression, isDenied: (id: string) => boolean): string[] {
  switch (expression.kind) {
    case 'license':
      return isDenied(expression.id) ? [expression.id] : [];
    case 'with':
      return deniedLicensesIn(expression.license, isDenied);
    case 'and': {
      const found = [
        ...deniedLicensesIn(expression.left, isDenied),
        ...deniedLicensesIn(expression.right, isDenied),
      ];
      return [...new Set(found)];
    }
    case 'or': {
      const left = deniedLicensesIn(expression.left, isDenied);
      const right = deniedLicensesIn(expression.right, isDenied);
      return left.length > 0 && right.length > 0 ? [...new Set([...left, ...right])] : [];
    }
  }
}
