import { NotaryError } from '../errors.js';
import {
  CertificateParseError,
  parseCertificate,
  pemCertificateBlocks,
  splitDerCertificates,
  type Certificate,
} from './certificate.js';

/** Largest certificate file read from a trust store (a store holds roots, not bundles of megabytes). */
export const MAX_CERTIFICATE_FILE_BYTES = 1024 * 1024;

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
  try {
    if (sawPem) {
      if (badBlock) throw new CertificateParseError('x509: malformed certificate');
      return blocks.map((b) => parseCertificate(b));
    }
    return splitDerCertificates(data).map((b) => parseCertificate(b));
  } catch (e) {
    if (e instanceof CertificateParseError) {
      throw new NotaryError('CERTIFICATE_INVALID', 'x509: malformed certificate', { cause: e });
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
