import { NotaryError } from '../errors.js';
import { goQuote } from '../trust-store/go-format.js';
import {
  decodePolicyDocument,
  signatureVerificationField,
  stringArrayField,
  stringField,
} from './decode-document.js';
import { TRUST_POLICY_LINK, validateStatements } from './policy-core.js';
import { artifactPathFromReference, validateRegistryScopeFormat } from './registry-scope.js';
import type { StrictJsonLimits } from './strict-json.js';
import type { ApplicableTrustPolicy, TrustPolicyDocument, TrustPolicyStatement } from './types.js';
import { resolveVerificationLevel, resolveVerifyTimestamp } from './verification-level.js';

const SUPPORTED_VERSIONS = ['1.0'];
const WILDCARD = '*';

const STATEMENT_FIELDS = [
  'name',
  'registryScopes',
  'signatureVerification',
  'trustStores',
  'trustedIdentities',
];

/**
 * Parses and validates an OCI trust policy document (`trustpolicy.json` / `trustpolicy.oci.json`,
 * version 1.0). Strict: duplicate keys, unknown fields, wrong types, oversized or too deeply
 * nested documents are rejected as `malformed trust policy…`; rule violations get notation's
 * exact messages. Throws NotaryError('TRUST_POLICY_INVALID').
 */
export function parseOciTrustPolicy(
  input: string | Uint8Array,
  limits?: StrictJsonLimits,
): TrustPolicyDocument {
  const doc: TrustPolicyDocument = decodePolicyDocument(
    input,
    limits,
    STATEMENT_FIELDS,
    (s, path): TrustPolicyStatement => ({
      name: stringField(s, 'name', path),
      registryScopes: stringArrayField(s, 'registryScopes', path),
      signatureVerification: signatureVerificationField(s, path),
      trustStores: stringArrayField(s, 'trustStores', path),
      trustedIdentities: stringArrayField(s, 'trustedIdentities', path),
    }),
  );
  validateOciTrustPolicy(doc);
  return doc;
}

/** notation's `OCIDocument.Validate`, for documents built in code. Throws NotaryError('TRUST_POLICY_INVALID'). */
export function validateOciTrustPolicy(doc: TrustPolicyDocument): void {
  try {
    validate(doc);
  } catch (e) {
    if (e instanceof NotaryError) throw e;
    throw new NotaryError('TRUST_POLICY_INVALID', (e as Error).message, { cause: e });
  }
}

function validate(doc: TrustPolicyDocument): void {
  if (doc.version === '')
    throw new Error('oci trust policy document has empty version, version must be specified');
  if (!SUPPORTED_VERSIONS.includes(doc.version)) {
    throw new Error(`oci trust policy document uses unsupported version ${goQuote(doc.version)}`);
  }
  if (doc.trustPolicies.length === 0)
    throw new Error('oci trust policy document can not have zero trust policy statements');
  validateStatements('oci', doc.trustPolicies);
  const scopeCount = new Map<string, number>();
  for (const s of doc.trustPolicies) {
    if (s.registryScopes.length === 0) {
      throw new Error(
        `oci trust policy statement ${goQuote(s.name)} has zero registry scopes, it must specify registry scopes with at least one value`,
      );
    }
    if (s.registryScopes.length > 1 && s.registryScopes.includes(WILDCARD)) {
      throw new Error(
        `oci trust policy statement ${goQuote(s.name)} uses wildcard registry scope '*', a wildcard scope cannot be used in conjunction with other scope values`,
      );
    }
    for (const scope of s.registryScopes) {
      if (scope !== WILDCARD) validateRegistryScopeFormat(scope);
      scopeCount.set(scope, (scopeCount.get(scope) ?? 0) + 1);
    }
  }
  for (const [scope, count] of scopeCount) {
    if (count > 1) {
      throw new Error(
        `registry scope ${goQuote(scope)} is present in multiple oci trust policy statements, one registry scope value can only be associated with one statement`,
      );
    }
  }
}

/** The statement of a validated document that applies to `domain/repo@digest`. */
export function findApplicableStatement(
  doc: TrustPolicyDocument,
  artifactReference: string,
): TrustPolicyStatement {
  let path: string;
  try {
    path = artifactPathFromReference(artifactReference);
  } catch (e) {
    throw new NotaryError('NO_APPLICABLE_POLICY', (e as Error).message, { cause: e });
  }
  let exact: TrustPolicyStatement | undefined;
  let wildcard: TrustPolicyStatement | undefined;
  for (const s of doc.trustPolicies) {
    if (s.registryScopes.includes(WILDCARD)) wildcard = s;
    else if (s.registryScopes.includes(path)) exact = s;
  }
  const found = exact ?? wildcard;
  if (!found) {
    throw new NotaryError(
      'NO_APPLICABLE_POLICY',
      `artifact ${goQuote(artifactReference)} has no applicable oci trust policy statement. Trust policy applicability for a given artifact is determined by registryScopes. To create a trust policy, see: ${TRUST_POLICY_LINK}`,
    );
  }
  return found;
}

/**
 * notation's `GetApplicableTrustPolicy` plus level resolution: an exact repository scope wins
 * over `*`. Throws NotaryError('NO_APPLICABLE_POLICY') with notation's message when none applies.
 */
export function getApplicableTrustPolicy(
  doc: TrustPolicyDocument,
  artifactReference: string,
): ApplicableTrustPolicy {
  const s = findApplicableStatement(doc, artifactReference);
  return toApplicable(s);
}

export function toApplicable(s: {
  name: string;
  signatureVerification: TrustPolicyStatement['signatureVerification'];
  trustStores: readonly string[];
  trustedIdentities: readonly string[];
}): ApplicableTrustPolicy {
  try {
    return {
      name: s.name,
      verificationLevel: resolveVerificationLevel(s.signatureVerification),
      verifyTimestamp: resolveVerifyTimestamp(s.signatureVerification.verifyTimestamp),
      trustStores: [...s.trustStores],
      trustedIdentities: [...s.trustedIdentities],
    };
  } catch (e) {
    throw new NotaryError(
      'TRUST_POLICY_INVALID',
      `trust policy statement ${goQuote(s.name)} has invalid signatureVerification: ${(e as Error).message}`,
      { cause: e },
    );
  }
}
