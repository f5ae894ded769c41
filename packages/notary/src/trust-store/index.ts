export { DirectoryTrustStore, type TrustStoreFs } from './directory-trust-store.js';
export { MemoryTrustStore, type MemoryTrustStoreEntry } from './memory-trust-store.js';
export { loadTrustStoreCertificates, storeCertificates } from './load-trust-stores.js';
export {
  MAX_CERTIFICATE_FILE_BYTES,
  parseCertificateFile,
  readCertificatesToAdd,
} from './certificate-file.js';
export { checkRootCaCertificate, validateTrustStoreCertificates } from './validate-trust-anchors.js';
export { goQuote, goQuoteStringMaps } from './go-format.js';
