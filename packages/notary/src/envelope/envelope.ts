import { NotaryError } from '../errors.js';
import type { Descriptor } from '../types.js';
import { type CoseEnvelope, parseCose, verifyCose } from './cose.js';
import { type JwsEnvelope, parseJws, verifyJws } from './jws.js';
import { parseStrictJson } from './strict-json.js';
import { type EnvelopeContent, MEDIA_TYPE_COSE, MEDIA_TYPE_JWS, MEDIA_TYPE_PAYLOAD_V1 } from './types.js';

export type ParsedEnvelope =
  | { mediaType: typeof MEDIA_TYPE_JWS; jws: JwsEnvelope }
  | { mediaType: typeof MEDIA_TYPE_COSE; cose: CoseEnvelope };

/**
 * Decodes an envelope of the given media type (the step notation reports as "unable to parse the
 * digital signature"). Throws NotaryError ENVELOPE_UNSUPPORTED or ENVELOPE_MALFORMED.
 */
export function parseEnvelope(mediaType: string, bytes: Uint8Array): ParsedEnvelope {
  if (mediaType === MEDIA_TYPE_JWS) return { mediaType, jws: parseJws(bytes) };
  if (mediaType === MEDIA_TYPE_COSE) return { mediaType, cose: parseCose(bytes) };
  throw new NotaryError(
    'ENVELOPE_UNSUPPORTED',
    `signature envelope format with media type ${JSON.stringify(mediaType)} is not supported`,
  );
}

/**
 * Verifies the integrity of a parsed envelope: signature with the leaf key, spec headers,
 * certificate-chain rules and the algorithm ↔ key match. Throws NotaryError on any failure.
 */
export function verifyEnvelope(parsed: ParsedEnvelope): EnvelopeContent {
  return parsed.mediaType === MEDIA_TYPE_JWS ? verifyJws(parsed.jws) : verifyCose(parsed.cose);
}

/** parseEnvelope then verifyEnvelope. */
export function verifyEnvelopeBytes(mediaType: string, bytes: Uint8Array): EnvelopeContent {
  return verifyEnvelope(parseEnvelope(mediaType, bytes));
}

const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/**
 * The payload's `targetArtifact` after the content type check. Throws NotaryError
 * ENVELOPE_MALFORMED / ENVELOPE_UNSUPPORTED naming what is wrong.
 */
export function parsePayload(content: Pick<EnvelopeContent, 'payloadContentType' | 'payload'>): Descriptor {
  if (content.payloadContentType !== MEDIA_TYPE_PAYLOAD_V1) {
    throw new NotaryError(
      'ENVELOPE_UNSUPPORTED',
      `payload content type ${JSON.stringify(content.payloadContentType)} not supported`,
    );
  }
  let doc: unknown;
  try {
    doc = parseStrictJson(new TextDecoder('utf-8', { fatal: true }).decode(content.payload));
  } catch (err) {
    throw new NotaryError(
      'ENVELOPE_MALFORMED',
      `the signed payload is not valid JSON: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  const target =
    typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>).targetArtifact : undefined;
  if (typeof target !== 'object' || target === null || Array.isArray(target)) {
    throw new NotaryError('ENVELOPE_MALFORMED', 'the signed payload has no "targetArtifact" descriptor');
  }
  const t = target as Record<string, unknown>;
  if (typeof t.mediaType !== 'string' || t.mediaType === '') {
    throw new NotaryError('ENVELOPE_MALFORMED', 'the signed targetArtifact has no "mediaType"');
  }
  if (typeof t.digest !== 'string' || !DIGEST.test(t.digest)) {
    throw new NotaryError('ENVELOPE_MALFORMED', 'the signed targetArtifact has no valid "digest"');
  }
  if (typeof t.size !== 'number' || !Number.isSafeInteger(t.size) || t.size < 0) {
    throw new NotaryError('ENVELOPE_MALFORMED', 'the signed targetArtifact has no valid "size"');
  }
  const descriptor: Descriptor = { mediaType: t.mediaType, digest: t.digest, size: t.size };
  if (t.annotations !== undefined) {
    if (
      typeof t.annotations !== 'object' ||
      t.annotations === null ||
      Array.isArray(t.annotations) ||
      !Object.values(t.annotations).every((v) => typeof v === 'string')
    ) {
      throw new NotaryError(
        'ENVELOPE_MALFORMED',
        'the signed targetArtifact "annotations" must map strings to strings',
      );
    }
    descriptor.annotations = t.annotations as Record<string, string>;
  }
  return descriptor;
}
