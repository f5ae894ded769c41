export { requireBinary, run } from './binaries.js';
export { makeUmociImage, skopeoInspect, skopeoInspectRaw, skopeoPush } from './images.js';
export { repoRoot, sharedDir, sharedPath } from './paths.js';
export { startRegistry, type RegistryAuth, type TestRegistry } from './registry.js';
export { closeServer } from './servers.js';
export { testPki, type TestPki } from './tls.js';
export {
  startTokenIssuer,
  type TokenIssuer,
  type TokenIssuerOptions,
  type TokenRequestSeen,
} from './token-issuer.js';
