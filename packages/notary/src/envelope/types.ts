import type { Certificate } from '../x509/certificate.js';
import type { SignatureAlgorithm } from '../x509/key-spec.js';

export const MEDIA_TYPE_JWS = 'application/jose+json';
export const MEDIA_TYPE_COSE = 'application/cose';
export const MEDIA_TYPE_PAYLOAD_V1 = 'application/vnd.cncf.notary.payload.v1+json';

export type EnvelopeMediaType = typeof MEDIA_TYPE_JWS | typeof MEDIA_TYPE_COSE;
export type SigningScheme = 'notary.x509' | 'notary.x509.signingAuthority';

export const HEADER = {
  signingScheme: 'io.cncf.notary.signingScheme',
  signingTime: 'io.cncf.notary.signingTime',
  authenticSigningTime: 'io.cncf.notary.authenticSigningTime',
  expiry: 'io.cncf.notary.expiry',
  signingAgent: 'io.cncf.notary.signingAgent',
  timestampSignature: 'io.cncf.notary.timestampSignature',
  verificationPlugin: 'io.cncf.notary.verificationPlugin',
  verificationPluginMinVersion: 'io.cncf.notary.verificationPluginMinVersion',
} as const;

/** A time read from a header, with the UTC offset it was written in (Go prints it back). */
export interface HeaderTime {
  date: Date;
  offsetMinutes: number;
}

/** A signed attribute that is not one of the standard ones. */
export interface ExtendedAttribute {
  key: string;
  critical: boolean;
  value: unknown;
}

/** What an envelope (JWS or COSE) signs, before the signature exists. */
export interface EnvelopeSigningInput {
  algorithm: SignatureAlgorithm;
  payload: Uint8Array;
  payloadContentType: string;
  signingScheme: SigningScheme;
  signingTime: Date;
  expiry?: Date;
  /** Extra signed attributes; `critical` ones are listed in `crit`. */
  extendedAttributes?: ExtendedAttribute[];
}

/**
 * The content of an envelope whose integrity has been verified: the primitive signature checks
 * with the leaf key, the headers follow the spec, the x5c chain follows the certificate rules and
 * the algorithm matches the leaf key. Authenticity (trust store), identity, expiry, timestamp and
 * revocation are not decided here.
 */
export interface EnvelopeContent {
  mediaType: EnvelopeMediaType;
  payloadContentType: string;
  payload: Uint8Array;
  signatureAlgorithm: SignatureAlgorithm;
  signingScheme: SigningScheme;
  /** Signing time (notary.x509) or authentic signing time (notary.x509.signingAuthority). */
  signingTime: HeaderTime;
  expiry: HeaderTime | undefined;
  extendedAttributes: ExtendedAttribute[];
  /** Leaf first, root last. */
  certificateChain: Certificate[];
  signature: Uint8Array;
  timestampSignature: Uint8Array | undefined;
  signingAgent: string | undefined;
}
