import {
  checkCertificateSignature,
  checkSignatureFrom,
  isSelfIssued,
  type Certificate,
} from './certificate.js';
import { goQuote } from './go-format.js';

/**
 * notation's `ValidateCertificates`: every certificate of a trust store is a CA certificate or a
 * self-signed signing certificate. Returns notation's error text, or undefined.
 */
export function validateTrustStoreCertificates(certs: readonly Certificate[]): string | undefined {
  if (certs.length < 1) return 'input certs cannot be empty';
  for (const cert of certs) {
    if (cert.basicConstraints?.isCA === true) continue;
    if (checkCertificateSignature(cert, cert.publicKey()) !== undefined) {
      return `certificate with subject ${goQuote(cert.subjectString)} is not a CA certificate or self-signed signing certificate`;
    }
  }
  return undefined;
}

/** notation's `isRootCACertificate`, required of every certificate in a `tsa` store. */
export function checkRootCaCertificate(cert: Certificate): string | undefined {
  const err = checkSignatureFrom(cert, cert);
  if (err !== undefined)
    return `certificate with subject ${goQuote(cert.subjectString)} is not a root CA certificate: ${err}`;
  if (!isSelfIssued(cert)) {
    return `certificate with subject ${goQuote(cert.subjectString)} is not a root CA certificate: issuer (${cert.issuerString}) and subject (${cert.subjectString}) are not the same`;
  }
  return undefined;
}
