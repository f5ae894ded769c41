import { CborError, type CborKey, CborTag, type CborValue, decodeCbor, encodeCbor } from '../cbor/cbor.js';
import { NotaryError } from '../errors.js';
import { COSE_ALGORITHMS, coseId, verifyPrimitive } from './algorithms.js';
import { malformed, MAX_ENVELOPE_BYTES, parseChain, validateSignerInfo } from './signer-info.js';
import {
  type EnvelopeContent,
  type EnvelopeSigningInput,
  type ExtendedAttribute,
  HEADER,
  type HeaderTime,
  MEDIA_TYPE_COSE,
  type SigningScheme,
} from './types.js';

const LABEL_ALG = 1;
const LABEL_CRIT = 2;
const LABEL_CONTENT_TYPE = 3;
const LABEL_X5CHAIN = 33;
const COSE_SIGN1_TAG = 18;

const SYSTEM_HEADERS: CborKey[] = [
  LABEL_ALG,
  LABEL_CRIT,
  LABEL_CONTENT_TYPE,
  HEADER.expiry,
  HEADER.signingScheme,
  HEADER.signingTime,
  HEADER.authenticSigningTime,
];

/** A COSE_Sign1_Tagged message, structurally decoded but not yet verified. */
export interface CoseEnvelope {
  rawProtected: Uint8Array;
  protected: Map<CborKey, CborValue>;
  unprotected: Map<CborKey, CborValue>;
  payload: Uint8Array;
  signature: Uint8Array;
}

function invalid(message: string): NotaryError {
  return malformed(message);
}

function asMap(v: CborValue, what: string): Map<CborKey, CborValue> {
  if (!(v instanceof Map)) throw invalid(`${what} must be a CBOR map`);
  return v;
}

/** Decodes COSE_Sign1_Tagged and its protected header map (go-cose's Unmarshal step). */
export function parseCose(bytes: Uint8Array): CoseEnvelope {
  if (bytes.length > MAX_ENVELOPE_BYTES) {
    throw malformed(
      `the COSE envelope is ${bytes.length} bytes, more than the ${MAX_ENVELOPE_BYTES} allowed`,
    );
  }
  let top: CborValue;
  try {
    top = decodeCbor(bytes);
  } catch (err) {
    throw malformed(`the COSE envelope is not valid CBOR: ${(err as Error).message}`, err);
  }
  if (!(top instanceof CborTag) || top.tag !== COSE_SIGN1_TAG) {
    throw malformed('cbor: invalid COSE_Sign1_Tagged object: the envelope must start with CBOR tag 18');
  }
  const msg = top.value;
  if (!Array.isArray(msg) || msg.length !== 4) {
    throw malformed('cbor: invalid COSE_Sign1 object: expected an array of 4 items');
  }
  const [rawProtected, unprotectedValue, payload, signature] = msg;
  if (!(rawProtected instanceof Uint8Array))
    throw malformed('cose: the protected header must be a byte string');
  if (payload === null) throw malformed('cose: detached payloads are not supported');
  if (!(payload instanceof Uint8Array)) throw malformed('cose: the payload must be a byte string');
  if (!(signature instanceof Uint8Array)) throw malformed('cose: the signature must be a byte string');
  const unprotected = asMap(unprotectedValue, 'the unprotected header');
  let protectedValue: CborValue;
  try {
    protectedValue = rawProtected.length === 0 ? new Map() : decodeCbor(rawProtected);
  } catch (err) {
    throw malformed(
      `cose: the protected header is not valid CBOR: ${err instanceof CborError ? err.message : String(err)}`,
      err,
    );
  }
  const protectedMap = asMap(protectedValue, 'the protected header');
  for (const key of protectedMap.keys()) {
    if (unprotected.has(key)) {
      throw malformed(
        `cose: header parameter ${JSON.stringify(key)} is in both protected and unprotected buckets`,
      );
    }
  }
  return { rawProtected, protected: protectedMap, unprotected, payload, signature };
}

function parseTime(protectedMap: Map<CborKey, CborValue>, label: string, what: string): HeaderTime {
  const v = protectedMap.get(label);
  if (v === undefined) throw invalid(`invalid ${what}: protected header "${label}" is missing`);
  if (!(v instanceof CborTag))
    throw invalid(`invalid ${what}: header "${label}" time value does not have a tag`);
  if (v.tag !== 1) throw invalid(`invalid ${what}: only Tag \`1\` Datetime CBOR object is supported`);
  if (typeof v.value !== 'number' || !Number.isSafeInteger(v.value)) {
    throw invalid(`invalid ${what}: the Tag 1 Datetime must hold an integer number of seconds`);
  }
  const date = new Date(v.value * 1000);
  if (Number.isNaN(date.getTime())) throw invalid(`invalid ${what}: time out of range`);
  return { date, offsetMinutes: 0 };
}

/** Verifies a parsed COSE envelope: signature, protected headers, chain rules, algorithm. */
export function verifyCose(env: CoseEnvelope): EnvelopeContent {
  const p = env.protected;
  // x5chain: an array of byte strings (a lone byte string is also allowed by RFC 9360).
  const x5 = env.unprotected.get(LABEL_X5CHAIN);
  const chainDer = x5 instanceof Uint8Array ? [x5] : Array.isArray(x5) ? x5 : [];
  if (chainDer.length === 0 || !chainDer.every((c): c is Uint8Array => c instanceof Uint8Array)) {
    throw invalid('certificate chain is not present');
  }
  const chain = parseChain(chainDer);
  const leaf = chain[0];
  if (leaf === undefined) throw invalid('certificate chain is not present');

  const algId = p.get(LABEL_ALG);
  const alg = typeof algId === 'number' ? COSE_ALGORITHMS[algId] : undefined;
  if (alg === undefined) {
    throw new NotaryError(
      'ENVELOPE_UNSUPPORTED',
      `signature algorithm not supported: ${typeof algId === 'number' ? algId : JSON.stringify(typeof algId === 'string' ? algId : typeof algId)}`,
    );
  }
  const sigStructure = encodeCbor(['Signature1', env.rawProtected, new Uint8Array(0), env.payload]);
  if (!verifyPrimitive(alg, leaf.publicKey, sigStructure, env.signature)) {
    throw new NotaryError('SIGNATURE_INVALID', 'signature is invalid. Error: verification error');
  }

  // content type
  const cty = p.get(LABEL_CONTENT_TYPE);
  if (cty === undefined) throw invalid('missing content type');
  if (typeof cty !== 'string') throw invalid("content type should be of 'tstr' type");
  if (env.signature.length === 0) throw invalid('signature missing in COSE envelope');

  // critical headers
  const critValue = p.get(LABEL_CRIT);
  if (critValue === undefined) throw invalid('missing "crit" header');
  if (
    !Array.isArray(critValue) ||
    critValue.length === 0 ||
    !critValue.every((c): c is CborKey => typeof c === 'number' || typeof c === 'string')
  ) {
    throw invalid('cose: the "crit" header must be a non-empty array of labels');
  }
  if (new Set(critValue).size !== critValue.length) throw invalid('"crit" header lists a header twice');
  for (const label of critValue) {
    if (!p.has(label)) throw invalid(`"${String(label)}" header is marked critical but not present`);
  }
  const scheme = p.get(HEADER.signingScheme);
  if (typeof scheme !== 'string') throw invalid('invalid signingScheme');
  const mustBeCritical = new Set<CborKey>([HEADER.signingScheme]);
  if (scheme === 'notary.x509.signingAuthority') mustBeCritical.add(HEADER.authenticSigningTime);
  if (p.has(HEADER.expiry)) mustBeCritical.add(HEADER.expiry);
  for (const label of critValue) mustBeCritical.delete(label);
  if (mustBeCritical.size > 0) {
    throw invalid(`these required headers are not marked as critical: [${[...mustBeCritical].join(' ')}]`);
  }
  let signingScheme: SigningScheme;
  let timeLabel: string;
  if (scheme === 'notary.x509') {
    signingScheme = scheme;
    timeLabel = HEADER.signingTime;
    if (p.has(HEADER.authenticSigningTime)) {
      throw invalid(
        `"${HEADER.authenticSigningTime}" header must not be present for notary.x509 signing scheme`,
      );
    }
  } else if (scheme === 'notary.x509.signingAuthority') {
    signingScheme = scheme;
    timeLabel = HEADER.authenticSigningTime;
    if (p.has(HEADER.signingTime)) {
      throw invalid(
        `"${HEADER.signingTime}" header must not be present for notary.x509.signingAuthority signing scheme`,
      );
    }
  } else {
    throw invalid(`unsupported signingScheme: ${scheme}`);
  }
  const signingTime = parseTime(p, timeLabel, 'signingTime');
  const expiry = p.has(HEADER.expiry) ? parseTime(p, HEADER.expiry, 'expiry') : undefined;
  const extendedAttributes: ExtendedAttribute[] = [...p.entries()]
    .filter(([key]) => !SYSTEM_HEADERS.includes(key))
    .map(([key, value]) => ({ key: String(key), critical: critValue.includes(key), value }));

  const agent = env.unprotected.get(HEADER.signingAgent);
  const ts = env.unprotected.get(HEADER.timestampSignature);
  const content: EnvelopeContent = {
    mediaType: MEDIA_TYPE_COSE,
    payloadContentType: cty,
    payload: env.payload,
    signatureAlgorithm: alg,
    signingScheme,
    signingTime,
    expiry,
    extendedAttributes,
    certificateChain: chain,
    signature: env.signature,
    timestampSignature: ts instanceof Uint8Array ? ts : undefined,
    signingAgent: typeof agent === 'string' ? agent : undefined,
  };
  validateSignerInfo(content);
  return content;
}

/** What a COSE envelope signs, before the signature exists. */
export type CoseSigningInput = EnvelopeSigningInput;

/** The protected header bytes notation writes (deterministic CBOR, crit as notation orders it). */
export function coseProtectedHeader(input: CoseSigningInput): Uint8Array {
  const h = new Map<CborKey, CborValue>();
  const crit: CborKey[] = [HEADER.signingScheme];
  h.set(LABEL_ALG, coseId(input.algorithm));
  h.set(LABEL_CONTENT_TYPE, input.payloadContentType);
  h.set(HEADER.signingScheme, input.signingScheme);
  const seconds = (d: Date): number => Math.floor(d.getTime() / 1000);
  if (input.signingScheme === 'notary.x509') {
    h.set(HEADER.signingTime, new CborTag(1, seconds(input.signingTime)));
  } else {
    crit.push(HEADER.authenticSigningTime);
    h.set(HEADER.authenticSigningTime, new CborTag(1, seconds(input.signingTime)));
  }
  if (input.expiry !== undefined) {
    crit.push(HEADER.expiry);
    h.set(HEADER.expiry, new CborTag(1, seconds(input.expiry)));
  }
  for (const a of input.extendedAttributes ?? []) {
    if (h.has(a.key))
      throw new NotaryError('SIGNER_FAILED', `"${a.key}" already exists in the protected header`);
    h.set(a.key, toCbor(a.value, a.key));
    if (a.critical) crit.push(a.key);
  }
  h.set(LABEL_CRIT, crit);
  return encodeCbor(h);
}

function toCbor(value: unknown, key: string): CborValue {
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (value instanceof Uint8Array) return value;
  throw new NotaryError(
    'SIGNER_FAILED',
    `extended attribute "${key}" must be a string, integer, boolean or bytes`,
  );
}

/** The Sig_structure the signature covers. */
export function coseSigningInput(protectedHeader: Uint8Array, payload: Uint8Array): Uint8Array {
  return encodeCbor(['Signature1', protectedHeader, new Uint8Array(0), payload]);
}

/** Assembles COSE_Sign1_Tagged as notation writes it. */
export function assembleCose(options: {
  protectedHeader: Uint8Array;
  payload: Uint8Array;
  signature: Uint8Array;
  certificateChain: readonly Uint8Array[];
  signingAgent?: string;
  timestampSignature?: Uint8Array;
}): Uint8Array {
  const unprotected = new Map<CborKey, CborValue>();
  unprotected.set(
    LABEL_X5CHAIN,
    options.certificateChain.map((c) => new Uint8Array(c)),
  );
  if (options.signingAgent !== undefined) unprotected.set(HEADER.signingAgent, options.signingAgent);
  if (options.timestampSignature !== undefined) {
    unprotected.set(HEADER.timestampSignature, options.timestampSignature);
  }
  return encodeCbor(
    new CborTag(COSE_SIGN1_TAG, [options.protectedHeader, unprotected, options.payload, options.signature]),
  );
}
