import { assembleCose, coseProtectedHeader, coseSigningInput } from '../envelope/cose.js';
import { verifyEnvelopeBytes } from '../envelope/envelope.js';
import { assembleJws, jwsProtectedHeader, jwsSigningInput } from '../envelope/jws.js';
import {
  type EnvelopeMediaType,
  type ExtendedAttribute,
  MEDIA_TYPE_COSE,
  MEDIA_TYPE_JWS,
  MEDIA_TYPE_PAYLOAD_V1,
  type SigningScheme,
} from '../envelope/types.js';
import { NotaryError } from '../errors.js';
import type { Clock, Descriptor } from '../types.js';
import { validateCertificateChain } from '../x509/chain.js';
import { signatureAlgorithmFor } from '../x509/key-spec.js';
import type { Signer } from './signer.js';

export const DEFAULT_SIGNING_AGENT = 'scs-notary/0.1.0';

export interface SignArtifactOptions {
  signer: Signer;
  /** The artifact (manifest) being signed. */
  artifact: Descriptor;
  format: 'jws' | 'cose';
  clock: Clock;
  /** Signature lifetime; the expiry header is written when set. */
  expiresIn?: { seconds: number };
  /** User metadata: annotations of the signed targetArtifact. */
  userMetadata?: Readonly<Record<string, string>>;
  signingAgent?: string;
  signingScheme?: SigningScheme;
  /** Additional signed attributes (critical ones go into `crit`). */
  extendedAttributes?: ExtendedAttribute[];
}

export interface SignedEnvelope {
  mediaType: EnvelopeMediaType;
  envelope: Uint8Array;
  certificateChain: Uint8Array[];
  signingTime: Date;
  expiry: Date | undefined;
}

const RESERVED_PREFIX = 'io.cncf.notary';

/**
 * Signs an artifact descriptor as notation does: payload `{"targetArtifact": …}`, the protected
 * headers of the signing scheme, the algorithm the key mandates, the x5c chain; the chain must
 * follow the certificate rules at the signing time. The envelope is verified before it is
 * returned (a signer that returns a wrong signature is caught here).
 */
export async function signArtifact(options: SignArtifactOptions): Promise<SignedEnvelope> {
  const signingTime = new Date(Math.floor(options.clock().getTime() / 1000) * 1000);
  let expiry: Date | undefined;
  if (options.expiresIn !== undefined) {
    const s = options.expiresIn.seconds;
    if (!Number.isSafeInteger(s) || s <= 0) {
      throw new NotaryError('SIGNER_FAILED', `expiry must be a positive whole number of seconds, got ${s}`);
    }
    expiry = new Date(signingTime.getTime() + s * 1000);
  }
  const annotations = options.userMetadata ?? {};
  for (const key of Object.keys(annotations)) {
    if (key.startsWith(RESERVED_PREFIX)) {
      throw new NotaryError(
        'SIGNER_FAILED',
        `user metadata key "${key}" uses the reserved prefix ${RESERVED_PREFIX}`,
      );
    }
  }
  const target: Record<string, unknown> = {};
  if (Object.keys(annotations).length > 0) target.annotations = annotations;
  target.digest = options.artifact.digest;
  target.mediaType = options.artifact.mediaType;
  target.size = options.artifact.size;
  const payload = new TextEncoder().encode(JSON.stringify({ targetArtifact: target }));

  const spec = await options.signer.keySpec();
  const algorithm = signatureAlgorithmFor(spec);
  const chain = await options.signer.certificateChain();
  validateCertificateChain(chain, { purpose: 'codeSigning', at: signingTime });
  const input = {
    algorithm,
    payload,
    payloadContentType: MEDIA_TYPE_PAYLOAD_V1,
    signingScheme: options.signingScheme ?? 'notary.x509',
    signingTime,
    expiry,
    extendedAttributes: options.extendedAttributes,
  };
  const signingAgent = options.signingAgent ?? DEFAULT_SIGNING_AGENT;
  let envelope: Uint8Array;
  let mediaType: EnvelopeMediaType;
  try {
    if (options.format === 'jws') {
      const protectedHeader = jwsProtectedHeader(input);
      const signature = await options.signer.sign(jwsSigningInput(protectedHeader, payload), algorithm);
      envelope = assembleJws({ protectedHeader, payload, signature, certificateChain: chain, signingAgent });
      mediaType = MEDIA_TYPE_JWS;
    } else {
      const protectedHeader = coseProtectedHeader(input);
      const signature = await options.signer.sign(coseSigningInput(protectedHeader, payload), algorithm);
      envelope = assembleCose({ protectedHeader, payload, signature, certificateChain: chain, signingAgent });
      mediaType = MEDIA_TYPE_COSE;
    }
  } catch (err) {
    if (err instanceof NotaryError) throw err;
    throw new NotaryError(
      'SIGNER_FAILED',
      `the signer failed: ${err instanceof Error ? err.message : String(err)}`,
      {
        cause: err,
      },
    );
  }
  try {
    verifyEnvelopeBytes(mediaType, envelope);
  } catch (err) {
    throw new NotaryError(
      'SIGNER_FAILED',
      `the signer produced an envelope that does not verify: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  return { mediaType, envelope, certificateChain: chain, signingTime, expiry };
}
