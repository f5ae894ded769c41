import * as nodeFs from 'node:fs/promises';
import path from 'node:path';
import { NotaryError } from '../errors.js';
import type { TrustStore, TrustStoreType } from '../types.js';
import type { Certificate } from '../x509/certificate.js';
import { parseCertificateFile } from './certificate-file.js';
import { goQuote } from './go-format.js';
import { checkStoreReference } from './store-reference.js';
import { checkRootCaCertificate, validateTrustStoreCertificates } from './validate-trust-anchors.js';

/** The file-system calls a directory trust store makes (node:fs/promises fits). */
export interface TrustStoreFs {
  lstat(p: string): Promise<{ isDirectory(): boolean; isSymbolicLink(): boolean }>;
  readdir(
    p: string,
    options: { withFileTypes: true },
  ): Promise<Array<{ name: string; isDirectory(): boolean; isSymbolicLink(): boolean }>>;
  readFile(p: string): Promise<Uint8Array>;
}

function storeError(message: string, cause?: unknown): NotaryError {
  return new NotaryError('TRUST_STORE_INVALID', message, cause === undefined ? undefined : { cause });
}

function isNotFound(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 'ENOENT';
}

/**
 * notation's X.509 trust store over a directory laid out as `x509/<type>/<name>/<files>`
 * (`root` is the `truststore` directory). Reads PEM or DER files; rejects symlinks, sub
 * directories, unreadable or malformed files, certificates that are neither CA nor self-signed,
 * and non-root certificates in `tsa` stores — each with notation's message. Nothing is cached:
 * every call reads the directory again (the verifier loads each store once per verification).
 */
export class DirectoryTrustStore implements TrustStore {
  constructor(
    private readonly root: string,
    private readonly fs: TrustStoreFs = nodeFs,
  ) {}

  async certificates(type: TrustStoreType, name: string): Promise<Uint8Array[]> {
    return (await this.parsedCertificates(type, name)).map((c) => c.der);
  }

  async parsedCertificates(type: TrustStoreType, name: string): Promise<Certificate[]> {
    checkStoreReference(type, name);
    const dir = path.join(this.root, 'x509', type, name);
    let info;
    try {
      info = await this.fs.lstat(dir);
    } catch (e) {
      if (isNotFound(e))
        throw storeError(`the trust store ${goQuote(name)} of type ${goQuote(type)} does not exist`, e);
      throw storeError(`failed to access the trust store ${goQuote(name)} of type ${goQuote(type)}`, e);
    }
    if (!info.isDirectory() || info.isSymbolicLink()) {
      throw storeError(
        `the trust store ${name} of type ${type} with path ${dir} is not a regular directory (symlinks are not supported)`,
      );
    }
    let entries;
    try {
      entries = await this.fs.readdir(dir, { withFileTypes: true });
    } catch (e) {
      throw storeError(`failed to access the trust store ${goQuote(name)} of type ${goQuote(type)}`, e);
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const out: Certificate[] = [];
    for (const entry of entries) {
      const file = entry.name;
      if (entry.isDirectory() || entry.isSymbolicLink()) {
        throw storeError(
          `trusted certificate ${file} in trust store ${name} of type ${type} is not a regular file (directories or symlinks are not supported)`,
        );
      }
      let certs: Certificate[];
      try {
        certs = parseCertificateFile(await this.fs.readFile(path.join(dir, file)));
      } catch (e) {
        throw storeError(
          `failed to read the trusted certificate ${file} in trust store ${name} of type ${type}`,
          e,
        );
      }
      out.push(...checkStoreFile(certs, file, name, type));
    }
    if (out.length < 1)
      throw storeError(
        `no x509 certificates were found in trust store ${goQuote(name)} of type ${goQuote(type)}`,
      );
    return out;
  }
}

/** The checks notation applies to each file of a store; returns the certificates or throws. */
export function checkStoreFile(
  certs: Certificate[],
  file: string,
  name: string,
  type: TrustStoreType,
): Certificate[] {
  const invalid = validateTrustStoreCertificates(certs);
  if (invalid !== undefined) {
    throw storeError(
      `failed to validate the trusted certificate ${file} in trust store ${name} of type ${type}`,
      new Error(invalid),
    );
  }
  if (type === 'tsa') {
    for (const cert of certs) {
      const err = checkRootCaCertificate(cert);
      if (err !== undefined)
        throw storeError(
          `trusted certificate ${file} in trust store ${name} of type ${type} is invalid: ${err}`,
        );
    }
  }
  return certs;
}
