/**
 * The files `scs serve` runs from — policy, serving certificate and key, client CA — loaded and
 * checked at start (any problem stops the start with one clear error), then watched: a changed
 * file is loaded and checked again and applied only when valid; an invalid change is logged and
 * the running configuration kept (a half-written Secret or ConfigMap never takes the provider
 * down, nor makes it admit with a broken policy).
 *
 * Polling (content digests every `intervalMs`) rather than file-system events: Kubernetes
 * updates mounted Secrets by swapping a symlinked directory, which file watches miss.
 */
import { X509Certificate, createHash, createPrivateKey } from 'node:crypto';
import { VerifyCoreError } from '../errors.js';
import type { LoadedPolicyWithCertificates } from '../policy/load-policy.js';
import { loadPolicy } from '../policy/load-policy.js';
import type { SignatureVerifier } from '../engine/ports.js';
import type { ProviderMetrics } from './metrics.js';
import type { PolicyState } from './provider-engine.js';
import type { ProviderLogger } from './provider-logger.js';
import type { TlsMaterial } from './provider-server.js';

export interface ProviderFiles {
  policy: string;
  tlsCert: string;
  tlsKey: string;
  clientCa?: string;
}

export interface ProviderFileReader {
  readFile(file: string): Promise<Uint8Array>;
}

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

async function read(reader: ProviderFileReader, file: string, flag: string): Promise<Uint8Array> {
  try {
    return await reader.readFile(file);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const why =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EACCES'
          ? 'cannot be read (permission denied)'
          : 'cannot be read';
    throw new VerifyCoreError('USAGE', `${flag} ${file} ${why}; give the PEM file`, { cause: error });
  }
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function certificatesOf(pem: string, flag: string, file: string): X509Certificate[] {
  const blocks = pem.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) {
    throw new VerifyCoreError(
      'USAGE',
      `${flag} ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`,
    );
  }
  return blocks.map((block) => {
    try {
      return new X509Certificate(block);
    } catch (error) {
      throw new VerifyCoreError('USAGE', `${flag} ${file} holds a certificate that cannot be parsed`, {
        cause: error,
      });
    }
  });
}

/**
 * Read and check the TLS files: the certificate parses and is valid now, the key is a private
 * key that matches it, the client CA (when given) holds certificates. Errors never quote key
 * material.
 */
export async function loadTlsMaterial(
  files: ProviderFiles,
  reader: ProviderFileReader,
  now: Date,
): Promise<TlsMaterial> {
  const certPem = text(await read(reader, files.tlsCert, '--tls-cert'));
  const keyPem = text(await read(reader, files.tlsKey, '--tls-key'));
  const [leaf] = certificatesOf(certPem, '--tls-cert', files.tlsCert);
  if (leaf === undefined) throw new VerifyCoreError('BUG', 'no certificate after parsing');
  let key;
  try {
    key = createPrivateKey(keyPem);
  } catch (error) {
    throw new VerifyCoreError('USAGE', `--tls-key ${files.tlsKey} is not a PEM private key`, {
      cause: error,
    });
  }
  if (!leaf.checkPrivateKey(key)) {
    throw new VerifyCoreError(
      'USAGE',
      `--tls-key ${files.tlsKey} does not belong to the certificate ${files.tlsCert} (${leaf.subject.replace(/\n/g, ', ')}); give the key the certificate was issued for`,
    );
  }
  if (now < new Date(leaf.validFrom) || now > new Date(leaf.validTo)) {
    throw new VerifyCoreError(
      'USAGE',
      `--tls-cert ${files.tlsCert} is not valid now (valid from ${leaf.validFrom} to ${leaf.validTo}); renew it`,
    );
  }
  const material: TlsMaterial = { certPem, keyPem };
  if (files.clientCa !== undefined) {
    const clientCaPem = text(await read(reader, files.clientCa, '--client-ca'));
    certificatesOf(clientCaPem, '--client-ca', files.clientCa);
    material.clientCaPem = clientCaPem;
  }
  return material;
}

/** A name for a policy and the certificates of its trust stores (see `PolicyState.fingerprint`). */
export function policyFingerprint(loaded: LoadedPolicyWithCertificates): string {
  const hash = createHash('sha256').update(loaded.digest);
  for (const key of [...loaded.certificates.keys()].sort()) {
    hash.update(`\n${key}\n`);
    for (const der of loaded.certificates.get(key) ?? []) hash.update(der);
  }
  return `sha256:${hash.digest('hex')}`;
}

export interface ProviderReloaderDeps {
  files: ProviderFiles;
  reader: ProviderFileReader;
  clock: () => Date;
  /** The verifier of a loaded policy (`CliServices.policyVerifier`: trust stores, Key Vault). */
  verifierFor: (loaded: LoadedPolicyWithCertificates) => Promise<SignatureVerifier>;
  logger: ProviderLogger;
  metrics: ProviderMetrics;
}

export type ReloadOutcome = 'unchanged' | 'applied' | 'rejected';

/**
 * Holds the current policy state and TLS material and reloads them from their files.
 * `load()` at start throws on any problem; `reload()` later keeps what runs when the new files
 * are not valid.
 */
export class ProviderReloader {
  private policyState: PolicyState | undefined;
  private tlsMaterial: TlsMaterial | undefined;
  private tlsDigest = '';
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  /** Called with new TLS material once it is checked. */
  onTls: (material: TlsMaterial) => void = () => undefined;

  constructor(private readonly deps: ProviderReloaderDeps) {}

  get policy(): PolicyState | undefined {
    return this.policyState;
  }

  get tls(): TlsMaterial {
    if (this.tlsMaterial === undefined) throw new VerifyCoreError('BUG', 'TLS material read before load()');
    return this.tlsMaterial;
  }

  /** The first load: throws with the problem (the caller stops). */
  async load(): Promise<void> {
    this.tlsMaterial = await loadTlsMaterial(this.deps.files, this.deps.reader, this.deps.clock());
    this.tlsDigest = digestOf(this.tlsMaterial);
    this.policyState = await this.loadPolicyState();
    this.logPolicy('loaded');
  }

  /** Look at the files again and apply what changed and is valid. Never throws. */
  async reload(): Promise<{ tls: ReloadOutcome; policy: ReloadOutcome }> {
    // One reload at a time (the timer and SIGHUP may meet).
    while (this.running !== undefined) await this.running.catch(() => undefined);
    const run = this.reloadNow();
    this.running = run;
    try {
      return await run;
    } finally {
      this.running = undefined;
    }
  }

  private async reloadNow(): Promise<{ tls: ReloadOutcome; policy: ReloadOutcome }> {
    const { logger, metrics } = this.deps;
    let tls: ReloadOutcome = 'unchanged';
    try {
      const material = await loadTlsMaterial(this.deps.files, this.deps.reader, this.deps.clock());
      const digest = digestOf(material);
      if (digest !== this.tlsDigest) {
        this.tlsMaterial = material;
        this.tlsDigest = digest;
        this.onTls(material);
        tls = 'applied';
        logger.log('info', 'reloaded the TLS certificate, key and client CA', {});
      }
    } catch (error) {
      tls = 'rejected';
      logger.log('error', 'kept the running TLS material: the new files are not valid', {
        reason: error instanceof Error ? error.message : String(error),
      });
    }
    if (tls !== 'unchanged') metrics.reloads.inc({ what: 'tls', result: tls });

    let policy: ReloadOutcome = 'unchanged';
    try {
      const loaded = await loadPolicy(this.deps.files.policy, {
        reader: this.deps.reader,
        now: this.deps.clock,
      });
      if (policyFingerprint(loaded) !== this.policyState?.fingerprint) {
        this.policyState = await this.stateOf(loaded);
        policy = 'applied';
        this.logPolicy('reloaded');
      }
    } catch (error) {
      policy = 'rejected';
      logger.log('error', 'kept the running policy: the new policy is not valid', {
        reason: error instanceof Error ? error.message : String(error),
      });
    }
    if (policy !== 'unchanged') metrics.reloads.inc({ what: 'policy', result: policy });
    return { tls, policy };
  }

  /** Reload every `intervalMs` until `stop()`. */
  start(intervalMs: number): void {
    this.stop();
    this.timer = setInterval(() => {
      void this.reload();
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async loadPolicyState(): Promise<PolicyState> {
    const loaded = await loadPolicy(this.deps.files.policy, {
      reader: this.deps.reader,
      now: this.deps.clock,
    });
    return this.stateOf(loaded);
  }

  private async stateOf(loaded: LoadedPolicyWithCertificates): Promise<PolicyState> {
    for (const warning of loaded.warnings) {
      this.deps.logger.log('warn', 'policy warning', { path: warning.path, reason: warning.message });
    }
    return {
      policy: loaded,
      verifier: await this.deps.verifierFor(loaded),
      fingerprint: policyFingerprint(loaded),
    };
  }

  private logPolicy(what: string): void {
    const state = this.policyState;
    if (state === undefined) return;
    this.deps.logger.log('info', `${what} the policy`, {
      policy: state.policy.policy.metadata.name,
      file: this.deps.files.policy,
      digest: state.policy.digest,
      fingerprint: state.fingerprint,
      scopes: state.policy.policy.spec.scopes.map((s) => s.name),
    });
  }
}

function digestOf(material: TlsMaterial): string {
  return createHash('sha256')
    .update(material.certPem)
    .update('\0')
    .update(material.keyPem)
    .update('\0')
    .update(material.clientCaPem ?? '')
    .digest('hex');
}
