import { NotaryError } from '../errors.js';
import { type Certificate, parseCertificate } from '../x509/certificate.js';
import { Asn1Error, readDer } from '../x509/der.js';

/** Largest certificate file read from a trust store (a store holds roots, not bundles of megabytes). */
export const MAX_CERTIFICATE_FILE_BYTES = 1024 * 1024;

/** Splits PEM text into DER blocks of type CERTIFICATE (Go's pem.Decode loop semantics). */
function pemCertificateBlocks(text: string): {
  blocks: Uint8Array[];
  sawPem: boolean;
  badBlock: boolean;
} {
  const re = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;
  const blocks: Uint8Array[] = [];
  let sawPem = false;
  let badBlock = false;
  for (const m of text.matchAll(re)) {
    sawPem = true;
    const body = (m[2] ?? '').replace(/^[A-Za-z-]+:.*$/gm, '').replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) {
      badBlock = true;
      continue;
    }
    if (m[1] !== 'CERTIFICATE') {
      badBlock = true;
      continue;
    }
    blocks.push(new Uint8Array(Buffer.from(body, 'base64')));
  }
  return { blocks, sawPem, badBlock };
}

/** Splits concatenated DER certificates (Go's x509.ParseCertificates). */
function splitDerCertificates(data: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let p = 0; p < data.length;) {
    const node = readDer(data, p);
    out.push(node.bytes);
    p += node.bytes.length;
  }
  return out;
}

const malformed = (cause?: unknown): NotaryError =>
  new NotaryError('CERTIFICATE_INVALID', 'x509: malformed certificate', { cause });

/**
 * notation-core-go's `ReadCertificateFile` over bytes: PEM (one or more CERTIFICATE blocks) or
 * DER (one or more concatenated certificates). An empty file yields an empty list, as in Go.
 * Throws NotaryError('CERTIFICATE_INVALID', 'x509: malformed certificate') on anything else.
 */
export function parseCertificateFile(data: Uint8Array): Certificate[] {
  if (data.length > MAX_CERTIFICATE_FILE_BYTES) {
    throw new NotaryError(
      'CERTIFICATE_INVALID',
      `certificate file is larger than ${MAX_CERTIFICATE_FILE_BYTES} bytes`,
    );
  }
  const text = Buffer.from(data).toString('latin1');
  const { blocks, sawPem, badBlock } = pemCertificateBlocks(text);
  if (sawPem && badBlock) throw malformed();
  try {
    return (sawPem ? blocks : splitDerCertificates(data)).map((b) => parseCertificate(b));
  } catch (e) {
    if (e instanceof Asn1Error || (e instanceof NotaryError && e.code === 'CERTIFICATE_INVALID')) {
      throw malformed(e);
    }
    throw e;
  }
}

/**
 * What `notation cert add` accepts from one file: at least one certificate
 * (`no valid certificate found in the file` otherwise).
 */
export function readCertificatesToAdd(data: Uint8Array): Certificate[] {
  const certs = parseCertificateFile(data);
  if (certs.length === 0)
    throw new NotaryError('CERTIFICATE_INVALID', 'no valid certificate found in the file');
  return certs;
}
