import { DigestVerifier } from '../digest.js';
import { OciError } from '../errors.js';
import type { HttpResponse } from './transport.js';

export interface ReadBodyOptions {
  /** What is being read, for messages, e.g. `blob sha256:… from localhost:5000/app`. */
  what: string;
  /** Refuse (and stop reading) past this many bytes. Content-Length is checked first but not trusted. */
  maxBytes: number;
  /** Verify the bytes against this digest as they arrive. */
  digest?: string;
  /** The exact size the content must have (descriptor size). */
  expectedSize?: number;
  /** How to raise `maxBytes`, for messages (default: the blob limit's options). */
  limitFix?: string;
}

/** How a caller raises the blob limit (the stores' `maxBlobBytes`, or one fetch's `maxBytes`). */
export const BLOB_LIMIT_FIX =
  'raise the maxBlobBytes option of the registry client or layout store, or maxBytes of this fetch, if a blob this large is expected';
/** How a caller raises the manifest limit (4 MiB, the distribution spec's bound). */
export const MANIFEST_LIMIT_FIX =
  'manifests are bounded to 4 MiB as the distribution spec recommends; pass maxBytes to fetchManifest if a larger one is expected';

/**
 * Throws `TOO_LARGE` (nothing read yet) when a descriptor announces more than `maxBytes`, naming
 * the limit and how to raise it.
 */
export function assertWithinLimit(
  what: string,
  size: number,
  maxBytes: number,
  limitFix = BLOB_LIMIT_FIX,
): void {
  if (size > maxBytes) {
    throw new OciError(
      'TOO_LARGE',
      `${what}: its descriptor says ${size} bytes, above the limit of ${maxBytes} bytes; nothing was read (${limitFix})`,
    );
  }
}

function tooLarge(what: string, bytes: number | string, options: ReadBodyOptions): OciError {
  const { maxBytes, expectedSize } = options;
  const bound =
    expectedSize !== undefined && expectedSize <= maxBytes
      ? `its descriptor says ${expectedSize} bytes`
      : `the limit is ${maxBytes} bytes (${options.limitFix ?? BLOB_LIMIT_FIX})`;
  return new OciError(
    'TOO_LARGE',
    `${what}: the server sent ${bytes} bytes but ${bound}; refused, nothing was accepted`,
  );
}

/**
 * Read a response body into memory with a hard byte cap, verifying the digest (and size) on
 * every byte. A Content-Length above the cap is refused before reading; a body that runs past the
 * cap (whatever Content-Length said) is cut off and refused.
 */
export async function readBody(response: HttpResponse, options: ReadBodyOptions): Promise<Uint8Array> {
  const { what, digest, expectedSize } = options;
  const cap = expectedSize !== undefined ? Math.min(expectedSize, options.maxBytes) : options.maxBytes;
  const declared = response.headers.get('content-length');
  if (declared !== undefined && /^\d+$/.test(declared.trim()) && Number(declared) > cap) {
    response.discard();
    throw tooLarge(what, `${declared} (Content-Length)`, options);
  }
  if (expectedSize !== undefined && expectedSize > options.maxBytes) {
    response.discard();
    assertWithinLimit(what, expectedSize, options.maxBytes, options.limitFix);
  }
  const verifier = digest === undefined ? undefined : new DigestVerifier(digest);
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for await (const chunk of response.body) {
      total += chunk.byteLength;
      if (total > cap) throw tooLarge(what, `more than ${cap}`, options);
      verifier?.update(chunk);
      chunks.push(chunk);
    }
  } catch (error) {
    response.discard();
    throw error;
  }
  if (expectedSize !== undefined && total !== expectedSize) {
    throw new OciError(
      'SIZE_MISMATCH',
      `${what}: expected ${expectedSize} bytes, got ${total}; the server sent truncated or altered content, nothing was accepted`,
    );
  }
  verifier?.verify(what);
  return concat(chunks, total);
}

export function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  const only = chunks.length === 1 ? chunks[0] : undefined;
  // A plain Uint8Array view (not a Buffer), so callers see one type whatever the source.
  if (only !== undefined) return new Uint8Array(only.buffer, only.byteOffset, only.byteLength);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** Read a small body as text (error documents, token answers), capped; never throws on size. */
export async function readSmallText(response: HttpResponse, maxBytes = 64 * 1024): Promise<string> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for await (const chunk of response.body) {
      const room = maxBytes - total;
      if (room <= 0) break;
      const piece = chunk.byteLength > room ? chunk.subarray(0, room) : chunk;
      chunks.push(piece);
      total += piece.byteLength;
      if (total >= maxBytes) break;
    }
  } catch {
    // An error document that cannot be read is reported without its text.
  } finally {
    response.discard();
  }
  return new TextDecoder().decode(concat(chunks, total));
}
