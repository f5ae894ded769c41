export {
  verifyTimestampToken,
  checkRangeAgainstChain,
  type TimestampTokenInput,
  type VerifiedTimestamp,
} from './verify-timestamp.js';
export {
  checkSignedAttributes,
  parseSignedToken,
  signingCertificate,
  verifySignedToken,
  SignedTokenError,
} from './signed-token.js';
export {
  parseTstInfo,
  validateTstInfo,
  BASELINE_TIMESTAMP_POLICY,
  type TimestampRange,
  type TstInfo,
} from './tst-info.js';
export { parseSignedData, CmsError, type SignedData, type SignerInfo } from './signed-data.js';
export { berToDer, BerError } from './ber.js';
export { buildChain, ChainBuildError, type BuildChainOptions } from './chain-builder.js';
export {
  evaluateAuthenticTimestamp,
  verifyAuthenticTimestamp,
  type AuthenticTimestampEvaluation,
  type AuthenticTimestampInput,
  type AuthenticTimestampOutcome,
} from './authentic-timestamp.js';
export { checkTsaChainRevocation, type TsaChainRevocation } from './tsa-chain-revocation.js';
