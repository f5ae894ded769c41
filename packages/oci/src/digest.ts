import { createHash, type Hash } from 'node:crypto';
import { OciError } from './errors.js';

/** Digest algorithms this store can verify, with the length of their hex encoding. */
const ALGORITHMS = { sha256: 64, sha512: 128 } as const;
export type DigestAlgorithm = keyof typeof ALGORITHMS;

/** The general digest grammar of the image spec (descriptor.md). */
const DIGEST_GRAMMAR = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

export interface ParsedDigest {
  algorithm: DigestAlgorithm;
  hex: string;
}

/**
 * Parse and validate a digest (`sha256:<64 lowercase hex>` or `sha512:<128 lowercase hex>`).
 * Throws `REFERENCE_INVALID` for anything else, naming what is wrong.
 */
export function parseDigest(digest: string): ParsedDigest {
  if (!DIGEST_GRAMMAR.test(digest)) {
    throw new OciError(
      'REFERENCE_INVALID',
      `invalid digest ${JSON.stringify(clip(digest))}: expected <algorithm>:<encoded>, e.g. sha256:<64 hex characters>`,
    );
  }
  const colon = digest.indexOf(':');
  const algorithm = digest.slice(0, colon);
  const hex = digest.slice(colon + 1);
  if (!isAlgorithm(algorithm)) {
    throw new OciError(
      'UNSUPPORTED',
      `unsupported digest algorithm "${algorithm}" in ${clip(digest)}: only sha256 and sha512 are verified`,
    );
  }
  const length = ALGORITHMS[algorithm];
  if (hex.length !== length || !/^[0-9a-f]+$/.test(hex)) {
    throw new OciError(
      'REFERENCE_INVALID',
      `invalid ${algorithm} digest ${JSON.stringify(clip(digest))}: expected ${length} lowercase hex characters`,
    );
  }
  return { algorithm, hex };
}

export function isDigest(value: string): boolean {
  try {
    parseDigest(value);
    return true;
  } catch {
    return false;
  }
}

function isAlgorithm(value: string): value is DigestAlgorithm {
  return Object.hasOwn(ALGORITHMS, value);
}

/** The sha256 digest of some bytes, `sha256:<hex>`. */
export function sha256Digest(content: Uint8Array): string {
  return `sha256:${createHash('sha256').update(content).digest('hex')}`;
}

/**
 * Incremental digest check: feed the bytes as they arrive, then `verify()` once at the end.
 * Used on every byte read from a registry or a layout.
 */
export class DigestVerifier {
  readonly expected: string;
  private readonly hash: Hash;
  private readonly parsed: ParsedDigest;
  private received = 0;

  constructor(expected: string) {
    this.parsed = parseDigest(expected);
    this.expected = expected;
    this.hash = createHash(this.parsed.algorithm);
  }

  update(chunk: Uint8Array): void {
    this.received += chunk.byteLength;
    this.hash.update(chunk);
  }

  get bytesReceived(): number {
    return this.received;
  }

  /** Throws `DIGEST_MISMATCH` (naming `what`) unless the bytes fed hash to the expected digest. */
  verify(what: string): void {
    const actual = `${this.parsed.algorithm}:${this.hash.digest('hex')}`;
    if (actual !== this.expected) {
      throw new OciError(
        'DIGEST_MISMATCH',
        `${what}: content does not match its digest (expected ${this.expected}, got ${actual}); the source served altered or corrupt content, nothing was accepted`,
      );
    }
  }
}

/** Verify whole content against a digest (and optionally a size). */
export function verifyContent(content: Uint8Array, digest: string, what: string, size?: number): void {
  if (size !== undefined && content.byteLength !== size) {
    throw new OciError(
      'SIZE_MISMATCH',
      `${what}: expected ${size} bytes, got ${content.byteLength}; the source served altered or truncated content, nothing was accepted`,
    );
  }
  const verifier = new DigestVerifier(digest);
  verifier.update(content);
  verifier.verify(what);
}

function clip(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}
