export * from './errors.js';
export * from './types.js';
export * from './x509/index.js';
export * from './cbor/index.js';
export * from './envelope/index.js';
export * from './manifest/index.js';
export * from './verify/index.js';
export * from './sign/index.js';
export * from './identity/index.js';
export * from './trust-policy/index.js';
// The trust store (notary-b). Its own certificate parser stays internal: the public one is x509's.
export {
  checkRootCaCertificate,
  DirectoryTrustStore,
  loadTrustStoreCertificates,
  MAX_CERTIFICATE_FILE_BYTES,
  MemoryTrustStore,
  type MemoryTrustStoreEntry,
  parseCertificateFile,
  readCertificatesToAdd,
  storeCertificates,
  type TrustStoreFs,
  validateTrustStoreCertificates,
} from './trust-store/index.js';
export * from './timestamp/index.js';
export * from './revocation/index.js';
