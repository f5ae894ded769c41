export * from './types.js';
export { OciError, isOciError, type OciErrorCode } from './errors.js';
export {
  parseReference,
  formatReference,
  withDefaultTag,
  isValidTag,
  assertValidTag,
  registryApiHost,
  DOCKER_HUB,
  type Reference,
} from './reference.js';
export {
  parseDigest,
  isDigest,
  sha256Digest,
  verifyContent,
  DigestVerifier,
  type DigestAlgorithm,
} from './digest.js';
export {
  parseManifest,
  referrerDescriptor,
  childDescriptors,
  isImageIndex,
  isManifestMediaType,
  MAX_MANIFEST_BYTES,
  MANIFEST_MEDIA_TYPES,
} from './manifest.js';
export {
  parsePlatform,
  selectPlatform,
  formatPlatform,
  normalisePlatform,
  platformMatches,
} from './platform.js';
export { resolvePlatform } from './resolve-platform.js';
export { fetchReferrer } from './fetch-referrer.js';
export { isBlobStreaming, type BlobStreaming } from './blob-stream.js';
export { planAttach, EMPTY_JSON_DESCRIPTOR, type PlannedAttach } from './attach.js';
export { copyGraph, type CopyGraphOptions, type CopyGraphResult } from './copy-graph.js';
export {
  openStore,
  createRegistryClient,
  parseLayoutTarget,
  type OpenStoreOptions,
  type OpenedStore,
} from './open-store.js';
export { LayoutStore, REF_NAME, type LayoutStoreOptions } from './layout/layout-store.js';
export { RegistryStore } from './registry/registry-store.js';
export {
  RegistryClient,
  type RegistryClientOptions,
  type ReferrersMode,
} from './registry/registry-client.js';
export { referrersTag } from './registry/referrers-tag-schema.js';
export { NodeHttpTransport, type NodeTransportOptions } from './http/node-transport.js';
export type {
  HttpTransport,
  HttpRequest,
  HttpResponse,
  HttpHeaders,
  RequestEvent,
} from './http/transport.js';
export { retryPolicy, DEFAULT_RETRY_POLICY, type RetryPolicy } from './http/retry-policy.js';
export { systemClock, silentLogger, type Clock, type Logger } from './clock.js';
export {
  staticCredentials,
  chainCredentials,
  azureCredentials,
  type Credential,
  type CredentialProvider,
  type ResolvedCredential,
} from './auth/credentials.js';
export {
  dockerConfigCredentials,
  dockerConfigPath,
  type DockerConfigFile,
  type DockerConfigOptions,
} from './auth/docker-config.js';
export { createNodeExec, nodeExec, type Exec, type ExecResult, type NodeExecOptions } from './auth/exec.js';
