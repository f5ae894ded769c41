import { NotaryError } from '../errors.js';
import { formatRfc3339 } from '../x509/time-format.js';
import { JWS_ALGORITHMS, jwsName, verifyPrimitive } from './algorithms.js';
import { decodeBase64Std, decodeBase64Url, encodeBase64Url } from './base64url.js';
import { parseRfc3339 } from './header-time.js';
import { malformed, MAX_ENVELOPE_BYTES, parseChain, validateSignerInfo } from './signer-info.js';
import { parseStrictJson } from './strict-json.js';
import {
  type EnvelopeContent,
  type EnvelopeSigningInput,
  type ExtendedAttribute,
  HEADER,
  type HeaderTime,
  MEDIA_TYPE_JWS,
  type SigningScheme,
} from './types.js';

/** A JWS JSON serialization, structurally decoded but not yet verified. */
export interface JwsEnvelope {
  protected: string;
  payload: string;
  signature: string;
  x5c: Uint8Array[];
  signingAgent: string | undefined;
  timestampSignature: Uint8Array | undefined;
}

const TOP_LEVEL = new Set(['payload', 'protected', 'header', 'signature']);
const STANDARD_HEADERS = new Set([
  'alg',
  'cty',
  'crit',
  HEADER.signingScheme,
  HEADER.signingTime,
  HEADER.expiry,
  HEADER.authenticSigningTime,
]);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function invalid(message: string): NotaryError {
  return malformed(`signature is invalid. Error: ${message}`);
}

/** Decodes the JSON serialization (the step notation calls "parse the digital signature"). */
export function parseJws(bytes: Uint8Array): JwsEnvelope {
  if (bytes.length > MAX_ENVELOPE_BYTES) {
    throw malformed(`the JWS envelope is ${bytes.length} bytes, more than the ${MAX_ENVELOPE_BYTES} allowed`);
  }
  let doc: unknown;
  try {
    doc = parseStrictJson(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    throw malformed(
      `the JWS envelope is not valid JSON: ${err instanceof Error ? err.message : String(err)}`,
      err,
    );
  }
  if (!isRecord(doc)) throw malformed('the JWS envelope is not a JSON object');
  for (const key of Object.keys(doc)) {
    if (!TOP_LEVEL.has(key)) {
      throw malformed(
        `the JWS envelope has an unexpected member "${key}": only the flattened JSON serialization (payload, protected, header, signature) is supported`,
      );
    }
  }
  const str = (key: string): string => {
    const v = doc[key];
    if (typeof v !== 'string') throw malformed(`the JWS envelope member "${key}" must be a string`);
    return v;
  };
  const header = doc.header ?? {};
  if (!isRecord(header)) throw malformed('the JWS unprotected "header" must be a JSON object');
  const x5cRaw = header.x5c ?? [];
  if (!Array.isArray(x5cRaw) || !x5cRaw.every((c): c is string => typeof c === 'string')) {
    throw malformed('the JWS header "x5c" must be an array of base64 strings');
  }
  const x5c = x5cRaw.map((c, i) => {
    try {
      return decodeBase64Std(c);
    } catch (err) {
      throw malformed(`x5c certificate #${i + 1} is not valid base64: ${(err as Error).message}`, err);
    }
  });
  const agent = header[HEADER.signingAgent];
  if (agent !== undefined && typeof agent !== 'string') {
    throw malformed(`the JWS header "${HEADER.signingAgent}" must be a string`);
  }
  const tsRaw = header[HEADER.timestampSignature];
  let timestampSignature: Uint8Array | undefined;
  if (tsRaw !== undefined) {
    if (typeof tsRaw !== 'string')
      throw malformed(`the JWS header "${HEADER.timestampSignature}" must be a string`);
    try {
      timestampSignature = decodeBase64Std(tsRaw);
    } catch (err) {
      throw malformed(`the timestamp signature is not valid base64: ${(err as Error).message}`, err);
    }
  }
  return {
    protected: str('protected'),
    payload: str('payload'),
    signature: str('signature'),
    x5c,
    signingAgent: agent,
    timestampSignature,
  };
}

function headerTime(headers: Record<string, unknown>, key: string): HeaderTime | undefined {
  const v = headers[key];
  if (v === undefined) return undefined;
  const t = typeof v === 'string' ? parseRfc3339(v) : undefined;
  if (t === undefined) {
    throw malformed(`jws envelope protected header can't be decoded: "${key}" must be an RFC 3339 time`);
  }
  return t;
}

/** Verifies a parsed JWS envelope: signature, protected headers, chain rules, algorithm. */
export function verifyJws(env: JwsEnvelope): EnvelopeContent {
  const chain = parseChain(env.x5c);
  const leaf = chain[0];
  if (leaf === undefined) throw malformed('certificate chain is not set');

  // The JWT layer: header, algorithm, signature, payload.
  let protectedBytes: Uint8Array;
  try {
    protectedBytes = decodeBase64Url(env.protected);
  } catch (err) {
    throw invalid((err as Error).message);
  }
  let headers: unknown;
  try {
    headers = parseStrictJson(new TextDecoder('utf-8', { fatal: true }).decode(protectedBytes));
  } catch (err) {
    throw malformed(`jws envelope protected header can't be decoded: ${(err as Error).message}`, err);
  }
  if (!isRecord(headers))
    throw malformed("jws envelope protected header can't be decoded: not a JSON object");
  const algName = headers.alg;
  const alg = typeof algName === 'string' ? JWS_ALGORITHMS[algName] : undefined;
  if (alg === undefined) {
    throw new NotaryError(
      'ENVELOPE_UNSUPPORTED',
      `signature is invalid. Error: signing method ${JSON.stringify(algName ?? null)} is invalid (supported: PS256, PS384, PS512, ES256, ES384, ES512)`,
    );
  }
  let signature: Uint8Array;
  try {
    signature = decodeBase64Url(env.signature);
  } catch (err) {
    throw invalid((err as Error).message);
  }
  let payload: Uint8Array;
  try {
    payload = decodeBase64Url(env.payload);
  } catch (err) {
    throw invalid((err as Error).message);
  }
  const signingInput = new TextEncoder().encode(`${env.protected}.${env.payload}`);
  if (!verifyPrimitive(alg, leaf.publicKey, signingInput, signature, true)) {
    throw new NotaryError(
      'SIGNATURE_INVALID',
      `signature is invalid. Error: ${leaf.publicKey.asymmetricKeyType === 'ec' ? 'crypto/ecdsa' : 'crypto/rsa'}: verification error`,
    );
  }

  // The Notary layer: protected headers.
  const scheme = headers[HEADER.signingScheme];
  const cty = headers.cty;
  const crit = headers.crit;
  if (cty !== undefined && typeof cty !== 'string') {
    throw malformed(`jws envelope protected header can't be decoded: "cty" must be a string`);
  }
  if (
    crit !== undefined &&
    (!Array.isArray(crit) || !crit.every((c): c is string => typeof c === 'string'))
  ) {
    throw malformed(`jws envelope protected header can't be decoded: "crit" must be an array of strings`);
  }
  const signingTime = headerTime(headers, HEADER.signingTime);
  const authenticSigningTime = headerTime(headers, HEADER.authenticSigningTime);
  const expiry = headerTime(headers, HEADER.expiry);
  let signingScheme: SigningScheme;
  if (scheme === 'notary.x509') {
    signingScheme = scheme;
    if (authenticSigningTime !== undefined) {
      throw malformed(
        `"${HEADER.authenticSigningTime}" header must not be present for notary.x509 signing scheme`,
      );
    }
  } else if (scheme === 'notary.x509.signingAuthority') {
    signingScheme = scheme;
    if (signingTime !== undefined) {
      throw malformed(
        `"${HEADER.signingTime}" header must not be present for notary.x509.signingAuthority signing scheme`,
      );
    }
    if (authenticSigningTime === undefined) {
      throw malformed(
        `"${HEADER.authenticSigningTime}" header must be present for notary.x509.signingAuthority signing scheme`,
      );
    }
  } else {
    throw malformed(`unsupported SigningScheme: \`${typeof scheme === 'string' ? scheme : String(scheme)}\``);
  }
  const critList = crit ?? [];
  if (critList.length === 0) throw malformed('missing "crit" header');
  if (new Set(critList).size !== critList.length) throw malformed('"crit" header lists a header twice');
  const mustBeCritical = new Set<string>([HEADER.signingScheme]);
  if (expiry !== undefined) mustBeCritical.add(HEADER.expiry);
  if (signingScheme === 'notary.x509.signingAuthority') mustBeCritical.add(HEADER.authenticSigningTime);
  for (const key of critList) {
    if (mustBeCritical.delete(key)) continue;
    if (!(key in headers) || STANDARD_HEADERS.has(key)) {
      throw malformed(`"${key}" header is marked critical but not present`);
    }
  }
  if (mustBeCritical.size > 0) {
    throw malformed(`these required headers are not marked as critical: [${[...mustBeCritical].join(' ')}]`);
  }
  const extendedAttributes: ExtendedAttribute[] = Object.entries(headers)
    .filter(([key]) => !STANDARD_HEADERS.has(key))
    .map(([key, value]) => ({ key, critical: critList.includes(key), value }));
  const time = signingScheme === 'notary.x509' ? signingTime : authenticSigningTime;
  if (time === undefined) throw malformed('signing-time not present');

  const content: EnvelopeContent = {
    mediaType: MEDIA_TYPE_JWS,
    payloadContentType: cty ?? '',
    payload,
    signatureAlgorithm: alg,
    signingScheme,
    signingTime: time,
    expiry,
    extendedAttributes,
    certificateChain: chain,
    signature,
    timestampSignature: env.timestampSignature,
    signingAgent: env.signingAgent,
  };
  validateSignerInfo(content);
  return content;
}

/** What a JWS envelope signs, before the signature exists. */
export type JwsSigningInput = EnvelopeSigningInput;

/** The protected header notation writes: keys sorted (Go map order), crit as notation lists it. */
export function jwsProtectedHeader(input: JwsSigningInput): string {
  const h: Record<string, unknown> = {
    alg: jwsName(input.algorithm),
    cty: input.payloadContentType,
    [HEADER.signingScheme]: input.signingScheme,
  };
  const crit = [HEADER.signingScheme as string];
  for (const a of input.extendedAttributes ?? []) {
    if (STANDARD_HEADERS.has(a.key) || a.key in h) {
      throw new NotaryError('SIGNER_FAILED', `attribute key:${a.key} repeated`);
    }
    h[a.key] = a.value;
    if (a.critical) crit.push(a.key);
  }
  if (input.signingScheme === 'notary.x509') {
    h[HEADER.signingTime] = formatRfc3339(input.signingTime);
  } else {
    crit.push(HEADER.authenticSigningTime);
    h[HEADER.authenticSigningTime] = formatRfc3339(input.signingTime);
  }
  if (input.expiry !== undefined) {
    crit.push(HEADER.expiry);
    h[HEADER.expiry] = formatRfc3339(input.expiry);
  }
  h.crit = crit;
  const sorted = Object.fromEntries(Object.entries(h).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return encodeBase64Url(new TextEncoder().encode(JSON.stringify(sorted)));
}

/** The bytes the signature covers: ASCII(protected '.' payload). */
export function jwsSigningInput(protectedHeader: string, payload: Uint8Array): Uint8Array {
  return new TextEncoder().encode(`${protectedHeader}.${encodeBase64Url(payload)}`);
}

/** Assembles the JSON serialization notation writes. */
export function assembleJws(options: {
  protectedHeader: string;
  payload: Uint8Array;
  signature: Uint8Array;
  certificateChain: readonly Uint8Array[];
  signingAgent?: string;
  timestampSignature?: Uint8Array;
}): Uint8Array {
  const header: Record<string, unknown> = {
    x5c: options.certificateChain.map((c) => Buffer.from(c).toString('base64')),
  };
  if (options.signingAgent !== undefined) header[HEADER.signingAgent] = options.signingAgent;
  if (options.timestampSignature !== undefined) {
    header[HEADER.timestampSignature] = Buffer.from(options.timestampSignature).toString('base64');
  }
  const doc = {
    payload: encodeBase64Url(options.payload),
    protected: options.protectedHeader,
    header,
    signature: encodeBase64Url(options.signature),
  };
  return new TextEncoder().encode(JSON.stringify(doc));
}
