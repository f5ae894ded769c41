/**
 * Builders for hostile envelopes and certificates, used by the hostile-corpus and fuzz tests.
 * They write raw JWS / COSE structures directly, so a test can break any rule on purpose.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { type CborKey, CborTag, type CborValue, encodeCbor } from '../cbor/cbor.js';
import { coseId, JWS_ALGORITHMS, signPrimitive } from '../envelope/algorithms.js';
import type { ApplicableTrustPolicy } from '../trust-policy/types.js';
import { verificationLevel } from '../trust-policy/verification-level.js';
import { MemoryTrustStore } from '../trust-store/memory-trust-store.js';
import { KEY_USAGE, OID } from '../x509/certificate.js';
import { buildCertificate, type CertificateSpec } from '../x509/certificate-builder.js';
import type { SignatureAlgorithm } from '../x509/key-spec.js';

export const SIGNING_TIME = '2026-01-01T00:00:00Z';
export const CTY = 'application/vnd.cncf.notary.payload.v1+json';
export const ARTIFACT = {
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: 'sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9',
  size: 517,
};
export const PAYLOAD = JSON.stringify({ targetArtifact: ARTIFACT });

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export const keys = {
  rsa2048: generateKeyPairSync('rsa', { modulusLength: 2048 }),
  rsa2048b: generateKeyPairSync('rsa', { modulusLength: 2048 }),
  rsa2048c: generateKeyPairSync('rsa', { modulusLength: 2048 }),
  rsa1024: generateKeyPairSync('rsa', { modulusLength: 1024 }),
  p256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
};

const VALIDITY = { notBefore: new Date('2025-01-01T00:00:00Z'), notAfter: new Date('2099-01-01T00:00:00Z') };

/** A self-signed code-signing leaf; `overrides` break one rule at a time. */
export function leafCertificate(
  key: KeyPair = keys.rsa2048,
  overrides: Partial<CertificateSpec> = {},
): Uint8Array {
  return buildCertificate({
    subject: [
      ['C', 'US'],
      ['O', 'Hostile'],
      ['CN', 'hostile leaf'],
    ],
    publicKey: key.publicKey,
    signingKey: key.privateKey,
    ...VALIDITY,
    basicConstraints: { ca: false },
    keyUsage: { bits: [KEY_USAGE.digitalSignature] },
    extKeyUsage: { oids: [OID.ekuCodeSigning] },
    ...overrides,
  });
}

/** A strict policy `policyName` (any identity) trusting `leaf` alone, through the store `ca:<storeName>`. */
export function trustingLeaf(
  leaf: Uint8Array,
  storeName: string,
  policyName: string,
): { store: MemoryTrustStore; policy: ApplicableTrustPolicy } {
  return {
    store: new MemoryTrustStore([{ type: 'ca', name: storeName, files: [{ name: 'leaf.crt', data: leaf }] }]),
    policy: {
      name: policyName,
      verificationLevel: verificationLevel('strict'),
      verifyTimestamp: 'always',
      trustStores: [`ca:${storeName}`],
      trustedIdentities: ['*'],
    },
  };
}

/** root (CA) ← intermediate (CA) ← leaf, each overridable. */
export function threeLevelChain(
  o: {
    root?: Partial<CertificateSpec>;
    intermediate?: Partial<CertificateSpec>;
    leaf?: Partial<CertificateSpec>;
  } = {},
): Uint8Array[] {
  const rootName = [['CN', 'hostile root']] as const;
  const interName = [['CN', 'hostile intermediate']] as const;
  const root = buildCertificate({
    subject: rootName,
    publicKey: keys.rsa2048c.publicKey,
    signingKey: keys.rsa2048c.privateKey,
    ...VALIDITY,
    basicConstraints: { ca: true },
    keyUsage: { bits: [KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign] },
    ...o.root,
  });
  const intermediate = buildCertificate({
    subject: interName,
    issuer: rootName,
    publicKey: keys.rsa2048b.publicKey,
    signingKey: keys.rsa2048c.privateKey,
    ...VALIDITY,
    basicConstraints: { ca: true },
    keyUsage: { bits: [KEY_USAGE.keyCertSign] },
    ...o.intermediate,
  });
  const leaf = buildCertificate({
    subject: [['CN', 'hostile chained leaf']],
    issuer: interName,
    publicKey: keys.rsa2048.publicKey,
    signingKey: keys.rsa2048b.privateKey,
    ...VALIDITY,
    basicConstraints: { ca: false },
    keyUsage: { bits: [KEY_USAGE.digitalSignature] },
    extKeyUsage: { oids: [OID.ekuCodeSigning] },
    ...o.leaf,
  });
  return [leaf, intermediate, root];
}

const b64u = (s: string | Uint8Array): string => Buffer.from(s).toString('base64url');

export function standardHeader(alg = 'PS256'): Record<string, unknown> {
  return {
    alg,
    crit: ['io.cncf.notary.signingScheme'],
    cty: CTY,
    'io.cncf.notary.signingScheme': 'notary.x509',
    'io.cncf.notary.signingTime': SIGNING_TIME,
  };
}

export interface JwsParts {
  /** An object (serialised with JSON.stringify) or the exact header JSON text. */
  header?: Record<string, unknown> | string;
  payload?: string;
  chain?: readonly Uint8Array[];
  key?: KeyObject;
  /** The algorithm actually used to sign (defaults to the header's `alg`, else PS256). */
  signWith?: SignatureAlgorithm;
  /** Post-process the JSON document (e.g. add members). */
  document?: (doc: Record<string, unknown>) => Record<string, unknown>;
  /** Replace the JSON text entirely after serialisation. */
  text?: (json: string) => string;
}

export function makeJws(parts: JwsParts = {}): Uint8Array {
  const header = parts.header ?? standardHeader();
  const headerText = typeof header === 'string' ? header : JSON.stringify(header);
  const alg =
    parts.signWith ??
    (typeof header === 'string' ? undefined : JWS_ALGORITHMS[String(header.alg)]) ??
    'RSASSA-PSS-SHA-256';
  const protectedB64 = b64u(headerText);
  const payloadB64 = b64u(parts.payload ?? PAYLOAD);
  const signature = signPrimitive(
    alg,
    parts.key ?? keys.rsa2048.privateKey,
    new TextEncoder().encode(`${protectedB64}.${payloadB64}`),
  );
  let doc: Record<string, unknown> = {
    payload: payloadB64,
    protected: protectedB64,
    header: { x5c: (parts.chain ?? [leafCertificate()]).map((c) => Buffer.from(c).toString('base64')) },
    signature: b64u(signature),
  };
  if (parts.document) doc = parts.document(doc);
  let text = JSON.stringify(doc);
  if (parts.text) text = parts.text(text);
  return new TextEncoder().encode(text);
}

export function standardCoseHeader(alg: SignatureAlgorithm = 'RSASSA-PSS-SHA-256'): Map<CborKey, CborValue> {
  return new Map<CborKey, CborValue>([
    [1, coseId(alg)],
    [2, ['io.cncf.notary.signingScheme']],
    [3, CTY],
    ['io.cncf.notary.signingScheme', 'notary.x509'],
    ['io.cncf.notary.signingTime', new CborTag(1, Date.parse(SIGNING_TIME) / 1000)],
  ]);
}

export interface CoseParts {
  protectedHeader?: Map<CborKey, CborValue> | Uint8Array;
  unprotected?: Map<CborKey, CborValue>;
  payload?: Uint8Array | null;
  chain?: readonly Uint8Array[];
  key?: KeyObject;
  signWith?: SignatureAlgorithm;
  /** Wrap the message differently (default: tag 18). */
  wrap?: (message: CborValue[]) => CborValue;
}

export function makeCose(parts: CoseParts = {}): Uint8Array {
  const protectedBytes =
    parts.protectedHeader instanceof Uint8Array
      ? parts.protectedHeader
      : encodeCbor(parts.protectedHeader ?? standardCoseHeader());
  const payload = parts.payload === undefined ? new TextEncoder().encode(PAYLOAD) : parts.payload;
  const sigStructure = encodeCbor([
    'Signature1',
    protectedBytes,
    new Uint8Array(0),
    payload ?? new Uint8Array(0),
  ]);
  const signature = signPrimitive(
    parts.signWith ?? 'RSASSA-PSS-SHA-256',
    parts.key ?? keys.rsa2048.privateKey,
    sigStructure,
  );
  const unprotected =
    parts.unprotected ??
    new Map<CborKey, CborValue>([[33, (parts.chain ?? [leafCertificate()]).map((c) => c)]]);
  const message: CborValue[] = [protectedBytes, unprotected, payload, signature];
  return encodeCbor(parts.wrap ? parts.wrap(message) : new CborTag(18, message));
}
