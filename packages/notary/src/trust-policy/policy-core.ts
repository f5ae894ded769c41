import { validateTrustedIdentities } from '../identity/trusted-identities.js';
import { goQuote } from '../trust-store/go-format.js';
import { isTrustStoreName, isTrustStoreType } from '../trust-store/store-reference.js';
import type { SignatureVerification, TrustStoreReference } from './types.js';
import { resolveVerificationLevel, resolveVerifyTimestamp } from './verification-level.js';

export const TRUST_POLICY_LINK = 'https://notaryproject.dev/docs/quickstart/#create-a-trust-policy';

export { isTrustStoreType, TRUST_STORE_TYPES } from '../trust-store/store-reference.js';

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
    if (!isTrustStoreName(store)) {
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

/**
 * The per-statement rules OCI and blob documents share, in notation's order: a name no earlier
 * statement used, then `validatePolicyCore` (its message prefixed `<kind> trust policy: `), then
 * `more` (the document's own rules for that statement). Throws Error with notation's message.
 */
export function validateStatements<
  S extends {
    name: string;
    signatureVerification: SignatureVerification;
    trustStores: readonly string[];
    trustedIdentities: readonly string[];
  },
>(kind: 'oci' | 'blob', statements: readonly S[], more?: (statement: S) => void): void {
  const names = new Set<string>();
  for (const s of statements) {
    if (names.has(s.name)) {
      throw new Error(
        `multiple ${kind} trust policy statements use the same name ${goQuote(s.name)}, statement names must be unique`,
      );
    }
    try {
      validatePolicyCore(s.name, s.signatureVerification, s.trustStores, s.trustedIdentities);
    } catch (e) {
      throw new Error(`${kind} trust policy: ${(e as Error).message}`, { cause: e });
    }
    more?.(s);
    names.add(s.name);
  }
}
