import { NotaryError } from '../errors.js';
import {
  type Certificate,
  checkSignature,
  checkSignatureFrom,
  hasKeyUsage,
  KEY_USAGE,
  OID,
  parseCertificate,
  timestampingEkuProblem,
} from './certificate.js';
import { formatGoUtc } from './time-format.js';

export type CertificatePurpose = 'codeSigning' | 'timestamping';

export interface ChainValidationOptions {
  purpose: CertificatePurpose;
  /** Every certificate must be valid at this instant (signing time or timestamp), if given. */
  at?: Date;
}

/** Upper bound on chain length: real chains have 2–4 certificates. */
export const MAX_CHAIN_LENGTH = 10;

const EKU_NAMES: Record<string, string> = {
  [OID.ekuAny]: 'Any',
  [OID.ekuServerAuth]: 'ServerAuth',
  [OID.ekuClientAuth]: 'ClientAuth',
  [OID.ekuOcspSigning]: 'OCSPSigning',
  [OID.ekuEmailProtection]: 'EmailProtection',
  [OID.ekuCodeSigning]: 'CodeSigning',
  [OID.ekuTimeStamping]: 'TimeStamping',
};

function chainError(message: string): NotaryError {
  return new NotaryError('CHAIN_INVALID', message);
}

function certError(message: string): NotaryError {
  return new NotaryError('CERTIFICATE_INVALID', message);
}

function validateAt(cert: Certificate, at: Date | undefined): void {
  if (at === undefined) return;
  if (at.getTime() < cert.notBefore.getTime() || at.getTime() > cert.notAfter.getTime()) {
    throw chainError(
      `certificate with subject "${cert.subject}" was invalid at signing time of ${formatGoUtc(at)}. ` +
        `Certificate is valid from [${formatGoUtc(cert.notBefore)}] to [${formatGoUtc(cert.notAfter)}]`,
    );
  }
}

function isSelfSigned(cert: Certificate): boolean {
  return (
    checkSignatureFrom(cert, cert) === undefined && Buffer.compare(cert.rawSubject, cert.rawIssuer) === 0
  );
}

function validateKeyUsagePresent(cert: Certificate, timestamping: boolean): void {
  const ext = cert.extensions.find((e) => e.oid === OID.keyUsage);
  if (ext === undefined)
    throw certError(`certificate with subject "${cert.subject}": key usage extension must be present`);
  if (!ext.critical && !timestamping) {
    throw certError(
      `certificate with subject "${cert.subject}": key usage extension must be marked critical`,
    );
  }
}

function validateLeaf(cert: Certificate, purpose: CertificatePurpose): void {
  const timestamping = purpose === 'timestamping';
  if (cert.basicConstraints?.ca === true) {
    throw certError(
      `certificate with subject "${cert.subject}": if the basic constraints extension is present, the ca field must be set to false`,
    );
  }
  validateKeyUsagePresent(cert, timestamping);
  if (!hasKeyUsage(cert, KEY_USAGE.digitalSignature)) {
    throw certError(
      `the certificate with subject "${cert.subject}" is invalid. The key usage must have the bit positions for "Digital Signature" set`,
    );
  }
  const forbidden: [number, string][] = [
    [KEY_USAGE.keyEncipherment, 'KeyEncipherment'],
    [KEY_USAGE.dataEncipherment, 'DataEncipherment'],
    [KEY_USAGE.keyAgreement, 'KeyAgreement'],
    [KEY_USAGE.keyCertSign, 'CertSign'],
    [KEY_USAGE.cRLSign, 'CRLSign'],
    [KEY_USAGE.encipherOnly, 'EncipherOnly'],
    [KEY_USAGE.decipherOnly, 'DecipherOnly'],
  ];
  const found = forbidden.filter(([bit]) => hasKeyUsage(cert, bit)).map(([, name]) => `"${name}"`);
  if (found.length > 0) {
    throw certError(
      `the certificate with subject "${cert.subject}" is invalid. The key usage must be "Digital Signature" only, but found ${found.join(', ')}`,
    );
  }
  if (timestamping) {
    const problem = timestampingEkuProblem(cert);
    if (problem === 'not-only-timestamping') {
      throw certError(
        `timestamp signing certificate with subject "${cert.subject}" must have and only have TimeStamping as extended key usage`,
      );
    }
    if (problem === 'not-critical') {
      throw certError(
        `timestamp signing certificate with subject "${cert.subject}" must have extended key usage extension marked as critical`,
      );
    }
  } else {
    const excluded = [
      OID.ekuAny,
      OID.ekuServerAuth,
      OID.ekuClientAuth,
      OID.ekuEmailProtection,
      OID.ekuOcspSigning,
      OID.ekuTimeStamping,
    ] as string[];
    for (const eku of cert.extKeyUsage) {
      if (excluded.includes(eku)) {
        throw certError(
          `certificate with subject "${cert.subject}": extended key usage must not contain ${EKU_NAMES[eku] ?? eku} eku`,
        );
      }
    }
  }
  if (cert.keySpec === undefined) {
    throw certError(`certificate with subject "${cert.subject}": ${cert.keyDescription}`);
  }
}

function validateCa(cert: Certificate, expectedPathLength: number, timestamping: boolean): void {
  if (cert.basicConstraints?.ca !== true) {
    throw certError(
      `certificate with subject "${cert.subject}": ca field in basic constraints must be present, critical, and set to true`,
    );
  }
  const pathLength = cert.basicConstraints.pathLength;
  if (pathLength !== undefined && pathLength < expectedPathLength) {
    throw certError(
      `certificate with subject "${cert.subject}": expected path length of ${expectedPathLength} but certificate has path length ${pathLength} instead`,
    );
  }
  validateKeyUsagePresent(cert, timestamping);
  if (!hasKeyUsage(cert, KEY_USAGE.keyCertSign)) {
    throw certError(
      `certificate with subject "${cert.subject}": key usage must have the bit positions for key cert sign set`,
    );
  }
}

/**
 * Validates an ordered chain (leaf first, root last) against the Notary Project certificate
 * requirements, exactly as notation-core-go does: issuance and order, a self-signed root, no
 * self-signed leaf or intermediate inside a longer chain, leaf key usage / EKU / key size, CA basic
 * constraints, path length and keyCertSign, no MD5/SHA-1 signatures, and validity at `at`.
 *
 * Returns the parsed certificates. Throws NotaryError with code CERTIFICATE_INVALID (a
 * certificate breaks a rule or cannot be parsed) or CHAIN_INVALID (order, issuance, time).
 */
export function validateCertificateChain(
  chainDer: readonly Uint8Array[],
  options: ChainValidationOptions,
): Certificate[] {
  if (chainDer.length < 1) throw chainError('certificate chain must contain at least one certificate');
  if (chainDer.length > MAX_CHAIN_LENGTH) {
    throw chainError(
      `certificate chain has ${chainDer.length} certificates, more than the ${MAX_CHAIN_LENGTH} allowed`,
    );
  }
  const chain = chainDer.map((der, i) => parseCertificate(der, `certificate #${i + 1} of the chain`));
  validateParsedChain(chain, options);
  return chain;
}

/** validateCertificateChain over already-parsed certificates. */
export function validateParsedChain(chain: readonly Certificate[], options: ChainValidationOptions): void {
  const timestamping = options.purpose === 'timestamping';
  const [first] = chain;
  if (first === undefined) throw chainError('certificate chain must contain at least one certificate');
  if (chain.length === 1) {
    validateAt(first, options.at);
    const err = checkSignature(first, first.publicKey);
    if (err !== undefined) {
      throw chainError(`invalid self-signed certificate. subject: "${first.subject}". Error: ${err}`);
    }
    try {
      validateLeaf(first, options.purpose);
    } catch (e) {
      if (e instanceof NotaryError) {
        throw new NotaryError(e.code, `invalid self-signed certificate. Error: ${e.message}`, { cause: e });
      }
      throw e;
    }
    return;
  }
  chain.forEach((cert, i) => {
    validateAt(cert, options.at);
    if (i === chain.length - 1) {
      const err = checkSignatureFrom(cert, cert);
      if (err !== undefined) {
        throw chainError(
          `root certificate with subject "${cert.subject}" is invalid or not self-signed. Certificate chain must end with a valid self-signed root certificate. Error: ${err}`,
        );
      }
      if (Buffer.compare(cert.rawSubject, cert.rawIssuer) !== 0) {
        throw chainError(
          `root certificate with subject "${cert.subject}" is not self-signed. Certificate chain must end with a valid self-signed root certificate`,
        );
      }
    } else {
      if (isSelfSigned(cert)) {
        throw chainError(
          i === 0
            ? `leaf certificate with subject "${cert.subject}" is self-signed. Certificate chain must not contain self-signed leaf certificate`
            : `intermediate certificate with subject "${cert.subject}" is self-signed. Certificate chain must not contain self-signed intermediate certificate`,
        );
      }
      const parent = chain[i + 1];
      if (parent === undefined) throw new NotaryError('BUG', 'chain index out of range');
      const err = checkSignatureFrom(cert, parent);
      if (err !== undefined) {
        throw chainError(
          `invalid certificates or certificate with subject "${cert.subject}" is not issued by "${parent.subject}". Error: ${err}`,
        );
      }
      if (Buffer.compare(parent.rawSubject, cert.rawIssuer) !== 0) {
        throw chainError(`certificate with subject "${cert.subject}" is not issued by "${parent.subject}"`);
      }
    }
    if (i === 0) validateLeaf(cert, options.purpose);
    else validateCa(cert, i - 1, timestamping);
  });
}
