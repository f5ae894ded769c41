export {
  DnSyntaxError,
  isSubsetDn,
  parseDistinguishedName,
  parseRfc4514,
  type DistinguishedName,
  type ParsedRdn,
} from './distinguished-name.js';
export {
  WILDCARD,
  X509_SUBJECT,
  validateTrustedIdentities,
  verifyX509TrustedIdentities,
} from './trusted-identities.js';
