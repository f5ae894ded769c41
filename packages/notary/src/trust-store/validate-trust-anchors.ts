import { type Certificate, checkSignature, checkSignatureFrom, isSelfIssued } from '../x509/certificate.js';
import { goQuote } from './go-format.js';

/**
 * notation's `ValidateCertificates`: every certificate of a trust store is a CA certificate or a
 * self-signed signing certificate. Returns notation's error text, or undefined.
 */
export function validateTrustStoreCertificates(certs: readonly Certificate[]): string | undefined {
  if (certs.length < 1) return 'input certs cannot be empty';
  for (const cert of certs) {
    if (cert.basicConstraints?.ca === true) continue;
    if (checkSignature(cert, cert.publicKey) !== undefined) {
      return `certificate with subject ${goQuote(cert.subject)} is not a CA certificate or self-signed signing certificate`;
    }
  }
  return undefined;
}

/** notation's `isRootCACertificate`, required of every certificate in a `tsa` store. */
export function checkRootCaCertificate(cert: Certificate): string | undefined {
  const err = checkSignatureFrom(cert, cert);
  if (err !== undefined)
    return `certificate with subject ${goQuote(cert.subject)} is not a root CA certificate: ${err}`;
  if (!isSelfIssued(cert)) {
    return `certificate with subject ${goQuote(cert.subject)} is not a root CA certificate: issuer (${cert.issuer}) and subject (${cert.subject}) are not the same`;
  }
  return undefined;
}
