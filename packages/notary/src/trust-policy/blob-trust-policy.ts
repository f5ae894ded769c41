import { NotaryError } from '../errors.js';
import { goQuote } from '../trust-store/go-format.js';
import {
  booleanField,
  decodePolicyDocument,
  signatureVerificationField,
  stringArrayField,
  stringField,
} from './decode-document.js';
import { toApplicable } from './oci-trust-policy.js';
import { validateStatements } from './policy-core.js';
import type { StrictJsonLimits } from './strict-json.js';
import type { ApplicableTrustPolicy, BlobTrustPolicyDocument, BlobTrustPolicyStatement } from './types.js';

const STATEMENT_FIELDS = [
  'name',
  'signatureVerification',
  'trustStores',
  'trustedIdentities',
  'globalPolicy',
];

/** Parses and validates a blob trust policy document (`trustpolicy.blob.json`, version 1.0). */
export function parseBlobTrustPolicy(
  input: string | Uint8Array,
  limits?: StrictJsonLimits,
): BlobTrustPolicyDocument {
  const doc: BlobTrustPolicyDocument = decodePolicyDocument(
    input,
    limits,
    STATEMENT_FIELDS,
    (s, path): BlobTrustPolicyStatement => ({
      name: stringField(s, 'name', path),
      signatureVerification: signatureVerificationField(s, path),
      trustStores: stringArrayField(s, 'trustStores', path),
      trustedIdentities: stringArrayField(s, 'trustedIdentities', path),
      globalPolicy: booleanField(s, 'globalPolicy', path),
    }),
  );
  validateBlobTrustPolicy(doc);
  return doc;
}

/**
 * notation's `BlobDocument.Validate`. One deliberate difference: a global statement with level
 * `skip` is rejected as the specification requires (notation's check compares a string with a
 * pointer and never fires).
 */
export function validateBlobTrustPolicy(doc: BlobTrustPolicyDocument): void {
  const fail = (msg: string, cause?: unknown): never => {
    throw new NotaryError('TRUST_POLICY_INVALID', msg, cause === undefined ? undefined : { cause });
  };
  if (doc.version === '') fail('blob trust policy has empty version, version must be specified');
  if (doc.version !== '1.0')
    fail(`blob trust policy document uses unsupported version ${goQuote(doc.version)}`);
  if (doc.trustPolicies.length === 0)
    fail('blob trust policy document can not have zero trust policy statements');
  let global = false;
  try {
    validateStatements('blob', doc.trustPolicies, (s) => {
      if (s.globalPolicy !== true) return;
      if (global) {
        fail(
          'multiple blob trust policy statements have globalPolicy set to true. Only one trust policy statement can be marked as global policy',
        );
      }
      if (s.signatureVerification.level === 'skip')
        fail('global blob trust policy statement cannot have verification level set to skip');
      global = true;
    });
  } catch (e) {
    if (e instanceof NotaryError) throw e;
    fail((e as Error).message, (e as Error).cause);
  }
}

/**
 * The blob statement to use: the one named `policyName`, or the global one when no name is
 * given. Throws NotaryError('NO_APPLICABLE_POLICY') with notation's messages.
 */
export function getBlobTrustPolicy(doc: BlobTrustPolicyDocument, policyName?: string): ApplicableTrustPolicy {
  if (policyName === undefined) {
    const global = doc.trustPolicies.find((s) => s.globalPolicy === true);
    if (!global) throw new NotaryError('NO_APPLICABLE_POLICY', 'no global blob trust policy');
    return toApplicable(global);
  }
  if (policyName.trim() === '') throw new NotaryError('NO_APPLICABLE_POLICY', 'policy name cannot be empty');
  const found = doc.trustPolicies.find((s) => s.name === policyName);
  if (!found)
    throw new NotaryError(
      'NO_APPLICABLE_POLICY',
      `no applicable blob trust policy with name ${goQuote(policyName)}`,
    );
  return toApplicable(found);
}
