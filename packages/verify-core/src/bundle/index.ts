/** The cluster policy bundle compiler (`scs bundle`). */
export { compileBundle } from './compile-bundle.js';
export { writeBundle } from './write-bundle.js';
export type { BundleFileSystem, WrittenBundle } from './write-bundle.js';
export {
  BUNDLE_ENGINES,
  DEFAULT_NAMESPACE,
  DEFAULT_PROVIDER_TIMEOUT_SECONDS,
  GATEKEEPER_CHART,
  RATIFY_CHART,
  RATIFY_PROVIDER_NAME,
  SCS_PROVIDER,
} from './bundle-options.js';
export type {
  BundleEngine,
  BundleOptions,
  CompiledBundle,
  RatifyEngineOptions,
  ScsEngineOptions,
} from './bundle-options.js';
export { checkProviderTls, generateProviderTls, providerDnsNames } from './provider-tls.js';
export type { ProviderTls } from './provider-tls.js';
export { EXTERNAL_DATA_API_VERSION, PROVIDER_RESPONSE_SCHEMA, regoView } from './external-data.js';
export type {
  ProviderRequest,
  ProviderResponse,
  ProviderResponseItem,
  ProviderVerdict,
  RegoExternalDataResult,
} from './external-data.js';
export { admissionRego, TEMPLATE_KIND, TEMPLATE_NAME } from './admission-template.js';
export { selfContainedPolicy } from './self-contained-policy.js';
