/**
 * The heavier collaborators of the CLI (registry and layout stores, the Notary verifier and
 * signer), behind one interface: `node-services.ts` wires the real `@scs/oci` and `@scs/notary`
 * objects; nothing else in the CLI imports them.
 */
import type { Descriptor } from '@scs/oci';
import type { MaterialCache } from '../engine/material-cache.js';
import type { OpenedTarget, SignatureVerifier } from '../engine/ports.js';
import type { LoadedPolicyWithCertificates } from '../policy/load-policy.js';
import type { AzureKeyVaultTrustStore, LoadedPolicy } from '../policy/types.js';

/** How to reach registries (layouts ignore it). */
export interface RegistryOptions {
  /** Speak plain HTTP to registries (e.g. a local test registry). */
  plainHttp: boolean;
  /** PEM file of an extra CA for registries with a private CA. */
  caFile?: string;
  /** Called after every HTTP exchange (benchmarks count requests). */
  onRequest?: () => void;
}

export interface ReferrerNode {
  descriptor: Descriptor;
  referrers: ReferrerNode[];
}

export interface CopyResult {
  /** The root descriptor copied. */
  root: Descriptor;
  /** How many manifests and blobs were copied (and how many were already there). */
  copied: number;
  skipped: number;
}

export interface SignedResult {
  /** The signature manifest pushed as a referrer. */
  signature: Descriptor;
  subject: Descriptor;
  signer: string;
  format: 'jws' | 'cose';
}

export interface TestCertificateFiles {
  keyPem: string;
  certificatePem: string;
  subject: string;
}

export interface CliServices {
  openTarget(reference: string, registry: RegistryOptions): Promise<OpenedTarget>;
  /** A verifier for an scs policy (its trust stores compiled in memory; Azure Key Vault ones fetched). */
  policyVerifier(policy: LoadedPolicyWithCertificates): Promise<SignatureVerifier>;
  /**
   * The notation-compatible mode: a notation `trustpolicy.json` and an `x509/…` trust store
   * directory, read with notation's rules and messages. Throws TRUST_POLICY_INVALID.
   */
  notationVerifier(
    trustPolicyFile: string,
    trustStoreDir: string,
  ): Promise<{ policy: LoadedPolicy; verifier: SignatureVerifier }>;
  /** Validate a notation trust policy document; returns its statement names. Throws with notation's message. */
  checkNotationTrustPolicy(content: Uint8Array): string[];
  /** The referrer tree of a subject (like `oras discover`). */
  discover(
    target: OpenedTarget,
    subject: Descriptor,
    options: { artifactType?: string; depth: number },
  ): Promise<ReferrerNode[]>;
  copy(
    source: string,
    destination: string,
    options: { referrers: boolean; registry: RegistryOptions },
  ): Promise<CopyResult>;
  sign(
    target: OpenedTarget,
    subject: Descriptor,
    options: {
      key?: { keyPem: string; certificatePem: string };
      /** `https://<vault>.vault.azure.net/keys/<name>/<version>`: sign with the Key Vault key. */
      azureKeyId?: string;
      /** With `azureKeyId`: PEM bundle completing the Key Vault certificate's chain (the azure-kv plugin's `ca_certs`). */
      azureCaCertificates?: string;
      format: 'jws' | 'cose';
      expiresInSeconds?: number;
      userMetadata: Record<string, string>;
    },
  ): Promise<SignedResult>;
  generateTestCertificate(name: string, options: { days: number }): Promise<TestCertificateFiles>;
  /** The certificate of an Azure Key Vault trust store (DER), read from the vault. */
  azureKeyVaultCertificates(store: AzureKeyVaultTrustStore): Promise<Uint8Array[]>;
  /** A cache shared by the decisions of one CLI run. */
  cache(): MaterialCache;
}
