import { NotaryError } from '../errors.js';
import { goQuote, goQuoteStringMaps } from '../trust-store/go-format.js';
import { type Certificate, parseCertificate } from '../x509/certificate.js';
import { isSubsetDn, parseDistinguishedName, type DistinguishedName } from './distinguished-name.js';

export const WILDCARD = '*';
export const X509_SUBJECT = 'x509.subject';

/**
 * Validates a statement's `trustedIdentities` with notation's rules and messages (the policy
 * document prefixes them with `oci trust policy: ` / `blob trust policy: `). Returns the parsed
 * x509.subject DNs. Throws a plain Error whose message is notation's.
 */
export function validateTrustedIdentities(
  statementName: string,
  identities: readonly string[],
): DistinguishedName[] {
  const name = goQuote(statementName);
  if (identities.length > 1 && identities.includes(WILDCARD)) {
    throw new Error(
      `trust policy statement ${name} uses a wildcard trusted identity '*', a wildcard identity cannot be used in conjunction with other values`,
    );
  }
  const parsed: Array<{ raw: string; dn: DistinguishedName }> = [];
  for (const identity of identities) {
    if (identity === '') throw new Error(`trust policy statement ${name} has an empty trusted identity`);
    if (identity === WILDCARD) continue;
    const sep = identity.indexOf(':');
    if (sep < 0)
      throw new Error(
        `trust policy statement ${name} has trusted identity ${goQuote(identity)} missing separator`,
      );
    const prefix = identity.slice(0, sep);
    const value = identity.slice(sep + 1);
    // notation natively supports x509.subject identities only; other prefixes are left to plugins.
    if (prefix !== X509_SUBJECT) continue;
    if (value === '') {
      throw new Error(
        `trust policy statement ${name} has trusted identity ${goQuote(identity)} without an identity value`,
      );
    }
    try {
      parsed.push({ raw: identity, dn: parseDistinguishedName(value) });
    } catch (e) {
      throw new Error(
        `trust policy statement ${name} has trusted identity ${goQuote(identity)} with invalid identity value: ${(e as Error).message}`,
        { cause: e },
      );
    }
  }
  for (let i = 0; i < parsed.length; i++) {
    for (let j = 0; j < parsed.length; j++) {
      const a = parsed[i];
      const b = parsed[j];
      if (a && b && i !== j && isSubsetDn(a.dn, b.dn)) {
        throw new Error(
          `trust policy statement ${name} has overlapping x509 trustedIdentities, ${goQuote(a.raw)} overlaps with ${goQuote(b.raw)}`,
        );
      }
    }
  }
  return parsed.map((p) => p.dn);
}

/**
 * notation's `verifyX509TrustedIdentities`: passes when the identities hold `*`, or when one
 * x509.subject identity is a subset of the leaf certificate's subject (parsed, or DER). Otherwise throws a
 * NotaryError('IDENTITY_MISMATCH') with notation's message, e.g.
 * `signing certificate from the digital signature does not match the X.509 trusted identities
 * [map["C":"IN" "CN":"LOL" …]] defined in the trust policy "name"`.
 */
export function verifyX509TrustedIdentities(
  policyName: string,
  identities: readonly string[],
  leafCertificate: Certificate | Uint8Array,
): void {
  if (identities.includes(WILDCARD)) return;
  const leaf = leafCertificate instanceof Uint8Array ? parseCertificate(leafCertificate) : leafCertificate;
  const trusted: DistinguishedName[] = [];
  for (const identity of identities) {
    const sep = identity.indexOf(':');
    if (sep < 0) {
      throw new NotaryError(
        'TRUST_POLICY_INVALID',
        `trust policy statement ${goQuote(policyName)} has trusted identity ${goQuote(identity)} missing separator`,
      );
    }
    if (identity.slice(0, sep) !== X509_SUBJECT) continue;
    const value = identity.slice(sep + 1);
    if (value === '') {
      throw new NotaryError(
        'TRUST_POLICY_INVALID',
        `trust policy statement ${goQuote(policyName)} has trusted identity ${goQuote(identity)} without an identity value`,
      );
    }
    try {
      trusted.push(parseDistinguishedName(value));
    } catch (e) {
      throw new NotaryError('TRUST_POLICY_INVALID', (e as Error).message, { cause: e });
    }
  }
  if (trusted.length === 0) {
    throw new NotaryError(
      'IDENTITY_MISMATCH',
      `no x509 trusted identities are configured in the trust policy ${goQuote(policyName)}`,
    );
  }
  let leafDn: DistinguishedName;
  try {
    leafDn = parseDistinguishedName(leaf.subject);
  } catch (e) {
    throw new NotaryError(
      'IDENTITY_MISMATCH',
      `error while parsing the certificate subject from the digital signature. error : ${goQuote((e as Error).message)}`,
      { cause: e },
    );
  }
  if (trusted.some((dn) => isSubsetDn(dn, leafDn))) return;
  throw new NotaryError(
    'IDENTITY_MISMATCH',
    `signing certificate from the digital signature does not match the X.509 trusted identities ${goQuoteStringMaps(trusted)} defined in the trust policy ${goQuote(policyName)}`,
  );
}
