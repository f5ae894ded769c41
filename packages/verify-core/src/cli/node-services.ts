/**
 * The composition root of the CLI: real `@scs/oci` stores (registry and OCI layout) and the
 * `@scs/notary` verifier and signer, wired once per run.
 */
import { X509Certificate, createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ArtifactStore, Descriptor, RegistryClient } from '@scs/oci';
import {
  copyGraph,
  createRegistryClient,
  dockerConfigCredentials,
  dockerConfigPath,
  openStore,
  parseLayoutTarget,
  parseReference,
} from '@scs/oci';
import type { KeyVaultCredential, KeyVaultHttpClient, Signer } from '@scs/notary';
import {
  DirectoryTrustStore,
  buildSignatureManifest,
  createKeyVaultSigner,
  createLocalSigner,
  createRevocationChecker,
  createTimestampVerifier,
  generateTestCertificate,
  parseOciTrustPolicy,
  signArtifact,
} from '@scs/notary';
import type { keyVaultTrustStoreCertificates } from '../engine/key-vault-certificates.js';
import { MaterialCache } from '../engine/material-cache.js';
import type { NotaryServices } from '../engine/notary-verifier.js';
import {
  notationSignatureVerifier,
  policySignatureVerifier,
  policyTrustStore,
} from '../engine/notary-verifier.js';
import type { OpenedTarget } from '../engine/ports.js';
import { revocationFetcher } from '../engine/revocation-fetcher.js';
import { VerifyCoreError } from '../errors.js';
import { layoutRepository } from '../policy/registry-scope.js';
import type {
  AzureKeyVaultTrustStore,
  LoadedPolicy,
  PolicyScope,
  SupplyChainPolicy,
} from '../policy/types.js';
import { POLICY_API_VERSION, POLICY_KIND } from '../policy/types.js';
import type { CliServices, ReferrerNode, RegistryOptions } from './services.js';

export interface NodeServicesOptions {
  clock: () => Date;
  env: Readonly<Record<string, string | undefined>>;
  /** For the docker configuration (`~/.docker/config.json`, unless DOCKER_CONFIG is set). */
  homeDir: string;
  /** Network access of the revocation checks (default: bounded global fetch). */
  notary?: NotaryServices;
  /** Azure Key Vault access for `sign --azure-key-id` and Key Vault trust stores (default: DefaultAzureCredential, the SDK's HTTP client). */
  keyVault?: { credential: KeyVaultCredential; httpClient?: KeyVaultHttpClient };
}

function defaultNotaryServices(): NotaryServices {
  const fetch = revocationFetcher();
  return {
    revocationChecker: createRevocationChecker({ fetch }),
    timestampVerifier: createTimestampVerifier({ tsaRevocation: { fetch } }),
  };
}

/** The repository a target stands for in registry scopes. */
export function repositoryOf(reference: string): string {
  if (reference.startsWith('oci:')) return layoutRepository(parseLayoutTarget(reference).dir);
  const parsed = parseReference(reference);
  return `${parsed.registry}/${parsed.repository}`;
}

export function nodeCliServices(options: NodeServicesOptions): CliServices {
  const notary = options.notary ?? defaultNotaryServices();
  const clients = new Map<string, RegistryClient>();
  let cache: MaterialCache | undefined;
  // The Azure SDK is loaded only when a command needs Key Vault (it is heavy to import).
  let credential: Promise<KeyVaultCredential> | undefined;
  const azureCredential = (): Promise<KeyVaultCredential> => {
    if (options.keyVault !== undefined) return Promise.resolve(options.keyVault.credential);
    credential ??= import('@azure/identity').then(
      ({ DefaultAzureCredential }) => new DefaultAzureCredential(),
    );
    return credential;
  };
  let fromVault: Promise<ReturnType<typeof keyVaultTrustStoreCertificates>> | undefined;
  const vaultCertificates = async (store: AzureKeyVaultTrustStore): Promise<Uint8Array[]> => {
    fromVault ??= Promise.all([import('../engine/key-vault-certificates.js'), azureCredential()]).then(
      ([module, cred]) =>
        module.keyVaultTrustStoreCertificates({
          credential: cred,
          ...(options.keyVault?.httpClient === undefined ? {} : { httpClient: options.keyVault.httpClient }),
        }),
    );
    return (await fromVault)(store);
  };

  async function client(registry: RegistryOptions): Promise<RegistryClient> {
    const key = `${registry.plainHttp}|${registry.caFile ?? ''}`;
    let existing = clients.get(key);
    if (existing === undefined) {
      const ca = registry.caFile === undefined ? undefined : await readFile(registry.caFile, 'utf8');
      existing = createRegistryClient({
        plainHttp: registry.plainHttp,
        credentials: dockerConfigCredentials({ config: dockerConfigPath(options.env, options.homeDir) }),
        ...(ca === undefined ? {} : { ca }),
        ...(registry.onRequest === undefined ? {} : { onRequest: registry.onRequest }),
      });
      clients.set(key, existing);
    }
    return existing;
  }

  async function openTarget(reference: string, registry: RegistryOptions): Promise<OpenedTarget> {
    const opened = await openStore(
      reference,
      reference.startsWith('oci:') ? {} : { client: await client(registry) },
    );
    return {
      store: opened.store,
      repository: repositoryOf(reference),
      ...(opened.reference.tag === undefined ? {} : { tag: opened.reference.tag }),
      ...(opened.reference.digest === undefined ? {} : { digest: opened.reference.digest }),
    };
  }

  return {
    openTarget,

    async policyVerifier(loaded) {
      // Azure Key Vault trust stores: their certificates are read from the vault now, once.
      const certificates = new Map(loaded.certificates);
      for (const scope of loaded.policy.spec.scopes) {
        for (const store of scope.signature.trustStores) {
          const key = `${store.type}:${store.name}` as const;
          if (store.source !== 'azureKeyVault' || certificates.has(key)) continue;
          certificates.set(key, await vaultCertificates(store));
        }
      }
      return policySignatureVerifier({
        trustStore: policyTrustStore(certificates),
        clock: options.clock,
        services: notary,
      });
    },

    async notationVerifier(trustPolicyFile, trustStoreDir) {
      let content: Uint8Array;
      try {
        content = new Uint8Array(await readFile(trustPolicyFile));
      } catch (error) {
        throw new VerifyCoreError(
          'USAGE',
          `the trust policy file ${trustPolicyFile} cannot be read; check --trust-policy`,
          { cause: error },
        );
      }
      const document = parseOciTrustPolicy(content);
      const root = path.resolve(trustStoreDir);
      const x509 = await stat(path.join(root, 'x509')).catch(() => undefined);
      if (x509?.isDirectory() !== true) {
        throw new VerifyCoreError(
          'USAGE',
          `--trust-store ${trustStoreDir} has no x509/ directory; give the notation trust store directory (holding x509/<type>/<name>/)`,
        );
      }
      const trustStore = new DirectoryTrustStore(root);
      const scopes: PolicyScope[] = document.trustPolicies.map((statement) => ({
        name: statement.name,
        registryScopes: [...statement.registryScopes],
        signature: {
          level: statement.signatureVerification.level as PolicyScope['signature']['level'],
          override: { ...(statement.signatureVerification.override ?? {}) },
          verifyTimestamp:
            statement.signatureVerification.verifyTimestamp === 'afterCertExpiry'
              ? 'afterCertExpiry'
              : 'always',
          trustStores: [],
          trustedIdentities: [...statement.trustedIdentities],
        },
        sbom: {
          required: false,
          formats: ['spdx', 'cyclonedx'],
          signed: false,
          deniedPackages: [],
          deniedLicenses: [],
        },
        vulnerabilities: {
          required: false,
          formats: ['trivy', 'sarif'],
          signed: false,
          maxSeverity: 'CRITICAL',
          ignoreUnfixed: false,
          unknownSeverity: 'CRITICAL',
          deniedIds: [],
          exceptions: [],
        },
      }));
      const policy: SupplyChainPolicy = {
        apiVersion: POLICY_API_VERSION,
        kind: POLICY_KIND,
        metadata: { name: path.basename(trustPolicyFile) },
        spec: {
          scopes,
          admission: { includedNamespaces: [], excludedNamespaces: [], enforcementAction: 'deny' },
        },
      };
      const loaded: LoadedPolicy = {
        policy,
        warnings: [],
        digest: `sha256:${createHash('sha256').update(content).digest('hex')}`,
        file: trustPolicyFile,
      };
      return {
        policy: loaded,
        verifier: notationSignatureVerifier({ document, trustStore, clock: options.clock, services: notary }),
      };
    },

    checkNotationTrustPolicy(content) {
      return parseOciTrustPolicy(content).trustPolicies.map((s) => s.name);
    },

    async discover(target, subject, discoverOptions) {
      const walk = async (node: Descriptor, depth: number): Promise<ReferrerNode[]> => {
        if (depth === 0) return [];
        const referrers = await target.store.referrers(
          node,
          depth === discoverOptions.depth && discoverOptions.artifactType !== undefined
            ? { artifactType: discoverOptions.artifactType }
            : {},
        );
        return Promise.all(
          referrers.map(async (r) => ({ descriptor: r, referrers: await walk(r, depth - 1) })),
        );
      };
      return walk(subject, discoverOptions.depth);
    },

    async copy(source, destination, copyOptions) {
      const src = await openTarget(source, copyOptions.registry);
      const dst = await openTarget(destination, copyOptions.registry);
      const root = await src.store.resolve(src.digest ?? src.tag ?? 'latest');
      const result = await copyGraph(src.store, dst.store, root, { referrers: copyOptions.referrers });
      if (dst.digest === undefined) await dst.store.tag(root, dst.tag ?? src.tag ?? 'latest');
      return { root, copied: result.manifests + result.blobs + result.mounted, skipped: result.skipped };
    },

    async sign(target, subject, signOptions) {
      let signer: Signer;
      if (signOptions.key !== undefined) {
        signer = createLocalSigner({
          key: signOptions.key.keyPem,
          certificateChain: signOptions.key.certificatePem,
        });
      } else if (signOptions.azureKeyId !== undefined) {
        signer = createKeyVaultSigner({
          keyId: signOptions.azureKeyId,
          credential: await azureCredential(),
          ...(options.keyVault?.httpClient === undefined ? {} : { httpClient: options.keyVault.httpClient }),
          ...(signOptions.azureCaCertificates === undefined
            ? {}
            : { chain: { caCertificates: signOptions.azureCaCertificates } }),
        });
      } else {
        throw new VerifyCoreError('USAGE', 'scs sign needs --key and --cert, or --azure-key-id');
      }
      const signed = await signArtifact({
        signer,
        artifact: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
        format: signOptions.format,
        clock: options.clock,
        ...(signOptions.expiresInSeconds === undefined
          ? {}
          : { expiresIn: { seconds: signOptions.expiresInSeconds } }),
        userMetadata: signOptions.userMetadata,
      });
      const built = buildSignatureManifest({
        subject,
        envelope: signed.envelope,
        envelopeMediaType: signed.mediaType,
        certificateChain: signed.certificateChain,
        created: signed.signingTime,
      });
      const store: ArtifactStore = target.store;
      for (const blob of built.blobs) await store.pushBlob(blob.bytes, blob.descriptor.mediaType);
      const signature = await store.pushManifest(built.manifest.bytes, built.manifest.descriptor.mediaType);
      const leaf = signed.certificateChain[0];
      const signerSubject =
        leaf === undefined
          ? 'an unknown signer'
          : new X509Certificate(leaf).subject.split('\n').reverse().join(',');
      return {
        signature: { ...signature, artifactType: 'application/vnd.cncf.notary.signature' },
        subject,
        signer: signerSubject,
        format: signOptions.format,
      };
    },

    generateTestCertificate(name, certOptions) {
      const generated = generateTestCertificate(name, { days: certOptions.days, clock: options.clock });
      const subject = new X509Certificate(generated.certificateDer).subject.split('\n').reverse().join(',');
      return Promise.resolve({ keyPem: generated.keyPem, certificatePem: generated.certificatePem, subject });
    },

    azureKeyVaultCertificates: vaultCertificates,

    cache() {
      cache ??= new MaterialCache();
      return cache;
    },
  };
}
