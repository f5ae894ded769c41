export { DirectoryTrustStore, type TrustStoreFs } from './directory-trust-store.js';
export { MemoryTrustStore, type MemoryTrustStoreEntry } from './memory-trust-store.js';
export { loadTrustStoreCertificates, storeCertificates } from './load-trust-stores.js';
export {
  MAX_CERTIFICATE_FILE_BYTES,
  parseCertificateFile,
  readCertificatesToAdd,
} from './certificate-file.js';
export { checkRootCaCertificate, validateTrustStoreCertificates } from './validate-trust-anchors.js';
export {
  KeyUsage,
  Oid,
  checkCertificateSignature,
  checkSignatureFrom,
  isSelfIssued,
  parseCertificate,
  type Certificate,
  type Extension,
} from './certificate.js';
export { goNameString, parseName, type NameAttribute, type RdnSequence } from './x509-name.js';
export { formatGoTime, formatRfc1123z, goQuote, goQuoteStringMaps } from './go-format.js';
