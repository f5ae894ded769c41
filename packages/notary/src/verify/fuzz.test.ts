import { describe, expect, it } from 'vitest';
import { verifyEnvelopeBytes } from '../envelope/envelope.js';
import { NotaryError } from '../errors.js';
import {
  ARTIFACT,
  leafCertificate,
  makeCose,
  makeJws,
  trustingLeaf,
} from './hostile-fixtures.test-support.js';
import { verifySignature } from './verify-signature.js';

/** mulberry32: a small deterministic PRNG, so every run mutates the same way. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(input: Uint8Array, rand: () => number): Uint8Array {
  const bytes = Array.from(input);
  const int = (n: number): number => Math.floor(rand() * n);
  const rounds = 1 + int(3);
  for (let r = 0; r < rounds; r++) {
    const at = int(bytes.length);
    switch (int(7)) {
      case 0:
        bytes[at] = (bytes[at] ?? 0) ^ (1 << int(8));
        break;
      case 1:
        bytes[at] = int(256);
        break;
      case 2:
        bytes.splice(at, 0, int(256));
        break;
      case 3:
        bytes.splice(at, 1 + int(16));
        break;
      case 4:
        bytes.length = at;
        break;
      case 5: {
        const len = 1 + int(32);
        bytes.splice(at, 0, ...bytes.slice(at, at + len));
        break;
      }
      default: {
        // swap two bytes far apart
        const other = int(bytes.length);
        const tmp = bytes[at] ?? 0;
        bytes[at] = bytes[other] ?? 0;
        bytes[other] = tmp;
      }
    }
  }
  return Uint8Array.from(bytes);
}

const ITERATIONS = 2500;
const leaf = leafCertificate();
const { store, policy } = trustingLeaf(leaf, 'fuzz', 'fuzz');

describe.each([
  ['JWS', 'application/jose+json', makeJws({ chain: [leaf] }), 0x5eed0001],
  ['COSE', 'application/cose', makeCose({ chain: [leaf] }), 0x5eed0002],
])('fuzzing %s envelopes (seeded, deterministic)', (_name, mediaType, original, seed) => {
  const baseline = verifyEnvelopeBytes(mediaType, original);

  it(`never accepts a mutation that changes what was signed, never crashes, over ${ITERATIONS} mutations`, async () => {
    const rand = prng(seed);
    let rejected = 0;
    let accepted = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      const mutated = mutate(original, rand);
      // The envelope layer throws only NotaryError.
      try {
        verifyEnvelopeBytes(mediaType, mutated);
      } catch (err) {
        if (!(err instanceof NotaryError))
          throw new Error(`mutation #${i} threw a non-NotaryError`, { cause: err });
      }
      // The verifier never throws for bad input; it answers.
      const outcome = await verifySignature({
        envelope: mutated,
        envelopeMediaType: mediaType,
        artifact: ARTIFACT,
        policy,
        trustStore: store,
        clock: () => new Date('2026-06-01T00:00:00Z'),
        revocationChecker: () => Promise.resolve({ result: 'ok' }),
      });
      if (outcome.accepted) {
        // Only mutations of unsigned bytes (e.g. JSON whitespace, an unprotected header) may pass:
        // the verified signature and payload must be exactly the original ones.
        const content = verifyEnvelopeBytes(mediaType, mutated);
        expect(Buffer.compare(content.signature, baseline.signature)).toBe(0);
        expect(Buffer.compare(content.payload, baseline.payload)).toBe(0);
        expect(content.signingTime.date.getTime()).toBe(baseline.signingTime.date.getTime());
        accepted++;
      } else {
        expect(outcome.error).toBeTypeOf('string');
        rejected++;
      }
    }
    expect(rejected + accepted).toBe(ITERATIONS);
    expect(rejected).toBeGreaterThan(ITERATIONS * 0.9);
  });
});
