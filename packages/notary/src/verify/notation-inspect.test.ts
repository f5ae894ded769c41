import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedPath } from '../../../../test/harness/paths.js';
import { parsePayload, verifyEnvelopeBytes } from '../envelope/envelope.js';
import type { EnvelopeContent } from '../envelope/types.js';
import { parseSignedToken } from '../timestamp/signed-token.js';
import { parseTstInfo, validateTstInfo } from '../timestamp/tst-info.js';
import type { Certificate } from '../x509/certificate.js';
import { layoutBlob } from './oci-layout.test-support.js';

/**
 * Every fact `notation inspect` / `notation blob inspect` prints for the timestamped vectors
 * (INDEX.md §A inspect.go, §B blob/inspect.go), read from the envelope as this package parses it:
 * algorithm, envelope type, signed attributes, user metadata, signing agent, the timestamp range
 * and the TSA certificates, the signer certificate and the signed artifact. The tree/JSON layout
 * itself is notation's CLI and is not reproduced.
 */

interface CertFact {
  sha256: string;
  issuedTo: string;
  issuedBy: string;
  expiry: string;
}
const fact = (c: Certificate): CertFact => ({
  sha256: c.sha256,
  issuedTo: c.subject,
  issuedBy: c.issuer,
  expiry: c.notAfter.toISOString(),
});
/** notation prints the range with whole seconds (Go's time.ANSIC / RFC 3339 without fraction). */
const seconds = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

function inspect(bytes: Uint8Array, mediaType: string) {
  const content: EnvelopeContent = verifyEnvelopeBytes(mediaType, bytes);
  const token =
    content.timestampSignature === undefined ? undefined : parseSignedToken(content.timestampSignature);
  const range =
    token === undefined ? undefined : validateTstInfo(parseTstInfo(token.content), content.signature);
  return {
    content,
    payload: parsePayload(content),
    certificates: content.certificateChain.map(fact),
    timestampCertificates: token?.certificates.map(fact),
    range,
  };
}

const MS_CA: CertFact = {
  sha256: '36e731cfa9bfd69dafb643809f6dec500902f7197daeaad86ea0159a2268a2b8',
  issuedTo: 'CN=Microsoft Public RSA Timestamping CA 2020,O=Microsoft Corporation,C=US',
  issuedBy: 'CN=Microsoft Identity Verification Root Certificate Authority 2020,O=Microsoft Corporation,C=US',
  expiry: '2035-11-19T20:42:31.000Z',
};
const LICENSE_BLOB = {
  mediaType: 'application/octet-stream',
  digest: 'sha256:c71d239df91726fc519c6eb72d318ec65820627232b2f796219e87dcf35d0ab4',
  size: 11357,
};
const signatureFile = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(sharedPath('vectors/notation/test/e2e/testdata/signatures', name)));

/** What `notation blob inspect` prints for one of the timestamped blob signatures of the e2e data. */
interface BlobInspectCase {
  /** The name of notation's e2e test case. */
  title: string;
  file: string;
  mediaType: string;
  signingTime: string;
  /** The members of the signed targetArtifact, in the order the payload holds them. */
  payloadKeys: string[];
  /** The timestamp range as notation prints it (whole seconds). */
  range: [string, string];
  /** The TSA's own certificate (the Microsoft CA comes first). */
  tsa: CertFact;
  /** The self-signed certificate the blob was signed with, and its CN. */
  signer: CertFact;
  signerName: string;
}

const BLOB_CASES: BlobInspectCase[] = [
  {
    title: 'with timestamping',
    file: 'blob.jws.sig',
    mediaType: 'application/jose+json',
    signingTime: '2024-12-31T08:05:29.000Z',
    payloadKeys: ['digest', 'mediaType', 'size'],
    range: ['2024-12-31T08:05:29Z', '2024-12-31T08:05:30Z'],
    tsa: {
      sha256: '93db2732c49e2624cf0a5cc03ad04acc0927fcaf5e7afdd4a3e23b6fc196aedc',
      issuedTo:
        'CN=Microsoft Public RSA Time Stamping Authority,OU=Microsoft America Operations+OU=nShield TSS ESN:7800-05E0-D947,O=Microsoft Corporation,L=Redmond,ST=Washington,C=US',
      issuedBy: 'CN=Microsoft Public RSA Timestamping CA 2020,O=Microsoft Corporation,C=US',
      expiry: '2025-02-15T20:36:12.000Z',
    },
    signer: {
      sha256: 'dadee19c843e94b94daae9854d0de7ad93642b6075e2d1523b860b1770b64a03',
      issuedTo: 'CN=testcert2,O=Notary,L=Seattle,ST=WA,C=US',
      issuedBy: 'CN=testcert2,O=Notary,L=Seattle,ST=WA,C=US',
      expiry: '2025-01-01T08:04:39.000Z',
    },
    signerName: 'testcert2',
  },
  {
    title: 'with cose signature',
    file: 'blob.cose.sig',
    mediaType: 'application/cose',
    signingTime: '2025-01-07T08:42:43.000Z',
    payloadKeys: ['mediaType', 'digest', 'size'],
    range: ['2025-01-07T08:42:43Z', '2025-01-07T08:42:44Z'],
    tsa: {
      sha256: '3403d75002d22e2b8c49a8a113957d9eb225c901b946837fd61ff3ce32c51f65',
      issuedTo:
        'CN=Microsoft Public RSA Time Stamping Authority,OU=Microsoft America Operations+OU=Thales TSS ESN:45D6-96C5-5E63,O=Microsoft Corporation,L=Redmond,ST=Washington,C=US',
      issuedBy: 'CN=Microsoft Public RSA Timestamping CA 2020,O=Microsoft Corporation,C=US',
      expiry: '2025-02-15T20:35:56.000Z',
    },
    signer: {
      sha256: '3678adce9daa3a82f4f55fd65e0c87c398b3d9bcd5338c06bbf8850df8c6641d',
      issuedTo: 'CN=testcert3,O=Notary,L=Seattle,ST=WA,C=US',
      issuedBy: 'CN=testcert3,O=Notary,L=Seattle,ST=WA,C=US',
      expiry: '2025-01-08T08:42:24.000Z',
    },
    signerName: 'testcert3',
  },
];

for (const c of BLOB_CASES) {
  describe(`notation blob inspect "${c.title}" (${c.file})`, () => {
    const got = inspect(signatureFile(c.file), c.mediaType);

    it('prints the algorithm, signed attributes, no user metadata and the signing agent', () => {
      expect(got.content.signatureAlgorithm).toBe('RSASSA-PSS-SHA-256');
      expect(got.content.mediaType).toBe(c.mediaType);
      expect(got.content.signingScheme).toBe('notary.x509');
      expect(got.content.signingTime.date.toISOString()).toBe(c.signingTime);
      expect(got.content.expiry).toBeUndefined();
      expect(got.payload.annotations).toBeUndefined(); // "userDefinedAttributes": null
      expect(got.content.signingAgent).toBe('notation-go/1.3.0+unreleased');
    });

    it(`keeps the payload key order ${c.payloadKeys.join(', ')}`, () => {
      expect(
        Object.keys(
          (JSON.parse(Buffer.from(got.content.payload).toString()) as { targetArtifact: object })
            .targetArtifact,
        ),
      ).toEqual(c.payloadKeys);
    });

    it(`prints the timestamp [${c.range[0]}, ${c.range[1]}] and the Microsoft TSA certificates`, () => {
      expect([seconds(got.range!.earliest), seconds(got.range!.latest)]).toEqual(c.range);
      expect(got.timestampCertificates).toEqual([MS_CA, c.tsa]);
    });

    it(`prints the ${c.signerName} certificate and the signed LICENSE blob`, () => {
      expect(got.certificates).toEqual([c.signer]);
      expect(got.payload).toEqual(LICENSE_BLOB);
    });
  });
}

describe('notation inspect "with timestamped oci layout" (e2e-with-timestamped-signature)', () => {
  const got = inspect(
    layoutBlob(
      'e2e-with-timestamped-signature',
      'sha256:603ff134e97a79cd7a15560b76137c2c4a10451daab11327a7c6f86dac250fee',
    ),
    'application/jose+json',
  );

  it('prints signing time Tue Jan 21 09:17:46 2025, expiry Tue Jan 21 12:39:46 2025 and {"purpose":"e2e"}', () => {
    expect(got.content.signingTime.date.toISOString()).toBe('2025-01-21T09:17:46.000Z');
    expect(got.content.expiry?.date.toISOString()).toBe('2025-01-21T12:39:46.000Z');
    expect(got.payload.annotations).toEqual({ purpose: 'e2e' });
    expect(got.content.signingAgent).toBe('notation-go/1.3.0+unreleased');
  });

  it('prints the timestamp "[2025-01-21T09:17:46.141Z, 2025-01-21T09:17:47.141Z]"', () => {
    expect(got.range?.earliest.toISOString()).toBe('2025-01-21T09:17:46.141Z');
    expect(got.range?.latest.toISOString()).toBe('2025-01-21T09:17:47.141Z');
  });

  it('prints the TSA certificate fingerprints 36e731cf… and 59283806…', () => {
    expect(got.timestampCertificates?.map((c) => c.sha256.slice(0, 8))).toEqual(['36e731cf', '59283806']);
    expect(got.timestampCertificates?.[0]).toEqual(MS_CA);
  });

  it('prints testcert7 and the signed oras-style manifest', () => {
    expect(got.certificates).toEqual([
      {
        sha256: '1717fa9d18f7e9c0f609499474adfe2b8e44172454f1d6e2183d5d04f79af475',
        issuedTo: 'CN=testcert7,O=Notary,L=Seattle,ST=WA,C=US',
        issuedBy: 'CN=testcert7,O=Notary,L=Seattle,ST=WA,C=US',
        expiry: '2025-01-22T08:36:26.000Z',
      },
    ]);
    expect(got.payload).toEqual({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: 'sha256:53b0191218aed9a3c1f7c661736ac40cfc8eb928642348fd843ba3f0483c0c20',
      size: 582,
      annotations: { purpose: 'e2e' },
    });
  });
});

describe('notation inspect "with invalid timestamp signature" (e2e-with-invalid-timestamped-signature)', () => {
  const env = layoutBlob(
    'e2e-with-invalid-timestamped-signature',
    'sha256:8d2e70ffc2af68b7f2df6f30dfefcb7bcda1db5f9ac2566fc8c6c2248c8d4c5f',
  );

  it('prints the timestamp node as the countersignature parse error', () => {
    const content = verifyEnvelopeBytes('application/jose+json', env);
    let error = '';
    try {
      parseSignedToken(content.timestampSignature ?? new Uint8Array());
    } catch (e) {
      error = `failed to parse timestamp countersignature: ${(e as Error).message}`;
    }
    expect(error).toBe(
      'failed to parse timestamp countersignature: cms: syntax error: invalid signed data: failed to convert from BER to DER: asn1: syntax error: decoding BER length octets: short form length octets value should be less or equal to the subsequent octets length',
    );
    expect(parsePayload(content).annotations).toEqual({ purpose: 'e2e' });
    expect(content.certificateChain[0]?.sha256).toBe(
      '1717fa9d18f7e9c0f609499474adfe2b8e44172454f1d6e2183d5d04f79af475',
    );
  });
});
