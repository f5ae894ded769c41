import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedPath } from '../../../../test/harness/paths.js';
import { NotaryError } from '../errors.js';
import { type Certificate, parseCertificate } from '../x509/certificate.js';
import { pemBlocks } from '../x509/pem.js';
import { validateTrustedIdentities, verifyX509TrustedIdentities } from './trusted-identities.js';

const vectors = (...p: string[]): string => sharedPath('vectors', ...p);

function pemCert(path: string): Certificate {
  const [der] = pemBlocks(readFileSync(path, 'utf8'), 'CERTIFICATE');
  if (!der) throw new Error(`no certificate in ${path}`);
  return parseCertificate(der);
}

function jwsLeaf(path: string): Certificate {
  const env = JSON.parse(readFileSync(path, 'utf8')) as { header: { x5c: string[] } };
  return parseCertificate(new Uint8Array(Buffer.from(env.header.x5c[0] ?? '', 'base64')));
}

const signingCert = pemCert(vectors('notation-go/verifier/testdata/verifier/signing-cert.pem'));
const badCert = pemCert(vectors('notation-go/verifier/testdata/verifier/bad-cert.pem'));
const e2eCert = pemCert(vectors('notation/test/e2e/testdata/config/localkeys/e2e.crt'));
const mockLeaf = jwsLeaf(vectors('notation-go/internal/mock/testdata/ca_valid_sig_env.json'));

function mismatch(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(NotaryError);
    return (e as NotaryError).message;
  }
  throw new Error('expected a failure');
}

describe('verifyX509TrustedIdentities (notation-go TestVerifyX509TrustedIdentities)', () => {
  it('renders the certificate subject the way Go does', () => {
    expect(signingCert.subject).toBe('CN=SomeCN,OU=SomeOU,O=SomeOrg,L=Seattle,ST=WA,C=US');
    expect(badCert.subject).toBe('CN=Bad=#CN,OU=SomeOU,O=SomeOrg,L=Seattle,ST=WA,C=US');
    expect(e2eCert.subject).toBe('CN=e2e,O=Notary,L=Seattle,ST=WA,C=US');
  });

  const cases: Array<[string, Certificate, string[], boolean]> = [
    ['subset C,O,ST', signingCert, ['x509.subject:C=US,O=SomeOrg,ST=WA'], true],
    [
      'subset plus an unknown prefix',
      signingCert,
      ['x509.subject:C=US,O=SomeOrg,ST=WA', 'nonX509Prefix:my-custom-identity'],
      true,
    ],
    [
      'one of two identities matches',
      signingCert,
      ['x509.subject:C=US,O=SomeOrg,ST=WA', 'x509.subject:C=IND,O=SomeOrg,ST=TS'],
      true,
    ],
    ['only a non-x509 identity', signingCert, ['nonX509Prefix:my-custom-identity'], false],
    ['wildcard', signingCert, ['*'], true],
    ['a different subject', signingCert, ['x509.subject:C=IND,O=SomeOrg,ST=TS'], false],
    [
      'a different subject and an unknown prefix',
      signingCert,
      ['x509.subject:C=IND,O=SomeOrg,ST=TS', 'nonX509Prefix:my-custom-identity'],
      false,
    ],
    [
      'two different subjects',
      signingCert,
      ['x509.subject:C=IND,O=SomeOrg,ST=TS', 'x509.subject:C=LOL,O=LOL,ST=LOL'],
      false,
    ],
    ['an identity with an unescaped =#', signingCert, ['x509.subject:C=bad=#identity,O=LOL,ST=LOL'], false],
    [
      'a certificate whose CN holds =#',
      badCert,
      ['x509.subject:C=US,O=SomeOrg,ST=WA', 'nonX509Prefix:my-custom-identity'],
      false,
    ],
    [
      'the e2e identity (valid_trusted_identity_trustpolicy.json)',
      e2eCert,
      ['x509.subject: CN=e2e,O=Notary,L=Seattle,ST=WA,C=US'],
      true,
    ],
  ];
  for (const [name, cert, ids, ok] of cases) {
    it(`${ok ? 'accepts' : 'rejects'} ${name}`, () => {
      if (ok)
        expect(() => {
          verifyX509TrustedIdentities('test-statement-name', ids, cert);
        }).not.toThrow();
      else
        expect(() => {
          verifyX509TrustedIdentities('test-statement-name', ids, cert);
        }).toThrow(NotaryError);
    });
  }

  describe('when the identity does not match the leaf (INDEX E1)', () => {
    it('prints the identities as a Go []map with sorted, quoted keys', () => {
      expect(mockLeaf.subject).toBe('CN=Notation Test Root,O=Notary,L=Seattle,ST=WA,C=US');
      const msg = mismatch(() => {
        verifyX509TrustedIdentities(
          'test-statement-name',
          ['x509.subject:CN=LOL,O=DummyOrg,L=Hyderabad,ST=TG,C=IN'],
          mockLeaf,
        );
      });
      expect(msg).toBe(
        'signing certificate from the digital signature does not match the X.509 trusted identities [map["C":"IN" "CN":"LOL" "L":"Hyderabad" "O":"DummyOrg" "ST":"TG"]] defined in the trust policy "test-statement-name"',
      );
    });

    it('fails the e2e invalid_trusted_identity policy (C=USB)', () => {
      const msg = mismatch(() => {
        verifyX509TrustedIdentities('e2e', ['x509.subject: CN=e2e,O=Notary,L=Seattle,ST=WA,C=USB'], e2eCert);
      });
      expect(msg).toBe(
        'signing certificate from the digital signature does not match the X.509 trusted identities [map["C":"USB" "CN":"e2e" "L":"Seattle" "O":"Notary" "ST":"WA"]] defined in the trust policy "e2e"',
      );
    });

    it('lists several identities separated by a space', () => {
      const msg = mismatch(() => {
        verifyX509TrustedIdentities(
          'p',
          ['x509.subject:C=IND,O=SomeOrg,ST=TS', 'x509.subject:C=LOL,O=LOL,ST=LOL'],
          signingCert,
        );
      });
      expect(msg).toContain('[map["C":"IND" "O":"SomeOrg" "ST":"TS"] map["C":"LOL" "O":"LOL" "ST":"LOL"]]');
    });
  });

  it('accepts the leaf as DER too', () => {
    expect(() => {
      verifyX509TrustedIdentities('p', ['x509.subject:C=US,O=SomeOrg,ST=WA'], signingCert.der);
    }).not.toThrow();
    expect(() => {
      verifyX509TrustedIdentities('p', ['x509.subject:C=IN,O=SomeOrg,ST=WA'], signingCert.der);
    }).toThrow(NotaryError);
  });

  it('says when no x509 identity is configured', () => {
    expect(
      mismatch(() => {
        verifyX509TrustedIdentities('p', ['nonX509Prefix:x'], signingCert);
      }),
    ).toBe('no x509 trusted identities are configured in the trust policy "p"');
  });

  it('says why a certificate subject cannot be used', () => {
    expect(
      mismatch(() => {
        verifyX509TrustedIdentities('p', ['x509.subject:C=US,O=SomeOrg,ST=WA'], badCert);
      }),
    ).toBe(
      "error while parsing the certificate subject from the digital signature. error : \"parsing distinguished name (DN) \\\"CN=Bad=#CN,OU=SomeOU,O=SomeOrg,L=Seattle,ST=WA,C=US\\\" failed with err: failed to decode BER encoding: encoding/hex: invalid byte: U+004E 'N'. A valid DN must contain 'C', 'ST', and 'O' RDN attributes at a minimum, and follow RFC 4514 standard\"",
    );
  });

  it('reports identities that are malformed at verification time with the statement name (INDEX E1)', () => {
    expect(
      mismatch(() => {
        verifyX509TrustedIdentities('test-statement-name', ['x509.subject'], signingCert);
      }),
    ).toBe(
      'trust policy statement "test-statement-name" has trusted identity "x509.subject" missing separator',
    );
    expect(
      mismatch(() => {
        verifyX509TrustedIdentities('test-statement-name', ['x509.subject:'], signingCert);
      }),
    ).toBe(
      'trust policy statement "test-statement-name" has trusted identity "x509.subject:" without an identity value',
    );
  });
});

describe('validateTrustedIdentities (notation-go TestValidateTrustedIdentities)', () => {
  const err = (ids: string[]): string => {
    try {
      validateTrustedIdentities('test-statement-name', ids);
    } catch (e) {
      return (e as Error).message;
    }
    return '';
  };

  it('rejects a wildcard mixed with other identities', () => {
    expect(err(['*', 'C=US, ST=WA, O=wabbit-network.io'])).toBe(
      'trust policy statement "test-statement-name" uses a wildcard trusted identity \'*\', a wildcard identity cannot be used in conjunction with other values',
    );
  });
  it('rejects an empty identity', () => {
    expect(err([''])).toBe('trust policy statement "test-statement-name" has an empty trusted identity');
  });
  it('rejects an identity without a prefix separator', () => {
    expect(err(['C=US, ST=WA, O=wabbit-network.io, OU=org1'])).toBe(
      'trust policy statement "test-statement-name" has trusted identity "C=US, ST=WA, O=wabbit-network.io, OU=org1" missing separator',
    );
  });
  it('accepts unknown identity prefixes (left to plugins)', () => {
    expect(err(['unknown:my-trusted-identity'])).toBe('');
  });
  it('rejects a DN that is not RFC 4514', () => {
    expect(err(['x509.subject:,,,'])).toBe(
      'trust policy statement "test-statement-name" has trusted identity "x509.subject:,,," with invalid identity value: parsing distinguished name (DN) ",,," failed with err: incomplete type, value pair. A valid DN must contain \'C\', \'ST\', and \'O\' RDN attributes at a minimum, and follow RFC 4514 standard',
    );
  });
  it('rejects x509.subject without a value', () => {
    expect(err(['x509.subject:'])).toBe(
      'trust policy statement "test-statement-name" has trusted identity "x509.subject:" without an identity value',
    );
  });
  it('rejects duplicate attributes', () => {
    expect(err(['x509.subject:C=US,C=IN'])).toBe(
      'trust policy statement "test-statement-name" has trusted identity "x509.subject:C=US,C=IN" with invalid identity value: distinguished name (DN) "C=US,C=IN" has duplicate RDN attribute for "C", DN can only have unique RDN attributes',
    );
  });
  it('requires C, ST and O', () => {
    expect(err(['x509.subject:C=US,ST=WA'])).toBe(
      'trust policy statement "test-statement-name" has trusted identity "x509.subject:C=US,ST=WA" with invalid identity value: distinguished name (DN) "C=US,ST=WA" has no mandatory RDN attribute for "O", it must contain \'C\', \'ST\', and \'O\' RDN attributes at a minimum',
    );
  });
  it('accepts optional and custom attributes', () => {
    expect(err(['x509.subject:C=US,ST=WA,O=MyOrg,CustomRDN=CustomValue'])).toBe('');
  });
  it('accepts RFC 4514 escapes and spaces', () => {
    expect(
      err([
        'x509.subject:C=US,ST=WA,O=MyOrg',
        'x509.subject:C=US,ST=WA,O=  My.  Org',
        'x509.subject:C=US,ST=WA,O=My "special" Org \\, \\; \\\\ others',
      ]),
    ).toBe('');
  });
  it('rejects overlapping DNs', () => {
    expect(err(['x509.subject:C=US,ST=WA,O=MyOrg', 'x509.subject:C=US,ST=WA,O=MyOrg,X=Y'])).toBe(
      'trust policy statement "test-statement-name" has overlapping x509 trustedIdentities, "x509.subject:C=US,ST=WA,O=MyOrg" overlaps with "x509.subject:C=US,ST=WA,O=MyOrg,X=Y"',
    );
  });
  it('rejects multi-valued RDNs', () => {
    expect(err(['x509.subject:C=US+ST=WA,O=MyOrg'])).toBe(
      'trust policy statement "test-statement-name" has trusted identity "x509.subject:C=US+ST=WA,O=MyOrg" with invalid identity value: distinguished name (DN) "C=US+ST=WA,O=MyOrg" has multi-valued RDN attributes, remove multi-valued RDN attributes as they are not supported',
    );
  });
  it('keeps the leading space of the value in the message (missing_organization_trusted_identity_trustpolicy.json)', () => {
    expect(err(['x509.subject: CN=e2e,L=Seattle,ST=WA,C=US'])).toBe(
      'trust policy statement "test-statement-name" has trusted identity "x509.subject: CN=e2e,L=Seattle,ST=WA,C=US" with invalid identity value: distinguished name (DN) " CN=e2e,L=Seattle,ST=WA,C=US" has no mandatory RDN attribute for "O", it must contain \'C\', \'ST\', and \'O\' RDN attributes at a minimum',
    );
  });
});
