import { describe, expect, it } from 'vitest';
import { DigestVerifier, parseDigest, sha256Digest, verifyContent } from './digest.js';
import type { OciError } from './errors.js';

const content = new TextEncoder().encode('awesome notation\n');
// The e2e.txt layer of the notation e2e layouts (vectors/INDEX.md section A).
const E2E_TXT = 'sha256:6de5fe1f75e4b1094c98086f403d5fd8117776ebe5aad1609281403d13dea070';

describe('digests', () => {
  it('computes sha256 like the notation vectors', () => {
    expect(sha256Digest(content)).toBe(E2E_TXT);
  });

  it('parses sha256 and sha512', () => {
    expect(parseDigest(E2E_TXT)).toEqual({ algorithm: 'sha256', hex: E2E_TXT.slice(7) });
    expect(parseDigest(`sha512:${'a'.repeat(128)}`).algorithm).toBe('sha512');
  });

  it.each([
    ['sha256:abc', 'REFERENCE_INVALID'],
    [`sha256:${'A'.repeat(64)}`, 'REFERENCE_INVALID'],
    [`sha512:${'a'.repeat(64)}`, 'REFERENCE_INVALID'],
    ['not a digest', 'REFERENCE_INVALID'],
    [`blake3:${'a'.repeat(64)}`, 'UNSUPPORTED'],
  ])('refuses %s with %s', (digest, code) => {
    expect(() => parseDigest(digest)).toThrow(expect.objectContaining({ code }) as OciError);
  });

  describe('when the content does not match', () => {
    it('reports DIGEST_MISMATCH with both digests', () => {
      const verifier = new DigestVerifier(E2E_TXT);
      verifier.update(new TextEncoder().encode('tampered'));
      expect(() => {
        verifier.verify('blob x');
      }).toThrow(/blob x: content does not match its digest \(expected sha256:6de5.*, got sha256:/);
    });

    it('reports SIZE_MISMATCH before hashing when the size differs', () => {
      expect(() => {
        verifyContent(content, E2E_TXT, 'blob y', 16);
      }).toThrow(expect.objectContaining({ code: 'SIZE_MISMATCH' }) as OciError);
    });
  });

  it('accepts matching content fed in pieces', () => {
    const verifier = new DigestVerifier(E2E_TXT);
    verifier.update(content.subarray(0, 5));
    verifier.update(content.subarray(5));
    expect(verifier.bytesReceived).toBe(17);
    expect(() => {
      verifier.verify('blob');
    }).not.toThrow();
  });
});
