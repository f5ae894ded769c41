import { goQuote } from '../trust-store/go-format.js';
import { type Certificate, checkSignatureFrom, OID } from '../x509/certificate.js';
import { formatRfc3339 } from '../x509/time-format.js';

/** A path-building failure; `message` is Go's crypto/x509 text. */
export class ChainBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChainBuildError';
  }
}

export interface BuildChainOptions {
  /** Anchors: a chain must end in one of these. */
  roots: readonly Certificate[];
  /** Candidate intermediates (the certificates carried in the token). */
  intermediates: readonly Certificate[];
  /** Every certificate of the chain must be valid at this time. */
  at: Date;
  /** The extended key usage the chain must allow (Go's `VerifyOptions.KeyUsages`). */
  keyUsage: string;
}

const MAX_CHAIN = 10;
const MAX_SIGNATURE_CHECKS = 100;

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

function checkValidity(cert: Certificate, at: Date): void {
  if (at.getTime() < cert.notBefore.getTime()) {
    throw new ChainBuildError(
      `x509: certificate has expired or is not yet valid: current time ${formatRfc3339(at)} is before ${formatRfc3339(cert.notBefore)}`,
    );
  }
  if (at.getTime() > cert.notAfter.getTime()) {
    throw new ChainBuildError(
      `x509: certificate has expired or is not yet valid: current time ${formatRfc3339(at)} is after ${formatRfc3339(cert.notAfter)}`,
    );
  }
}

/** Go's `isValid` for a candidate issuer: validity, CA-ness of intermediates, path length. */
function candidateProblem(
  cert: Certificate,
  root: boolean,
  chainLength: number,
  at: Date,
): string | undefined {
  try {
    checkValidity(cert, at);
  } catch (e) {
    return (e as Error).message;
  }
  if (!root && cert.basicConstraints?.ca !== true)
    return 'x509: certificate is not authorized to sign other certificates';
  const pathLen = cert.basicConstraints?.pathLength;
  if (pathLen !== undefined && chainLength - 1 > pathLen)
    return 'x509: too many intermediates for path length constraint';
  return undefined;
}

function hintName(cert: Certificate): string {
  const cn = cert.subjectNames.flat().find((a) => a.oid === '2.5.4.3')?.value;
  if (cn) return cn;
  const o = cert.subjectNames.flat().find((a) => a.oid === '2.5.4.10')?.value;
  return o ?? `serial:${cert.serialNumber.toString()}`;
}

function allowsUsage(cert: Certificate, usage: string): boolean {
  const eku = cert.extKeyUsage;
  if (eku.length === 0) return true;
  return eku.includes(OID.ekuAny) || eku.includes(usage);
}

/**
 * Builds a chain from `leaf` to one of `roots` the way Go's `Certificate.Verify` does for the
 * options tspclient-go passes: validity of every certificate at `at`, issuer by raw name and
 * signature, intermediates must be CAs within their path length, and the EKU must allow
 * `keyUsage` all the way up. Returns the first chain that satisfies all of it (leaf first).
 */
export function buildChain(leaf: Certificate, opts: BuildChainOptions): Certificate[] {
  checkValidity(leaf, opts.at);
  if (opts.roots.some((r) => same(r.der, leaf.der))) return finish([[leaf]], opts.keyUsage);
  let signatureChecks = 0;
  let hint: { err: string; cert: Certificate } | undefined;
  const chains: Certificate[][] = [];

  const extend = (chain: Certificate[]): void => {
    const current = chain[chain.length - 1] as Certificate;
    const candidates: Array<{ cert: Certificate; root: boolean }> = [
      ...opts.roots
        .filter((r) => same(r.rawSubject, current.rawIssuer))
        .map((cert) => ({ cert, root: true })),
      ...opts.intermediates
        .filter((c) => same(c.rawSubject, current.rawIssuer))
        .map((cert) => ({ cert, root: false })),
    ];
    for (const { cert, root } of candidates) {
      if (chain.some((c) => same(c.der, cert.der))) continue;
      if (++signatureChecks > MAX_SIGNATURE_CHECKS)
        throw new ChainBuildError(
          'x509: signature check attempts limit reached while verifying certificate chain',
        );
      const err = checkSignatureFrom(current, cert) ?? candidateProblem(cert, root, chain.length, opts.at);
      if (err !== undefined) {
        hint ??= { err, cert };
        continue;
      }
      if (root) chains.push([...chain, cert]);
      else if (chain.length + 1 < MAX_CHAIN) extend([...chain, cert]);
    }
  };
  extend([leaf]);
  if (chains.length === 0) {
    let msg = 'x509: certificate signed by unknown authority';
    if (hint)
      msg += ` (possibly because of ${goQuote(hint.err)} while trying to verify candidate authority certificate ${goQuote(hintName(hint.cert))})`;
    throw new ChainBuildError(msg);
  }
  return finish(chains, opts.keyUsage);
}

function finish(chains: Certificate[][], usage: string): Certificate[] {
  const ok = chains.find((chain) => chain.every((c) => allowsUsage(c, usage)));
  if (!ok) throw new ChainBuildError('x509: certificate specifies an incompatible key usage');
  return ok;
}
