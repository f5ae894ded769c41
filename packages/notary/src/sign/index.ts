export { generateTestCertificate, type TestCertificate } from './generate-test-certificate.js';
export { createLocalSigner, loadPrivateKey } from './local-signer.js';
export {
  DEFAULT_SIGNING_AGENT,
  signArtifact,
  type SignArtifactOptions,
  type SignedEnvelope,
} from './sign-artifact.js';
export type { Signer } from './signer.js';
export { buildCertificateChain, completeChain } from './certificate-chain.js';
export {
  createKeyVaultSigner,
  type KeyVaultCredential,
  type KeyVaultHttpClient,
  type KeyVaultSignerOptions,
} from './key-vault-signer.js';
