/** Test support: scs policies trusting notation's e2e certificate (../shared/vectors), as YAML and as files. */
import { copyFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { E2E_CERT, E2E_SUBJECT } from './notation-layouts.js';

/** The trusted identity of notation's e2e signing certificate. */
export const E2E_IDENTITY = `x509.subject: ${E2E_SUBJECT}`;

export interface SingleScopePolicyOptions {
  /** `metadata.name`; default `e2e`. */
  name?: string;
  /** The scope's name; default `e2e`. */
  scope?: string;
  /** The signature level; default `strict`. */
  level?: string;
  /** The scope's trust store (YAML flow mapping); default `ca:e2e` from `e2e.crt` beside the policy. */
  trustStore?: string;
  /** Default: the e2e certificate's identity. */
  identities?: readonly string[];
  /** More lines of the scope (e.g. `sbom:`), indented six spaces, each ending in a newline. */
  rules?: string;
}

/** A policy of one scope for every repository (`*`). */
export function singleScopePolicy(options: SingleScopePolicyOptions = {}): string {
  return `apiVersion: scs.dev/v1alpha1
kind: SupplyChainPolicy
metadata: { name: ${options.name ?? 'e2e'} }
spec:
  scopes:
    - name: ${options.scope ?? 'e2e'}
      registryScopes: ["*"]
      signature:
        level: ${options.level ?? 'strict'}
        trustStores: [${options.trustStore ?? '{ name: e2e, type: ca, certificates: [e2e.crt] }'}]
        trustedIdentities: ${JSON.stringify(options.identities ?? [E2E_IDENTITY])}
${options.rules ?? ''}`;
}

/**
 * Write `singleScopePolicy(options)` as `dir/<file>` (default `scs-policy.yaml`) with the e2e
 * certificate beside it as `e2e.crt`. Returns the policy file's path.
 */
export async function writeE2ePolicy(
  dir: string,
  options: SingleScopePolicyOptions & { file?: string } = {},
): Promise<string> {
  const file = path.join(dir, options.file ?? 'scs-policy.yaml');
  await copyFile(E2E_CERT, path.join(dir, 'e2e.crt'));
  await writeFile(file, singleScopePolicy(options));
  return file;
}
