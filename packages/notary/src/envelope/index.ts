export { coseId, jwsName, signPrimitive, verifyPrimitive } from './algorithms.js';
export {
  assembleCose,
  type CoseEnvelope,
  coseProtectedHeader,
  coseSigningInput,
  type CoseSigningInput,
} from './cose.js';
export {
  parseEnvelope,
  type ParsedEnvelope,
  parsePayload,
  verifyEnvelope,
  verifyEnvelopeBytes,
} from './envelope.js';
export {
  assembleJws,
  type JwsEnvelope,
  jwsProtectedHeader,
  jwsSigningInput,
  type JwsSigningInput,
} from './jws.js';
export { MAX_ENVELOPE_BYTES } from './signer-info.js';
export * from './types.js';
