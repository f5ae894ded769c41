import { NotaryError } from '../errors.js';
import type { TrustStoreType } from '../types.js';

/** The trust store types notation knows (`x509/<type>/<name>`). */
export const TRUST_STORE_TYPES: readonly TrustStoreType[] = ['ca', 'signingAuthority', 'tsa'];

const STORE_NAME = /^[a-zA-Z0-9_.-]+$/;

export function isTrustStoreType(s: string): s is TrustStoreType {
  return (TRUST_STORE_TYPES as readonly string[]).includes(s);
}

/** notation's rule for a named store: `[a-zA-Z0-9_.-]+`. */
export function isTrustStoreName(name: string): boolean {
  return STORE_NAME.test(name);
}

/**
 * The checks a trust store makes on the store it is asked to open, with notation's messages.
 * Throws NotaryError('TRUST_STORE_INVALID').
 */
export function checkStoreReference(type: string, name: string): void {
  if (!isTrustStoreType(type)) {
    throw new NotaryError('TRUST_STORE_INVALID', `unsupported trust store type: ${type}`);
  }
  if (!isTrustStoreName(name)) {
    throw new NotaryError(
      'TRUST_STORE_INVALID',
      `trust store name needs to follow [a-zA-Z0-9_.-]+ format, ${name} is invalid`,
    );
  }
}
