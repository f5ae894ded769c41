import path from 'node:path';
import type { PolicyProblem } from '../errors.js';
import { PolicyError } from '../errors.js';
import { CertificateFileError, parseCertificates } from './certificates.js';
import { parsePolicyWithSource } from './parse-policy.js';
import type { LoadedPolicy, TrustStoreType } from './types.js';
import { formatFieldPath } from './yaml-source.js';

/** The file reads `loadPolicy` needs; tests pass a plain object. */
export interface PolicyFileReader {
  readFile(file: string): Promise<Uint8Array>;
}

/** A loaded policy plus the certificates of its file and inline trust stores, as DER. */
export interface LoadedPolicyWithCertificates extends LoadedPolicy {
  /** Key `<type>:<name>`; Azure Key Vault stores are absent (fetched when verifying). */
  certificates: ReadonlyMap<`${TrustStoreType}:${string}`, readonly Uint8Array[]>;
}

function describeReadError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT') return 'does not exist';
  if (code === 'EACCES' || code === 'EPERM') return 'cannot be read (permission denied)';
  if (code === 'EISDIR') return 'is a directory, not a file';
  return `cannot be read (${error instanceof Error ? error.message : String(error)})`;
}

/**
 * Read, parse and validate a policy file, then read every trust store certificate file it names
 * (relative to the policy's directory) and check each holds certificates. Throws `PolicyError`:
 * `POLICY_FILE` when the policy itself cannot be read, `POLICY_INVALID` for every other problem.
 */
export async function loadPolicy(
  file: string,
  deps: { reader: PolicyFileReader; now: () => Date },
): Promise<LoadedPolicyWithCertificates> {
  let bytes: Uint8Array;
  try {
    bytes = await deps.reader.readFile(file);
  } catch (error) {
    throw new PolicyError(
      [
        {
          path: '',
          message: `the policy file ${file} ${describeReadError(error)}`,
          fix: 'check the --policy path (relative paths are from the current directory)',
        },
      ],
      { code: 'POLICY_FILE', cause: error },
    );
  }
  const text = Buffer.from(bytes).toString('utf8');
  const { loaded, source } = parsePolicyWithSource(text, {
    file,
    baseDir: path.dirname(path.resolve(file)),
    now: deps.now(),
  });

  const problems: PolicyProblem[] = [];
  const certificates = new Map<`${TrustStoreType}:${string}`, Uint8Array[]>();
  const scopes = loaded.policy.spec.scopes;
  for (const [i, scope] of scopes.entries()) {
    for (const [j, store] of scope.signature.trustStores.entries()) {
      const key = `${store.type}:${store.name}` as const;
      if (certificates.has(key)) continue;
      if (store.source === 'inline') {
        certificates.set(key, parseCertificates(store.pem));
        continue;
      }
      if (store.source !== 'files') continue;
      const ders: Uint8Array[] = [];
      for (const [k, certificateFile] of store.certificates.entries()) {
        const at = ['spec', 'scopes', i, 'signature', 'trustStores', j, 'certificates', k];
        const position = source.positionOf(at);
        const where = position === undefined ? {} : { position };
        let content: Uint8Array;
        try {
          content = await deps.reader.readFile(certificateFile);
        } catch (error) {
          problems.push({
            path: formatFieldPath(at),
            message: `the certificate file ${certificateFile} of trust store ${key} ${describeReadError(error)}`,
            fix: 'correct the path (relative paths are from the policy file directory) or create the file with the trusted root certificate',
            ...where,
          });
          continue;
        }
        try {
          ders.push(...parseCertificates(content));
        } catch (error) {
          if (!(error instanceof CertificateFileError)) throw error;
          problems.push({
            path: formatFieldPath(at),
            message: `the certificate file ${certificateFile} of trust store ${key} ${error.message}`,
            fix: 'point it at a PEM or DER certificate file (e.g. made by `scs cert generate-test` or exported from Key Vault)',
            ...where,
          });
        }
      }
      certificates.set(key, ders);
    }
  }
  if (problems.length > 0) throw new PolicyError(problems, { file });
  return { ...loaded, certificates };
}
