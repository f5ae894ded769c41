/**
 * Envelope verification throughput (RSA-3072, PS384) next to the raw `crypto.verify` rate of the
 * same key, measured in the same run. Prints the figures and writes bench-results/notary.json.
 *
 *   pnpm exec tsx packages/notary/bench/verify.bench.ts
 */
import { constants, createPublicKey, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createLocalSigner,
  generateTestCertificate,
  MemoryTrustStore,
  signArtifact,
  verificationLevel,
  verifyEnvelopeBytes,
  verifySignature,
} from '../src/index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const DURATION_MS = Number(process.env.BENCH_MS ?? 2000);

async function rate(name: string, fn: () => unknown): Promise<number> {
  // warm-up
  const warmEnd = performance.now() + 200;
  while (performance.now() < warmEnd) await fn();
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < DURATION_MS) {
    await fn();
    n++;
    now = performance.now();
  }
  const perSecond = (n * 1000) / (now - start);
  console.log(
    `${name.padEnd(44)} ${perSecond.toFixed(0).padStart(8)} /s  (${n} in ${(now - start).toFixed(0)} ms)`,
  );
  return perSecond;
}

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
mkdirSync(path.join(repoRoot, 'bench-results'), { recursive: true });
writeFileSync(path.join(repoRoot, 'bench-results', 'notary.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log('wrote bench-results/notary.json');
