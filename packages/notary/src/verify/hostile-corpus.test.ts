import { describe, expect, it } from 'vitest';
import { CborTag, type CborValue, encodeCbor } from '../cbor/cbor.js';
import { parsePayload, verifyEnvelopeBytes } from '../envelope/envelope.js';
import { NotaryError, type NotaryErrorCode } from '../errors.js';
import { KEY_USAGE, OID } from '../x509/certificate.js';
import { buildCertificate } from '../x509/certificate-builder.js';
import {
  ARTIFACT,
  CTY,
  keys,
  leafCertificate,
  makeCose,
  makeJws,
  PAYLOAD,
  SIGNING_TIME,
  standardCoseHeader,
  standardHeader,
  threeLevelChain,
  trustingLeaf,
} from './hostile-fixtures.test-support.js';
import { verifySignature } from './verify-signature.js';

const JWS = 'application/jose+json';
const COSE = 'application/cose';

/** Parse, verify integrity and read the payload: every hostile envelope must fail in here. */
function check(mediaType: string, bytes: Uint8Array): void {
  parsePayload(verifyEnvelopeBytes(mediaType, bytes));
}

function rejection(mediaType: string, bytes: Uint8Array): NotaryError {
  try {
    check(mediaType, bytes);
  } catch (err) {
    if (err instanceof NotaryError) return err;
    throw err;
  }
  throw new Error('the hostile envelope was accepted');
}

const header = (changes: Record<string, unknown>, remove: string[] = []): Record<string, unknown> => {
  return Object.fromEntries(
    Object.entries({ ...standardHeader(), ...changes }).filter(([k]) => !remove.includes(k)),
  );
};

const nested = (depth: number): Uint8Array => {
  const bytes = new Uint8Array(depth + 1).fill(0x81);
  bytes[depth] = 0x00;
  return bytes;
};

const certWithHugeChain = Array.from({ length: 11 }, () => leafCertificate());

type Case = [
  name: string,
  mediaType: string,
  build: () => Uint8Array,
  code: NotaryErrorCode,
  fragment: string,
];

const corpus: Case[] = [
  // --- JWS protected headers
  [
    'JWS unknown critical header absent from the header',
    JWS,
    () => makeJws({ header: header({ crit: ['io.cncf.notary.signingScheme', 'x-missing'] }) }),
    'ENVELOPE_MALFORMED',
    '"x-missing" header is marked critical but not present',
  ],
  [
    'JWS without crit',
    JWS,
    () => makeJws({ header: header({}, ['crit']) }),
    'ENVELOPE_MALFORMED',
    'missing "crit" header',
  ],
  [
    'JWS signing scheme not critical',
    JWS,
    () => makeJws({ header: header({ crit: ['x'], x: 1 }) }),
    'ENVELOPE_MALFORMED',
    'these required headers are not marked as critical: [io.cncf.notary.signingScheme]',
  ],
  [
    'JWS expiry not critical',
    JWS,
    () => makeJws({ header: header({ 'io.cncf.notary.expiry': '2099-01-01T00:00:00Z' }) }),
    'ENVELOPE_MALFORMED',
    'not marked as critical: [io.cncf.notary.expiry]',
  ],
  [
    'JWS crit listing a header twice',
    JWS,
    () =>
      makeJws({ header: header({ crit: ['io.cncf.notary.signingScheme', 'io.cncf.notary.signingScheme'] }) }),
    'ENVELOPE_MALFORMED',
    'lists a header twice',
  ],
  [
    'JWS PS384 with an RSA-2048 key (algorithm/key mismatch)',
    JWS,
    () => makeJws({ header: header({ alg: 'PS384' }) }),
    'SIGNATURE_INVALID',
    'mismatch between signature algorithm derived from signing certificate (RSASSA-PSS-SHA-256) and signing algorithm specified (RSASSA-PSS-SHA-384)',
  ],
  [
    'JWS ES256 header over an RSA key',
    JWS,
    () => makeJws({ header: header({ alg: 'ES256' }), signWith: 'RSASSA-PSS-SHA-256' }),
    'SIGNATURE_INVALID',
    'crypto/rsa: verification error',
  ],
  [
    'JWS ES384 with a P-256 key',
    JWS,
    () =>
      makeJws({
        header: header({ alg: 'ES384' }),
        key: keys.p256.privateKey,
        chain: [leafCertificate(keys.p256)],
        signWith: 'ECDSA-SHA-384',
      }),
    'SIGNATURE_INVALID',
    'crypto/ecdsa: verification error',
  ],
  [
    'JWS alg none',
    JWS,
    () => makeJws({ header: header({ alg: 'none' }) }),
    'ENVELOPE_UNSUPPORTED',
    'signing method "none" is invalid',
  ],
  [
    'JWS alg RS256 (PKCS#1 v1.5)',
    JWS,
    () => makeJws({ header: header({ alg: 'RS256' }) }),
    'ENVELOPE_UNSUPPORTED',
    'signing method "RS256" is invalid',
  ],
  [
    'JWS missing signing time',
    JWS,
    () => makeJws({ header: header({}, ['io.cncf.notary.signingTime']) }),
    'ENVELOPE_MALFORMED',
    'signing-time not present',
  ],
  [
    'JWS signing time not RFC 3339',
    JWS,
    () => makeJws({ header: header({ 'io.cncf.notary.signingTime': '1 Jan 2026' }) }),
    'ENVELOPE_MALFORMED',
    '"io.cncf.notary.signingTime" must be an RFC 3339 time',
  ],
  [
    'JWS impossible date',
    JWS,
    () => makeJws({ header: header({ 'io.cncf.notary.signingTime': '2026-02-30T00:00:00Z' }) }),
    'ENVELOPE_MALFORMED',
    'must be an RFC 3339 time',
  ],
  [
    'JWS unknown signing scheme',
    JWS,
    () => makeJws({ header: header({ 'io.cncf.notary.signingScheme': 'notary.x509.v2' }) }),
    'ENVELOPE_MALFORMED',
    'unsupported SigningScheme: `notary.x509.v2`',
  ],
  [
    'JWS authentic signing time under notary.x509',
    JWS,
    () => makeJws({ header: header({ 'io.cncf.notary.authenticSigningTime': SIGNING_TIME }) }),
    'ENVELOPE_MALFORMED',
    'must not be present for notary.x509 signing scheme',
  ],
  [
    'JWS signingAuthority without authentic signing time',
    JWS,
    () =>
      makeJws({
        header: header({ 'io.cncf.notary.signingScheme': 'notary.x509.signingAuthority' }, [
          'io.cncf.notary.signingTime',
        ]),
      }),
    'ENVELOPE_MALFORMED',
    'must be present for notary.x509.signingAuthority',
  ],
  [
    'JWS expiry before signing time',
    JWS,
    () =>
      makeJws({
        header: header({
          'io.cncf.notary.expiry': '2025-01-01T00:00:00Z',
          crit: ['io.cncf.notary.signingScheme', 'io.cncf.notary.expiry'],
        }),
      }),
    'ENVELOPE_MALFORMED',
    'expiry cannot be equal or before the signing time',
  ],
  [
    'JWS wrong content type',
    JWS,
    () => makeJws({ header: header({ cty: 'application/json' }) }),
    'ENVELOPE_UNSUPPORTED',
    'payload content type "application/json" not supported',
  ],
  [
    'JWS duplicated protected header key',
    JWS,
    () =>
      makeJws({
        header: JSON.stringify(standardHeader()).replace('{', '{"alg":"ES256",'),
        signWith: 'RSASSA-PSS-SHA-256',
      }),
    'ENVELOPE_MALFORMED',
    'duplicate key "alg"',
  ],
  [
    'JWS duplicated top-level member',
    JWS,
    () => makeJws({ text: (t) => t.replace('{', '{"payload":"e30",') }),
    'ENVELOPE_MALFORMED',
    'duplicate key "payload"',
  ],
  [
    'JWS general serialization member',
    JWS,
    () => makeJws({ document: (d) => ({ ...d, signatures: [] }) }),
    'ENVELOPE_MALFORMED',
    'unexpected member "signatures"',
  ],
  ['JWS truncated', JWS, () => makeJws().subarray(0, 300), 'ENVELOPE_MALFORMED', 'not valid JSON'],
  [
    'JWS not JSON at all',
    JWS,
    () => new TextEncoder().encode('malformed signature'),
    'ENVELOPE_MALFORMED',
    'not valid JSON',
  ],
  [
    'JWS tampered payload',
    JWS,
    () =>
      makeJws({
        document: (d) => ({
          ...d,
          payload: Buffer.from(PAYLOAD.replace('517', '518')).toString('base64url'),
        }),
      }),
    'SIGNATURE_INVALID',
    'signature is invalid. Error: crypto/rsa: verification error',
  ],
  [
    'JWS empty signature',
    JWS,
    () => makeJws({ document: (d) => ({ ...d, signature: '' }) }),
    'SIGNATURE_INVALID',
    'verification error',
  ],
  [
    'JWS non-canonical base64url signature',
    JWS,
    () =>
      makeJws({
        document: (d) => {
          const s = String(d.signature);
          const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
          const last = alphabet.charAt(alphabet.indexOf(s.at(-1) ?? 'A') ^ 1);
          return { ...d, signature: s.slice(0, -1) + last };
        },
      }),
    'ENVELOPE_MALFORMED',
    'non-canonical',
  ],
  [
    'JWS padded base64url protected header',
    JWS,
    () => makeJws({ document: (d) => ({ ...d, protected: `${String(d.protected)}=` }) }),
    'ENVELOPE_MALFORMED',
    'illegal base64 data at input byte',
  ],
  [
    'JWS payload with whitespace',
    JWS,
    () => makeJws({ document: (d) => ({ ...d, payload: ` ${String(d.payload)}` }) }),
    'ENVELOPE_MALFORMED',
    'illegal base64 data at input byte 0',
  ],
  [
    'JWS oversized (over 1 MiB)',
    JWS,
    () =>
      makeJws({
        document: (d) => ({ ...d, header: { ...(d.header as object), pad: 'x'.repeat(1024 * 1024) } }),
      }),
    'ENVELOPE_MALFORMED',
    'more than the 1048576 allowed',
  ],
  [
    'JWS payload without targetArtifact',
    JWS,
    () => makeJws({ payload: '{"target":{}}' }),
    'ENVELOPE_MALFORMED',
    'no "targetArtifact" descriptor',
  ],
  [
    'JWS payload with an invalid digest',
    JWS,
    () => makeJws({ payload: JSON.stringify({ targetArtifact: { ...ARTIFACT, digest: 'sha256' } }) }),
    'ENVELOPE_MALFORMED',
    'no valid "digest"',
  ],
  [
    'JWS payload with duplicated keys',
    JWS,
    () => makeJws({ payload: PAYLOAD.replace('{"targetArtifact"', '{"targetArtifact":{},"targetArtifact"') }),
    'ENVELOPE_MALFORMED',
    'duplicate key "targetArtifact"',
  ],
  [
    'JWS payload that is not JSON',
    JWS,
    () => makeJws({ payload: 'hello' }),
    'ENVELOPE_MALFORMED',
    'the signed payload is not valid JSON',
  ],
  // --- certificates and chains
  [
    '1024-bit RSA leaf',
    JWS,
    () => makeJws({ key: keys.rsa1024.privateKey, chain: [leafCertificate(keys.rsa1024)] }),
    'CERTIFICATE_INVALID',
    'rsa key size 1024 bits is not supported',
  ],
  [
    'leaf with serverAuth EKU (no code signing)',
    JWS,
    () => makeJws({ chain: [leafCertificate(undefined, { extKeyUsage: { oids: [OID.ekuServerAuth] } })] }),
    'CERTIFICATE_INVALID',
    'extended key usage must not contain ServerAuth eku',
  ],
  [
    'leaf with timeStamping EKU',
    JWS,
    () =>
      makeJws({
        chain: [
          leafCertificate(undefined, { extKeyUsage: { oids: [OID.ekuCodeSigning, OID.ekuTimeStamping] } }),
        ],
      }),
    'CERTIFICATE_INVALID',
    'must not contain TimeStamping eku',
  ],
  [
    'leaf without digitalSignature',
    JWS,
    () =>
      makeJws({ chain: [leafCertificate(undefined, { keyUsage: { bits: [KEY_USAGE.contentCommitment] } })] }),
    'CERTIFICATE_INVALID',
    'The key usage must have the bit positions for "Digital Signature" set',
  ],
  [
    'leaf with key usage not critical',
    JWS,
    () =>
      makeJws({
        chain: [
          leafCertificate(undefined, { keyUsage: { bits: [KEY_USAGE.digitalSignature], critical: false } }),
        ],
      }),
    'CERTIFICATE_INVALID',
    'key usage extension must be marked critical',
  ],
  [
    'leaf without key usage',
    JWS,
    () => makeJws({ chain: [leafCertificate(undefined, { keyUsage: undefined })] }),
    'CERTIFICATE_INVALID',
    'key usage extension must be present',
  ],
  [
    'leaf with keyCertSign',
    JWS,
    () =>
      makeJws({
        chain: [
          leafCertificate(undefined, {
            keyUsage: { bits: [KEY_USAGE.digitalSignature, KEY_USAGE.keyCertSign] },
          }),
        ],
      }),
    'CERTIFICATE_INVALID',
    'The key usage must be "Digital Signature" only, but found "CertSign"',
  ],
  [
    'self-signed leaf that is a CA',
    JWS,
    () => makeJws({ chain: [leafCertificate(undefined, { basicConstraints: { ca: true } })] }),
    'CERTIFICATE_INVALID',
    'the ca field must be set to false',
  ],
  [
    'SHA-1 signed leaf certificate',
    JWS,
    () => makeJws({ chain: [leafCertificate(undefined, { hash: 'sha1' })] }),
    'CHAIN_INVALID',
    'insecure algorithm SHA1-RSA',
  ],
  [
    'non-CA intermediate',
    JWS,
    () => makeJws({ chain: threeLevelChain({ intermediate: { basicConstraints: { ca: false } } }) }),
    'CHAIN_INVALID',
    'parent certificate cannot sign this kind of certificate',
  ],
  [
    'intermediate without keyCertSign',
    JWS,
    () =>
      makeJws({
        chain: threeLevelChain({ intermediate: { keyUsage: { bits: [KEY_USAGE.digitalSignature] } } }),
      }),
    'CHAIN_INVALID',
    'parent certificate cannot sign this kind of certificate',
  ],
  [
    'path length violation (root pathLen 0 above an intermediate)',
    JWS,
    () => makeJws({ chain: threeLevelChain({ root: { basicConstraints: { ca: true, pathLength: 0 } } }) }),
    'CERTIFICATE_INVALID',
    'expected path length of 1 but certificate has path length 0',
  ],
  [
    'chain out of order (root first)',
    JWS,
    () => {
      const [l, i, r] = threeLevelChain();
      return makeJws({ chain: [l!, r!, i!] });
    },
    'CHAIN_INVALID',
    'is not issued by',
  ],
  [
    'chain with an unrelated certificate appended',
    JWS,
    () => makeJws({ chain: [...threeLevelChain(), leafCertificate(keys.rsa2048b)] }),
    'CHAIN_INVALID',
    'intermediate certificate with subject "CN=hostile root" is self-signed',
  ],
  [
    'chain without its intermediate',
    JWS,
    () => {
      const [l, , r] = threeLevelChain();
      return makeJws({ chain: [l!, r!] });
    },
    'CHAIN_INVALID',
    'is not issued by "CN=hostile root"',
  ],
  [
    'oversized x5c (11 certificates)',
    JWS,
    () => makeJws({ chain: certWithHugeChain }),
    'ENVELOPE_MALFORMED',
    'certificate chain has 11 certificates, more than the 10 allowed',
  ],
  ['empty x5c', JWS, () => makeJws({ chain: [] }), 'ENVELOPE_MALFORMED', 'certificate chain is not set'],
  [
    'x5c entry that is not base64',
    JWS,
    () => makeJws({ document: (d) => ({ ...d, header: { x5c: ['***'] } }) }),
    'ENVELOPE_MALFORMED',
    'x5c certificate #1 is not valid base64',
  ],
  [
    'x5c entry that is not a certificate',
    JWS,
    () => makeJws({ chain: [Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01)] }),
    'CERTIFICATE_INVALID',
    'the signing (leaf) certificate is not a valid X.509 certificate',
  ],
  [
    'leaf signed by someone else (bad self-signature)',
    JWS,
    () =>
      makeJws({
        chain: [
          buildCertificate({
            subject: [['CN', 'forged']],
            publicKey: keys.rsa2048.publicKey,
            signingKey: keys.rsa2048b.privateKey,
            notBefore: new Date('2025-01-01'),
            notAfter: new Date('2099-01-01'),
            keyUsage: { bits: [0] },
          }),
        ],
      }),
    'CHAIN_INVALID',
    'invalid self-signed certificate. subject: "CN=forged". Error: crypto/rsa: verification error',
  ],
  // --- COSE
  [
    'COSE without tag 18',
    COSE,
    () => makeCose({ wrap: (m) => m }),
    'ENVELOPE_MALFORMED',
    'must start with CBOR tag 18',
  ],
  [
    'COSE_Sign (tag 98) instead of COSE_Sign1',
    COSE,
    () => makeCose({ wrap: (m) => new CborTag(98, m) }),
    'ENVELOPE_MALFORMED',
    'must start with CBOR tag 18',
  ],
  [
    'COSE deeply nested CBOR',
    COSE,
    () => nested(50_000),
    'ENVELOPE_MALFORMED',
    'nesting deeper than 16 levels',
  ],
  [
    'COSE duplicated protected header label',
    COSE,
    () => {
      const h = encodeCbor(standardCoseHeader());
      const dup = Uint8Array.from([h[0]! + 1, ...h.subarray(1), 0x01, 0x38, 0x24]);
      return makeCose({ protectedHeader: dup });
    },
    'ENVELOPE_MALFORMED',
    'duplicate map key 1',
  ],
  [
    'COSE indefinite-length array',
    COSE,
    () => {
      const b = makeCose();
      return Uint8Array.from([0xd2, 0x9f, ...b.subarray(2), 0xff]);
    },
    'ENVELOPE_MALFORMED',
    'indefinite-length',
  ],
  [
    'COSE label in both buckets',
    COSE,
    () =>
      makeCose({
        unprotected: new Map<string | number, CborValue>([
          [33, [leafCertificate()]],
          [3, CTY],
        ]),
      }),
    'ENVELOPE_MALFORMED',
    'in both protected and unprotected buckets',
  ],
  [
    'COSE signing time without tag 1',
    COSE,
    () =>
      makeCose({
        protectedHeader: new Map([
          ...standardCoseHeader(),
          ['io.cncf.notary.signingTime', Date.parse(SIGNING_TIME) / 1000],
        ]),
      }),
    'ENVELOPE_MALFORMED',
    'time value does not have a tag',
  ],
  [
    'COSE signing time with tag 0 (text)',
    COSE,
    () =>
      makeCose({
        protectedHeader: new Map([
          ...standardCoseHeader(),
          ['io.cncf.notary.signingTime', new CborTag(0, SIGNING_TIME)],
        ]),
      }),
    'ENVELOPE_MALFORMED',
    'only Tag `1` Datetime CBOR object is supported',
  ],
  [
    'COSE RS256 (-257)',
    COSE,
    () => makeCose({ protectedHeader: new Map([...standardCoseHeader(), [1, -257]]) }),
    'ENVELOPE_UNSUPPORTED',
    'signature algorithm not supported: -257',
  ],
  [
    'COSE detached payload',
    COSE,
    () => makeCose({ payload: null }),
    'ENVELOPE_MALFORMED',
    'detached payloads are not supported',
  ],
  [
    'COSE without content type',
    COSE,
    () => {
      const h = standardCoseHeader();
      h.delete(3);
      return makeCose({ protectedHeader: h });
    },
    'ENVELOPE_MALFORMED',
    'missing content type',
  ],
  [
    'COSE without x5chain',
    COSE,
    () => makeCose({ unprotected: new Map() }),
    'ENVELOPE_MALFORMED',
    'certificate chain is not present',
  ],
  [
    'COSE with a non-minimal length',
    COSE,
    () => {
      const b = makeCose();
      return Uint8Array.from([0xd2, 0x98, 0x04, ...b.subarray(2)]);
    },
    'ENVELOPE_MALFORMED',
    'non-minimal encoding',
  ],
  [
    'COSE with trailing bytes',
    COSE,
    () => Uint8Array.from([...makeCose(), 0x00]),
    'ENVELOPE_MALFORMED',
    'trailing bytes',
  ],
  [
    'COSE tampered payload',
    COSE,
    () => {
      const b = makeCose();
      const i = Buffer.from(b).indexOf('517');
      b[i] = 0x36;
      return b;
    },
    'SIGNATURE_INVALID',
    'signature is invalid. Error: verification error',
  ],
  [
    'COSE crit label absent from the header',
    COSE,
    () =>
      makeCose({
        protectedHeader: new Map([
          ...standardCoseHeader(),
          [2, ['io.cncf.notary.signingScheme', 'x-missing']],
        ]),
      }),
    'ENVELOPE_MALFORMED',
    '"x-missing" header is marked critical but not present',
  ],
  [
    'COSE PS512 with an RSA-2048 key',
    COSE,
    () =>
      makeCose({
        protectedHeader: new Map([...standardCoseHeader(), [1, -39]]),
        signWith: 'RSASSA-PSS-SHA-512',
      }),
    'SIGNATURE_INVALID',
    'mismatch between signature algorithm',
  ],
];

describe('the hostile envelope corpus', () => {
  it('has at least 40 envelopes with distinct reasons', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(40);
    expect(new Set(corpus.map((c) => c[0])).size).toBe(corpus.length);
  });

  it.each(corpus)('rejects %s', (_name, mediaType, build, code, fragment) => {
    const err = rejection(mediaType, build());
    expect(err.code).toBe(code);
    expect(err.message).toContain(fragment);
  });
});

describe('hostile envelopes that are intact but must not pass the verifier', () => {
  const leaf = leafCertificate();
  const { store, policy } = trustingLeaf(leaf, 'h', 'hostile');
  const run = (envelope: Uint8Array, artifact = ARTIFACT, at = '2026-06-01T00:00:00Z') =>
    verifySignature({
      envelope,
      envelopeMediaType: JWS,
      artifact,
      policy,
      trustStore: store,
      clock: () => new Date(at),
      revocationChecker: () => Promise.resolve({ result: 'ok' }),
    });

  it('accepts the untouched baseline (so the cases below fail for their own reason)', async () => {
    expect((await run(makeJws({ chain: [leaf] }))).accepted).toBe(true);
  });

  it('refuses a payload for another digest', async () => {
    const outcome = await run(makeJws({ chain: [leaf] }), {
      ...ARTIFACT,
      digest: `sha256:${'0'.repeat(64)}`,
    });
    expect(outcome.failedValidation).toBe('integrity');
    expect(outcome.error).toContain('content descriptor mismatch');
  });

  it('refuses a payload for another size or media type', async () => {
    expect((await run(makeJws({ chain: [leaf] }), { ...ARTIFACT, size: 518 })).error).toContain(
      'content descriptor mismatch',
    );
    expect(
      (await run(makeJws({ chain: [leaf] }), { ...ARTIFACT, mediaType: 'application/octet-stream' })).error,
    ).toContain('content descriptor mismatch');
  });

  it('refuses an unknown critical attribute with no plugin to process it', async () => {
    const outcome = await run(
      makeJws({
        chain: [leaf],
        header: header({ crit: ['io.cncf.notary.signingScheme', 'x-policy'], 'x-policy': 'on' }),
      }),
    );
    expect(outcome.accepted).toBe(false);
    expect(outcome.error).toContain('the signature marks the attribute "x-policy" critical');
  });

  it('refuses an untrusted signer', async () => {
    const outcome = await run(
      makeJws({ key: keys.rsa2048b.privateKey, chain: [leafCertificate(keys.rsa2048b)] }),
    );
    expect(outcome.failedValidation).toBe('authenticity');
    expect(outcome.error).toContain(
      "the signature's certificate chain does not contain any trusted certificate",
    );
  });

  it('refuses a signature whose certificate expired (no timestamp)', async () => {
    const outcome = await run(makeJws({ chain: [leaf] }), ARTIFACT, '2100-01-01T00:00:00Z');
    expect(outcome.failedValidation).toBe('authenticTimestamp');
    expect(outcome.error).toContain(
      'verification time is after certificate "CN=hostile leaf,O=Hostile,C=US"',
    );
  });
});
