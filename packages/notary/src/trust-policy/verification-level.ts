import { goQuote, goQuoteStrings } from '../trust-store/go-format.js';
import type { ValidationAction, ValidationType, VerificationLevel, VerificationLevelName } from '../types.js';
import type { SignatureVerification, VerifyTimestampOption } from './types.js';

/** The validation types in the order notation lists (and runs) them. */
export const VALIDATION_TYPES: readonly ValidationType[] = [
  'integrity',
  'authenticity',
  'authenticTimestamp',
  'expiry',
  'revocation',
];
export const VALIDATION_ACTIONS: readonly ValidationAction[] = ['enforce', 'log', 'skip'];

type Enforcement = Record<ValidationType, ValidationAction>;

const LEVELS: Record<VerificationLevelName, Enforcement> = {
  strict: {
    integrity: 'enforce',
    authenticity: 'enforce',
    authenticTimestamp: 'enforce',
    expiry: 'enforce',
    revocation: 'enforce',
  },
  permissive: {
    integrity: 'enforce',
    authenticity: 'enforce',
    authenticTimestamp: 'log',
    expiry: 'log',
    revocation: 'log',
  },
  audit: {
    integrity: 'enforce',
    authenticity: 'log',
    authenticTimestamp: 'log',
    expiry: 'log',
    revocation: 'log',
  },
  skip: {
    integrity: 'skip',
    authenticity: 'skip',
    authenticTimestamp: 'skip',
    expiry: 'skip',
    revocation: 'skip',
  },
};

function isLevelName(s: string): s is VerificationLevelName {
  return Object.hasOwn(LEVELS, s);
}

/** The preset level (a fresh copy). */
export function verificationLevel(name: VerificationLevelName): VerificationLevel {
  return { name, enforcement: { ...LEVELS[name] } };
}

/**
 * notation's `GetVerificationLevel`: the preset named by `level` with `override` applied.
 * `integrity` cannot be overridden; only `revocation` may be skipped; `skip` cannot be customised.
 * Throws a plain Error with notation's message (callers add the statement context).
 */
export function resolveVerificationLevel(sv: SignatureVerification): VerificationLevel {
  if (sv.level === '')
    throw new Error('signature verification level is empty or missing in the trust policy statement');
  if (!isLevelName(sv.level)) throw new Error(`invalid signature verification level ${goQuote(sv.level)}`);
  const base = verificationLevel(sv.level);
  const override = Object.entries(sv.override ?? {});
  if (override.length === 0) return base;
  if (sv.level === 'skip') {
    throw new Error(
      `signature verification level ${goQuote(sv.level)} can't be used to customize signature verification`,
    );
  }
  for (const [key, value] of override) {
    const type = VALIDATION_TYPES.find((t) => t === key);
    if (!type) {
      throw new Error(
        `verification type ${goQuote(key)} in custom signature verification is not supported, supported values are ${goQuoteStrings(VALIDATION_TYPES)}`,
      );
    }
    const action = VALIDATION_ACTIONS.find((a) => a === value);
    if (!action) {
      throw new Error(
        `verification action ${goQuote(value)} in custom signature verification is not supported, supported values are ${goQuoteStrings(VALIDATION_ACTIONS)}`,
      );
    }
    if (type === 'integrity') {
      throw new Error(`${goQuote(key)} verification can not be overridden in custom signature verification`);
    }
    if (type !== 'revocation' && action === 'skip') {
      throw new Error(`${goQuote(key)} verification can not be skipped in custom signature verification`);
    }
    base.enforcement[type] = action;
  }
  return base;
}

/** `verifyTimestamp`: empty means `always`. */
export function resolveVerifyTimestamp(value: string | undefined): VerifyTimestampOption {
  if (value === undefined || value === '' || value === 'always') return 'always';
  if (value === 'afterCertExpiry') return 'afterCertExpiry';
  throw new Error(`verifyTimestamp must be "always" or "afterCertExpiry", but got ${goQuote(value)}`);
}
