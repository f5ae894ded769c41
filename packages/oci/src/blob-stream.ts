import { DigestVerifier } from './digest.js';
import { OciError } from './errors.js';
import type { Descriptor, FetchOptions } from './types.js';

/**
 * Stores that move blobs without holding them in memory (both backends do). A fetched stream
 * verifies as it goes and throws at its end (after the last chunk, before the caller can commit)
 * when the size or digest is wrong; a push commits only after the whole stream verified.
 */
export interface BlobStreaming {
  fetchBlobStream(descriptor: Descriptor, options?: FetchOptions): Promise<AsyncIterable<Uint8Array>>;
  pushBlobStream(
    descriptor: Descriptor,
    chunks: AsyncIterable<Uint8Array>,
    options?: { signal?: AbortSignal },
  ): Promise<void>;
}

export function isBlobStreaming(store: object): store is BlobStreaming {
  const candidate = store as Partial<BlobStreaming>;
  return typeof candidate.fetchBlobStream === 'function' && typeof candidate.pushBlobStream === 'function';
}

/**
 * Pass chunks through, counting and hashing: past `min(expectedSize, maxBytes)` bytes it throws
 * TOO_LARGE at once; at the end it throws SIZE_MISMATCH or DIGEST_MISMATCH.
 */
export async function* verifiedChunks(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: { what: string; digest: string; expectedSize: number; maxBytes: number },
): AsyncGenerator<Uint8Array> {
  const { what, digest, expectedSize, maxBytes } = options;
  const cap = Math.min(expectedSize, maxBytes);
  const verifier = new DigestVerifier(digest);
  let total = 0;
  for await (const chunk of source) {
    total += chunk.byteLength;
    if (total > cap) {
      throw new OciError(
        'TOO_LARGE',
        `${what}: the source sent more than ${cap} bytes but ${expectedSize <= maxBytes ? `its descriptor says ${expectedSize} bytes` : `the limit is ${maxBytes} bytes`}; refused, nothing was accepted`,
      );
    }
    verifier.update(chunk);
    yield chunk;
  }
  if (total !== expectedSize) {
    throw new OciError(
      'SIZE_MISMATCH',
      `${what}: expected ${expectedSize} bytes, got ${total}; the source sent truncated or altered content, nothing was accepted`,
    );
  }
  verifier.verify(what);
}

/** The bound of `verifiedChunks` for content pushed under `descriptor`: exactly its size and digest. */
export function descriptorBound(
  descriptor: Descriptor,
  what: string,
): { what: string; digest: string; expectedSize: number; maxBytes: number } {
  return { what, digest: descriptor.digest, expectedSize: descriptor.size, maxBytes: descriptor.size };
}

/** Stop a stream we will not read (releases its connection or file). */
export async function release(chunks: AsyncIterable<Uint8Array>): Promise<void> {
  await chunks[Symbol.asyncIterator]().return?.();
}
