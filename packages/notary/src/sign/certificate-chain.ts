import { NotaryError } from '../errors.js';
import { type Certificate, checkSignature, checkSignatureFrom } from '../x509/certificate.js';

function sameName(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

function isSelfSigned(cert: Certificate): boolean {
  return sameName(cert.rawSubject, cert.rawIssuer) && checkSignature(cert, cert.publicKey) === undefined;
}

function fail(message: string): never {
  throw new NotaryError('CHAIN_INVALID', message);
}

function checkNoDuplicates(certs: readonly Certificate[]): void {
  for (const [i, cert] of certs.entries()) {
    if (certs.some((other, j) => j < i && sameName(other.rawSubject, cert.rawSubject))) {
      fail(
        `two certificates have the subject "${cert.subject}": the certificate bundle must hold each certificate of the chain once`,
      );
    }
  }
}

function issues(issuer: Certificate, child: Certificate): boolean {
  return child !== issuer && sameName(child.rawIssuer, issuer.rawSubject);
}

/** Walks from `leaf` to a self-signed root through `certs`, then requires every certificate used. */
function walk(leaf: Certificate, certs: readonly Certificate[]): Certificate[] {
  const chain: Certificate[] = [leaf];
  let current = leaf;
  while (!sameName(current.rawSubject, current.rawIssuer)) {
    const child = current;
    const issuer = certs.find((c) => issues(c, child));
    if (issuer === undefined) {
      fail(
        `the certificate chain is incomplete: no certificate in the CA bundle issued "${child.subject}" (issuer "${child.issuer}"); the bundle must hold every intermediate and the root`,
      );
    }
    if (chain.includes(issuer)) {
      fail(`the certificate names form a loop at "${issuer.subject}": the chain never reaches a root`);
    }
    const err = checkSignatureFrom(child, issuer);
    if (err !== undefined) {
      fail(`certificate "${child.subject}" is not signed by "${issuer.subject}" of the CA bundle: ${err}`);
    }
    chain.push(issuer);
    current = issuer;
  }
  if (!isSelfSigned(current)) {
    fail(
      chain.length === 1
        ? `the only certificate, "${current.subject}", is not self-signed (issuer "${current.issuer}"): give the CA bundle (intermediates and root) to complete the chain`
        : `the root certificate "${current.subject}" does not carry a valid self-signature`,
    );
  }
  if (chain.length !== certs.length) {
    const unused = certs.filter((c) => !chain.includes(c)).map((c) => `"${c.subject}"`);
    fail(
      `the chain needs ${chain.length} certificates but ${certs.length} were given: remove ${unused.join(', ')} from the CA bundle`,
    );
  }
  return chain;
}

/**
 * Orders a set of certificates (the signing certificate and its CA bundle, in any order) into one
 * chain, leaf first, ending with a self-signed root — the rules of notation-azure-kv's
 * `CertificateChain.Build`: no duplicate subject, exactly one certificate that issues none of the
 * others (the leaf), every issuer present, and every certificate used. It checks more than the
 * plugin: each link's signature and the root's self-signature, and it refuses a loop of names.
 */
export function buildCertificateChain(certs: readonly Certificate[]): Certificate[] {
  const first = certs[0];
  if (first === undefined) {
    fail('there is no certificate to build a chain from: give the signing certificate and its CA bundle');
  }
  if (certs.length === 1) {
    if (!isSelfSigned(first)) {
      fail(
        `the only certificate, "${first.subject}", is not self-signed (issuer "${first.issuer}"): give the CA bundle (intermediates and root) to complete the chain`,
      );
    }
    return [first];
  }
  checkNoDuplicates(certs);
  const leaves = certs.filter((c) => !certs.some((other) => issues(c, other)));
  if (leaves.length !== 1) {
    const names = leaves.map((c) => `"${c.subject}"`).join(', ');
    fail(
      leaves.length === 0
        ? 'no certificate of the bundle is a leaf (every certificate issues another one: the names form a loop)'
        : `the certificates form more than one chain (${names} issue no other certificate): give only the signing certificate, its intermediates and its root`,
    );
  }
  return walk(leaves[0] as Certificate, certs);
}

/**
 * Completes a Key Vault signing certificate with a CA bundle (any order) into leaf → … → root,
 * with `buildCertificateChain`'s rules, starting from the known leaf.
 */
export function completeChain(leaf: Certificate, bundle: readonly Certificate[]): Certificate[] {
  const all = [leaf, ...bundle];
  checkNoDuplicates(all);
  return walk(leaf, all);
}
