import { X509Certificate } from 'node:crypto';

export class CertificateFileError extends Error {
  override readonly name = 'CertificateFileError';
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** The DER length of the ASN.1 element at the start of `der` (tag + length + content), or -1. */
function derElementLength(der: Uint8Array, offset: number): number {
  if (der[offset] !== 0x30) return -1;
  const first = der[offset + 1];
  if (first === undefined) return -1;
  if (first < 0x80) return 2 + first;
  const count = first & 0x7f;
  if (count === 0 || count > 4) return -1;
  let length = 0;
  for (let i = 0; i < count; i++) {
    const byte = der[offset + 2 + i];
    if (byte === undefined) return -1;
    length = length * 256 + byte;
  }
  return 2 + count + length;
}

function checkDer(der: Uint8Array, what: string): Uint8Array {
  try {
    new X509Certificate(der);
  } catch (error) {
    throw new CertificateFileError(`${what} is not a valid X.509 certificate`, { cause: error });
  }
  return der;
}

/**
 * The certificates of a file or inline text, as DER: one or more PEM `CERTIFICATE` blocks, or
 * one or more concatenated DER certificates (the formats notation's trust store reads).
 * Throws `CertificateFileError` when there is none or one is not a certificate.
 */
export function parseCertificates(content: Uint8Array | string): Uint8Array[] {
  const bytes = typeof content === 'string' ? new Uint8Array(Buffer.from(content, 'utf8')) : content;
  const text = Buffer.from(bytes).toString('latin1');
  if (text.includes('-----BEGIN ')) {
    const certificates: Uint8Array[] = [];
    for (const match of text.matchAll(PEM_BLOCK)) {
      if (match[1] !== 'CERTIFICATE') {
        throw new CertificateFileError(
          `holds a PEM "${match[1] ?? ''}" block; only CERTIFICATE blocks belong in a trust store (never a private key)`,
        );
      }
      const der = new Uint8Array(Buffer.from((match[2] ?? '').replace(/\s+/g, ''), 'base64'));
      certificates.push(checkDer(der, `PEM block ${certificates.length + 1}`));
    }
    if (certificates.length === 0)
      throw new CertificateFileError('has a PEM header but no complete CERTIFICATE block');
    return certificates;
  }
  const certificates: Uint8Array[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const length = derElementLength(bytes, offset);
    if (length <= 0 || offset + length > bytes.length) {
      throw new CertificateFileError(
        certificates.length === 0
          ? 'is neither PEM nor DER certificate data'
          : `has trailing bytes after certificate ${certificates.length}`,
      );
    }
    certificates.push(
      checkDer(bytes.slice(offset, offset + length), `DER certificate ${certificates.length + 1}`),
    );
    offset += length;
  }
  if (certificates.length === 0) throw new CertificateFileError('is empty');
  return certificates;
}
