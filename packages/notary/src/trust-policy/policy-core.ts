import { validateTrustedIdentities } from '../identity/trusted-identities.js';
import { goQuote } from '../trust-store/go-format.js';
import type { TrustStoreType } from '../types.js';
import type { SignatureVerification, TrustStoreReference } from './types.js';
import { resolveVerificationLevel, resolveVerifyTimestamp } from './verification-level.js';

export const TRUST_POLICY_LINK = 'https://notaryproject.dev/docs/quickstart/#create-a-trust-policy';

export const TRUST_STORE_TYPES: readonly TrustStoreType[] = ['ca', 'signingAuthority', 'tsa'];

const STORE_NAME = /^[a-zA-Z0-9_.-]+$/;

export function isTrustStoreType(s: string): s is TrustStoreType {
  return (TRUST_STORE_TYPES as readonly string[]).includes(s);
}

/** notation's `validateTrustStore` over a statement's `trustStores`. */
export function validateTrustStoreValues(
  statementName: string,
  trustStores: readonly string[],
): TrustStoreReference[] {
  const name = goQuote(statementName);
  return trustStores.map((value) => {
    const sep = value.indexOf(':');
    if (sep < 0) {
      throw new Error(
        `trust policy statement ${name} has malformed trust store value ${goQuote(value)}. The required format is <TrustStoreType>:<TrustStoreName>`,
      );
    }
    const type = value.slice(0, sep);
    const store = value.slice(sep + 1);
    if (!isTrustStoreType(type)) {
      throw new Error(
        `trust policy statement ${name} uses an unsupported trust store type ${goQuote(type)} in trust store value ${goQuote(value)}`,
      );
    }
    if (!STORE_NAME.test(store)) {
      throw new Error(
        `trust policy statement ${name} uses an unsupported trust store name ${goQuote(store)} in trust store value ${goQuote(value)}. Named store name needs to follow [a-zA-Z0-9_.-]+ format`,
      );
    }
    return { type, name: store };
  });
}

/**
 * notation's `validatePolicyCore`, shared by OCI and blob statements: a name, a valid
 * `signatureVerification`, and (unless the level is `skip`) trust stores and identities.
 */
export function validatePolicyCore(
  statementName: string,
  sv: SignatureVerification,
  trustStores: readonly string[],
  trustedIdentities: readonly string[],
): void {
  if (statementName === '')
    throw new Error('a trust policy statement is missing a name, every statement requires a name');
  const name = goQuote(statementName);
  let level;
  try {
    level = resolveVerificationLevel(sv);
    resolveVerifyTimestamp(sv.verifyTimestamp);
  } catch (e) {
    throw new Error(
      `trust policy statement ${name} has invalid signatureVerification: ${(e as Error).message}`,
      { cause: e },
    );
  }
  if (level.name === 'skip') {
    if (trustStores.length > 0 || trustedIdentities.length > 0) {
      throw new Error(
        `trust policy statement ${name} is set to skip signature verification but configured with trust stores and/or trusted identities, remove them if signature verification needs to be skipped`,
      );
    }
    return;
  }
  if (trustStores.length === 0 || trustedIdentities.length === 0) {
    throw new Error(
      `trust policy statement ${name} is either missing trust stores or trusted identities, both must be specified`,
    );
  }
  validateTrustStoreValues(statementName, trustStores);
  validateTrustedIdentities(statementName, trustedIdentities);
}
