export {
  type Certificate,
  type Extension,
  checkSignature,
  checkSignatureFrom,
  hasKeyUsage,
  KEY_USAGE,
  OID,
  parseCertificate,
  sameCertificate,
} from './certificate.js';
export {
  type CertificatePurpose,
  type ChainValidationOptions,
  MAX_CHAIN_LENGTH,
  validateCertificateChain,
  validateParsedChain,
} from './chain.js';
export {
  formatDistinguishedName,
  type NameAttribute,
  type RelativeDistinguishedNames,
} from './distinguished-name.js';
export {
  describeKeySpec,
  hashOf,
  type KeySpec,
  keySpecOf,
  type SignatureAlgorithm,
  signatureAlgorithmFor,
} from './key-spec.js';
export { pemBlocks, readCertificates, toPem } from './pem.js';
export { formatGoUtc, formatRfc1123Z, formatRfc3339 } from './time-format.js';
export {
  buildCertificate,
  type CertificateSpec,
  type HashName,
  type NameSpec,
} from './certificate-builder.js';
