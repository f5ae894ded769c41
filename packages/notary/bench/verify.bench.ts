/**
 * Envelope verification throughput (RSA-3072, PS384) next to the raw `crypto.verify` rate of the
 * same key, measured in the same run. Prints the figures and writes bench-results/notary.json.
 *
 *   pnpm exec tsx packages/notary/bench/verify.bench.ts
 */
import { constants, createPublicKey, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ratePerSecond, writeBenchResult } from '../../../scripts/bench-kit.js';
import { sharedPath } from '../../../test/harness/paths.js';
import {
  createLocalSigner,
  createTimestampVerifier,
  generateTestCertificate,
  MemoryTrustStore,
  signArtifact,
  verificationLevel,
  verifyEnvelopeBytes,
  verifySignature,
} from '../src/index.js';

const DURATION_MS = Number(process.env.BENCH_MS ?? 2000);
const rate = (name: string, fn: () => unknown): Promise<number> =>
  ratePerSecond(name, fn, { durationMs: DURATION_MS, warmupMs: 200 });

const clock = (): Date => new Date();
const cert = generateTestCertificate('bench', { bits: 3072 });
const signer = createLocalSigner({ key: cert.keyPem, certificateChain: cert.certificatePem });
const artifact = {
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: 'sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9',
  size: 517,
};
const jws = await signArtifact({ signer, artifact, format: 'jws', clock });
const cose = await signArtifact({ signer, artifact, format: 'cose', clock });
const trustStore = new MemoryTrustStore([
  { type: 'ca', name: 'bench', files: [{ name: 'bench.crt', data: cert.certificatePem }] },
]);
const policy = {
  name: 'bench',
  verificationLevel: verificationLevel('strict'),
  verifyTimestamp: 'always' as const,
  trustStores: ['ca:bench'],
  trustedIdentities: ['x509.subject:CN=bench,O=Notary,L=Seattle,ST=WA,C=US'],
};

// The primitive alone: one RSA-3072 PSS/SHA-384 verification of a message the size of a JWS
// signing input, with an already-imported public key.
const publicKey = createPublicKey(cert.certificatePem);
const message = new Uint8Array(400).fill(0x61);
const { createPrivateKey } = await import('node:crypto');
const privateKey = createPrivateKey(cert.keyPem);
const pss = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };
const rawSignature = nodeSign('sha384', message, { key: privateKey, ...pss });

console.log(`notary verify bench: RSA-3072 (PS384), node ${process.version}, ${DURATION_MS} ms per case`);
const raw = await rate('crypto.verify (raw primitive)', () =>
  nodeVerify('sha384', message, { key: publicKey, ...pss }, rawSignature),
);
const jwsIntegrity = await rate('JWS integrity (parse + verify + chain rules)', () =>
  verifyEnvelopeBytes(jws.mediaType, jws.envelope),
);
const coseIntegrity = await rate('COSE integrity (parse + verify + chain rules)', () =>
  verifyEnvelopeBytes(cose.mediaType, cose.envelope),
);
const full = (e: typeof jws) => () =>
  verifySignature({
    envelope: e.envelope,
    envelopeMediaType: e.mediaType,
    artifact,
    policy,
    trustStore,
    clock,
    revocationChecker: () => Promise.resolve({ result: 'ok' }),
  }).then((o) => {
    if (!o.accepted) throw new Error(`bench envelope not accepted: ${o.error ?? ''}`);
  });
const jwsFull = await rate('JWS full verification (trust policy + store)', full(jws));
const coseFull = await rate('COSE full verification (trust policy + store)', full(cose));

// notation-go's RFC 3161 timestamped envelopes (INDEX E2, GlobalSign TSA, RSA-2048 signer):
// authentic timestamp verified against tsa:test-timestamp; the TSA chain revocation is skipped
// explicitly (it needs the network), the signing chain's revocation is a stand-in.
const testdata = (...p: string[]): string => sharedPath('vectors/notation-go/verifier/testdata', ...p);
const storeFiles = (dir: string) =>
  readdirSync(dir).map((name) => ({ name, data: new Uint8Array(readFileSync(path.join(dir, name))) }));
const timestampTrustStore = new MemoryTrustStore([
  {
    type: 'ca',
    name: 'valid-trust-store',
    files: storeFiles(testdata('truststore/x509/ca/valid-trust-store')),
  },
  { type: 'tsa', name: 'test-timestamp', files: storeFiles(testdata('truststore/x509/tsa/test-timestamp')) },
]);
const timestampVerifier = createTimestampVerifier({ tsaRevocation: 'skip' });
const timestamped = (file: string, mediaType: string) => {
  const envelope = new Uint8Array(readFileSync(testdata('timestamp/sigEnv', file)));
  return () =>
    verifySignature({
      envelope,
      envelopeMediaType: mediaType,
      artifact: {
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        digest: 'sha256:c0669ef34cdc14332c0f1ab0c2c01acb91d96014b172f1a76f3a39e63d1f0bda',
        size: 528,
      },
      policy: {
        name: 'test-timestamp',
        verificationLevel: verificationLevel('strict'),
        verifyTimestamp: 'always',
        trustStores: ['ca:valid-trust-store', 'tsa:test-timestamp'],
        trustedIdentities: ['*'],
      },
      trustStore: timestampTrustStore,
      clock: () => new Date('2026-11-27T00:00:00Z'),
      timestampVerifier,
      revocationChecker: () => Promise.resolve({ result: 'ok' }),
    }).then((o) => {
      if (!o.accepted) throw new Error(`timestamped envelope not accepted: ${o.error ?? ''}`);
    });
};
const jwsTimestamped = await rate(
  'JWS full + RFC 3161 timestamp (notation-go E2)',
  timestamped('jwsWithTimestamp.sig', 'application/jose+json'),
);
const coseTimestamped = await rate(
  'COSE full + RFC 3161 timestamp (notation-go E2)',
  timestamped('coseWithTimestamp.sig', 'application/cose'),
);

const result = {
  date: new Date().toISOString(),
  node: process.version,
  key: 'RSA-3072 / RSASSA-PSS-SHA-384',
  durationMsPerCase: DURATION_MS,
  perSecond: {
    rawCryptoVerify: Math.round(raw),
    jwsIntegrity: Math.round(jwsIntegrity),
    coseIntegrity: Math.round(coseIntegrity),
    jwsFull: Math.round(jwsFull),
    coseFull: Math.round(coseFull),
    jwsTimestamped: Math.round(jwsTimestamped),
    coseTimestamped: Math.round(coseTimestamped),
  },
  /** raw primitive rate ÷ envelope rate: the cost of everything around crypto.verify. */
  overheadRatio: {
    jwsIntegrity: Number((raw / jwsIntegrity).toFixed(2)),
    coseIntegrity: Number((raw / coseIntegrity).toFixed(2)),
    jwsFull: Number((raw / jwsFull).toFixed(2)),
    coseFull: Number((raw / coseFull).toFixed(2)),
  },
};
console.log('overhead ratio (raw ÷ envelope):', result.overheadRatio);
await writeBenchResult('notary.json', result);
