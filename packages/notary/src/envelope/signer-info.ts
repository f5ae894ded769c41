import { NotaryError } from '../errors.js';
import { type Certificate, parseCertificate } from '../x509/certificate.js';
import { MAX_CHAIN_LENGTH, validateParsedChain } from '../x509/chain.js';
import { signatureAlgorithmFor, type SignatureAlgorithm } from '../x509/key-spec.js';
import type { EnvelopeContent, HeaderTime } from './types.js';

/** Largest envelope accepted (real ones are 2–12 KiB; timestamps included). */
export const MAX_ENVELOPE_BYTES = 1024 * 1024;

export function malformed(message: string, cause?: unknown): NotaryError {
  return new NotaryError('ENVELOPE_MALFORMED', message, cause === undefined ? undefined : { cause });
}

/** Parses the x5c / x5chain certificates, with the size limit. */
export function parseChain(chainDer: readonly Uint8Array[]): Certificate[] {
  if (chainDer.length === 0) throw malformed('certificate chain is not set');
  if (chainDer.length > MAX_CHAIN_LENGTH) {
    throw malformed(
      `certificate chain has ${chainDer.length} certificates, more than the ${MAX_CHAIN_LENGTH} allowed`,
    );
  }
  return chainDer.map((der, i) =>
    parseCertificate(der, i === 0 ? 'the signing (leaf) certificate' : `certificate #${i + 1} of the chain`),
  );
}

/** notation-core-go's validateSignerInfo: times, chain rules (no time), algorithm ↔ leaf key. */
export function validateSignerInfo(content: EnvelopeContent): void {
  if (content.signature.length === 0) {
    throw new NotaryError('ENVELOPE_MALFORMED', 'signature not present or is empty');
  }
  validateTimes(content.signingTime, content.expiry);
  try {
    validateParsedChain(content.certificateChain, { purpose: 'codeSigning' });
  } catch (err) {
    if (err instanceof NotaryError) {
      throw new NotaryError(err.code, `certificate-chain is invalid, ${err.message}`, { cause: err });
    }
    throw err;
  }
  const leaf = content.certificateChain[0];
  const spec = leaf?.keySpec;
  if (spec === undefined) throw new NotaryError('BUG', 'leaf key spec missing after chain validation');
  const expected: SignatureAlgorithm = signatureAlgorithmFor(spec);
  if (expected !== content.signatureAlgorithm) {
    throw new NotaryError(
      'SIGNATURE_INVALID',
      `mismatch between signature algorithm derived from signing certificate (${expected}) and signing algorithm specified (${content.signatureAlgorithm})`,
    );
  }
}

function validateTimes(signingTime: HeaderTime, expiry: HeaderTime | undefined): void {
  if (expiry !== undefined && expiry.date.getTime() <= signingTime.date.getTime()) {
    throw malformed('expiry cannot be equal or before the signing time');
  }
}
