export type {
  CertRevocationResult,
  ChainPurpose,
  RevocationFetcher,
  RevocationMethod,
  RevocationOptions,
  RevocationResultKind,
  ServerResult,
} from './types.js';
export {
  decideRevocation,
  revocationMessage,
  validateRevocation,
  verifyRevocation,
  type RevocationDecision,
  type RevocationLog,
} from './validate-revocation.js';
export {
  checkCrlStatus,
  parseCrl,
  validateCrl,
  DEFAULT_MAX_CRL_BYTES,
  type Crl,
  type CrlEntry,
} from './crl.js';
export {
  buildOcspRequest,
  checkOcspStatus,
  ocspGetUrl,
  parseOcspResponse,
  DEFAULT_MAX_OCSP_BYTES,
  type OcspResponse,
} from './ocsp.js';
