import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedPath } from '../../../../test/harness/paths.js';
import { parseCertificateFile, readCertificatesToAdd } from './certificate-file.js';
import { DirectoryTrustStore } from './directory-trust-store.js';
import { loadTrustStoreCertificates } from './load-trust-stores.js';
import { MemoryTrustStore } from './memory-trust-store.js';
import { notaryErrorOf, notaryRejectionOf as failure } from '../notary-error.test-support.js';

const root = sharedPath('vectors/notation-go/verifier/testdata/truststore');
const store = new DirectoryTrustStore(root);
const coreX509 = (f: string): Uint8Array =>
  new Uint8Array(readFileSync(sharedPath('vectors/notation-core-go/x509/testdata', f)));

describe('reading certificate files (notation-core-go ReadCertificateFile)', () => {
  it('reads PEM, several PEM, DER and concatenated DER', () => {
    expect(parseCertificateFile(coreX509('pem.crt'))).toHaveLength(1);
    expect(parseCertificateFile(coreX509('multi-pem.crt')).length).toBeGreaterThan(1);
    expect(parseCertificateFile(coreX509('der.der'))).toHaveLength(1);
    expect(parseCertificateFile(coreX509('multi-der.der')).length).toBeGreaterThan(1);
  });
  it('rejects a file that is neither', () => {
    expect(() => parseCertificateFile(coreX509('invalid'))).toThrow('x509: malformed certificate');
  });
  it('gives the notation cert add messages', () => {
    const cli = (f: string): Uint8Array =>
      new Uint8Array(
        readFileSync(sharedPath('vectors/notation/cmd/notation/internal/truststore/testdata', f)),
      );
    expect(() => readCertificatesToAdd(cli('invalid.txt'))).toThrow('x509: malformed certificate');
    expect(readCertificatesToAdd(cli('self-signed.crt'))).toHaveLength(1);
    expect(() => readCertificatesToAdd(new Uint8Array())).toThrow('no valid certificate found in the file');
  });
  it('rejects a PEM block that is not a certificate', () => {
    expect(() =>
      parseCertificateFile(
        new Uint8Array(Buffer.from('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n')),
      ),
    ).toThrow('x509: malformed certificate');
  });
});

describe('a directory trust store (notation-go truststore_test.go)', () => {
  it('loads a mixed PEM/DER store with CA and self-signed leaf certificates', async () => {
    const certs = await store.parsedCertificates('ca', 'valid-trust-store');
    expect(certs.map((c) => c.subject)).toContain('CN=wabbit-networks.io,O=Notary,L=Seattle,ST=WA,C=US');
    expect(certs).toHaveLength(6);
    expect((await store.certificates('ca', 'valid-trust-store'))[0]).toBeInstanceOf(Uint8Array);
  });

  it('loads a store with one self-signed signing certificate', async () => {
    expect(await store.certificates('ca', 'valid-trust-store-self-signed')).toHaveLength(1);
  });

  it('loads signingAuthority and tsa stores', async () => {
    expect((await store.certificates('signingAuthority', 'valid-trust-store')).length).toBe(3);
    const tsa = await store.parsedCertificates('tsa', 'test-timestamp');
    expect(tsa.map((c) => c.subject)).toEqual(['CN=GlobalSign,OU=GlobalSign Root CA - R6,O=GlobalSign']);
  });

  it('says when the store does not exist (invalid_trust_store_trustpolicy.json)', async () => {
    const err = await failure(store.certificates('ca', 'invalid_store'));
    expect(err.message).toBe('the trust store "invalid_store" of type "ca" does not exist');
    expect(err.code).toBe('TRUST_STORE_INVALID');
  });

  it('rejects a file that is not a certificate', async () => {
    expect((await failure(store.certificates('ca', 'trust-store-with-invalid-certs'))).message).toBe(
      'failed to read the trusted certificate invalid in trust store trust-store-with-invalid-certs of type ca',
    );
  });

  it('rejects a leaf that is neither CA nor self-signed, with the reason as cause', async () => {
    const err = await failure(store.certificates('ca', 'trust-store-with-leaf-certs'));
    expect(err.message).toBe(
      'failed to validate the trusted certificate non-ca.crt in trust store trust-store-with-leaf-certs of type ca',
    );
    expect((err.cause as Error).message).toBe(
      'certificate with subject "CN=wabbit-networks.io,O=Notary,L=Seattle,ST=WA,C=US" is not a CA certificate or self-signed signing certificate',
    );
  });

  it('rejects a file mixing a root and a leaf', async () => {
    expect(
      (await failure(store.certificates('ca', 'trust-store-with-leaf-certs-in-single-file'))).message,
    ).toBe(
      'failed to validate the trusted certificate RootAndLeafCerts.crt in trust store trust-store-with-leaf-certs-in-single-file of type ca',
    );
  });

  describe('when a tsa store holds something other than a root CA', () => {
    it('rejects a non-CA certificate', async () => {
      expect((await failure(store.certificates('tsa', 'test-nonCA'))).message).toBe(
        'trusted certificate wabbit-networks.io.crt in trust store test-nonCA of type tsa is invalid: certificate with subject "CN=wabbit-networks.io,O=Notary,L=Seattle,ST=WA,C=US" is not a root CA certificate: x509: invalid signature: parent certificate cannot sign this kind of certificate',
      );
    });
    it('rejects a certificate that is not self-issued', async () => {
      expect((await failure(store.certificates('tsa', 'test-nonSelfIssued'))).message).toBe(
        'trusted certificate nonSelfIssued.crt in trust store test-nonSelfIssued of type tsa is invalid: certificate with subject "CN=Notation Test Revokable RSA Chain Cert 2,O=Notary,L=Seattle,ST=WA,C=US" is not a root CA certificate: issuer (CN=Notation Test Revokable RSA Chain Cert Root,O=Notary,L=Seattle,ST=WA,C=US) and subject (CN=Notation Test Revokable RSA Chain Cert 2,O=Notary,L=Seattle,ST=WA,C=US) are not the same',
      );
    });
  });

  it('rejects store names and types notation rejects', async () => {
    expect((await failure(store.certificates('ca', '../ca'))).message).toBe(
      'trust store name needs to follow [a-zA-Z0-9_.-]+ format, ../ca is invalid',
    );
    expect((await failure(store.certificates('nope' as 'ca', 'x'))).message).toBe(
      'unsupported trust store type: nope',
    );
  });

  describe('with symlinks, sub-directories and empty stores (built in a temp dir)', () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'scs-truststore-'));
    afterAll(() => {
      rmSync(tmp, { recursive: true, force: true });
    });
    const globalSign = path.join(root, 'x509/ca/valid-trust-store/GlobalSignRootCA.crt');
    const mk = (...p: string[]): string => {
      const d = path.join(tmp, 'x509', ...p);
      mkdirSync(d, { recursive: true });
      return d;
    };
    const real = mk('ca', 'real');
    copyFileSync(globalSign, path.join(real, 'GlobalSignRootCA.crt'));
    symlinkSync(real, path.join(tmp, 'x509/ca/linked'));
    const withLink = mk('ca', 'with-link');
    copyFileSync(globalSign, path.join(withLink, 'a.crt'));
    symlinkSync(path.join(withLink, 'a.crt'), path.join(withLink, 'b.crt'));
    const withDir = mk('ca', 'with-dir');
    copyFileSync(globalSign, path.join(withDir, 'a.crt'));
    mk('ca', 'with-dir', 'sub-dir');
    mk('ca', 'empty');
    const withEmptyFile = mk('ca', 'empty-file');
    writeFileSync(path.join(withEmptyFile, 'empty.crt'), '');
    const temp = new DirectoryTrustStore(tmp);

    it('reads the real store', async () => {
      expect(await temp.certificates('ca', 'real')).toHaveLength(1);
    });
    it('rejects a symlinked store directory', async () => {
      expect((await failure(temp.certificates('ca', 'linked'))).message).toBe(
        `the trust store linked of type ca with path ${path.join(tmp, 'x509/ca/linked')} is not a regular directory (symlinks are not supported)`,
      );
    });
    it('rejects a symlinked certificate file', async () => {
      expect((await failure(temp.certificates('ca', 'with-link'))).message).toBe(
        'trusted certificate b.crt in trust store with-link of type ca is not a regular file (directories or symlinks are not supported)',
      );
    });
    it('rejects a sub-directory', async () => {
      expect((await failure(temp.certificates('ca', 'with-dir'))).message).toBe(
        'trusted certificate sub-dir in trust store with-dir of type ca is not a regular file (directories or symlinks are not supported)',
      );
    });
    it('rejects an empty store', async () => {
      expect((await failure(temp.certificates('ca', 'empty'))).message).toBe(
        'no x509 certificates were found in trust store "empty" of type "ca"',
      );
    });
    it('rejects an empty certificate file', async () => {
      expect((await failure(temp.certificates('ca', 'empty-file'))).message).toBe(
        'failed to validate the trusted certificate empty.crt in trust store empty-file of type ca',
      );
    });
  });
});

describe('the vector stores whose symlinks git stored as text (INDEX E3), rebuilt with real symlinks', () => {
  // In git a symlink is a file holding its target; notation's tests run on the checked-out links.
  // Each vector directory is copied to ca/<name> in a temp root, *_SYMLINK files becoming links.
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'scs-truststore-vectors-'));
  afterAll(() => {
    rmSync(tmp, { recursive: true, force: true });
  });
  const x509 = path.join(root, 'x509');
  const copyStore = (from: string, name: string): string => {
    const to = path.join(tmp, 'x509', 'ca', name);
    mkdirSync(to, { recursive: true });
    for (const entry of readdirSync(from, { withFileTypes: true })) {
      const source = path.join(from, entry.name);
      if (entry.isDirectory()) mkdirSync(path.join(to, entry.name));
      else if (entry.name.includes('_SYMLINK'))
        symlinkSync(readFileSync(source, 'utf8').trim(), path.join(to, entry.name));
      else copyFileSync(source, path.join(to, entry.name));
    }
    return to;
  };
  copyStore(path.join(x509, 'ca', 'valid-trust-store'), 'valid-trust-store');
  copyStore(path.join(x509, 'trust-store-with-cert-symlinks'), 'trust-store-with-cert-symlinks');
  copyStore(path.join(x509, 'trust-store-with-directories'), 'trust-store-with-directories');
  // x509/valid-trust-store_SYMLINK -> "ca/valid-trust-store" (relative to x509/)
  const linkTarget = readFileSync(
    path.join(x509, 'ca', 'valid-trust-store_SYMLINK', 'valid-trust-store_SYMLINK'),
    'utf8',
  ).trim();
  symlinkSync(path.join(tmp, 'x509', linkTarget), path.join(tmp, 'x509', 'ca', 'valid-trust-store_SYMLINK'));
  const rebuilt = new DirectoryTrustStore(tmp);

  it('reads the copied valid-trust-store', async () => {
    expect(await rebuilt.certificates('ca', 'valid-trust-store')).toHaveLength(6);
  });
  it('rejects valid-trust-store_SYMLINK, a symlinked store (TestLoadSymlinkTrustStore)', async () => {
    expect((await failure(rebuilt.certificates('ca', 'valid-trust-store_SYMLINK'))).message).toBe(
      `the trust store valid-trust-store_SYMLINK of type ca with path ${path.join(tmp, 'x509/ca/valid-trust-store_SYMLINK')} is not a regular directory (symlinks are not supported)`,
    );
  });
  it('rejects trust-store-with-cert-symlinks (TestLoadTrustStoreWithSymlinks)', async () => {
    expect((await failure(rebuilt.certificates('ca', 'trust-store-with-cert-symlinks'))).message).toBe(
      'trusted certificate GlobalSignRootCA_SYMLINK.crt in trust store trust-store-with-cert-symlinks of type ca is not a regular file (directories or symlinks are not supported)',
    );
  });
  it('rejects trust-store-with-directories and its sub-dir (TestLoadTrustStoreWithDirs)', async () => {
    expect((await failure(rebuilt.certificates('ca', 'trust-store-with-directories'))).message).toBe(
      'trusted certificate sub-dir in trust store trust-store-with-directories of type ca is not a regular file (directories or symlinks are not supported)',
    );
  });
});

describe('the TSA root inputs of notation sign --timestamp-root-cert (INDEX D, config/timestamp), as tsa stores', () => {
  // scs does not timestamp when it signs (no TSA client), so the sign.go messages have no
  // counterpart; the same files are refused as trust anchors of a tsa store, each for its reason.
  const ts = (f: string): Uint8Array =>
    new Uint8Array(readFileSync(sharedPath('vectors/notation/test/e2e/testdata/config/timestamp', f)));
  const tsaStore = (file: string) => () =>
    new MemoryTrustStore([{ type: 'tsa', name: 'e2e', files: [{ name: file, data: ts(file) }] }]);

  const refusal = (file: string): { message: string; cause: string | undefined } => {
    const err = notaryErrorOf(tsaStore(file));
    return { message: err.message, cause: (err.cause as Error | undefined)?.message };
  };

  it.each([
    // sign.go: "cannot find any certificate from"
    [
      'Empty.txt',
      'failed to validate the trusted certificate Empty.txt in trust store e2e of type tsa',
      'input certs cannot be empty',
    ],
    // sign.go: "x509: malformed certificate"
    [
      'invalid.crt',
      'failed to read the trusted certificate invalid.crt in trust store e2e of type tsa',
      'x509: malformed certificate',
    ],
    // sign.go: "found more than one certificates" (a leaf and its issuer: the leaf is neither CA nor self-signed)
    [
      'CertChain.pem',
      'failed to validate the trusted certificate CertChain.pem in trust store e2e of type tsa',
      'certificate with subject "CN=test_cert_1,O=Acme Co" is not a CA certificate or self-signed signing certificate',
    ],
    // sign.go: "failed to check root certificate with error: crypto/rsa: verification error"
    [
      'intermediate.pem',
      'trusted certificate intermediate.pem in trust store e2e of type tsa is invalid: certificate with subject "CN=Intermediate1" is not a root CA certificate: crypto/rsa: verification error',
      undefined,
    ],
    // sign.go: "is not a root certificate. Expecting single x509 root certificate in PEM or DER format from the file"
    [
      'notSelfIssued.crt',
      'trusted certificate notSelfIssued.crt in trust store e2e of type tsa is invalid: certificate with subject "CN=test,O=Notary,L=Seattle,ST=WA,C=US" is not a root CA certificate: issuer (CN=test,O=Notary,L=,ST=,C=US) and subject (CN=test,O=Notary,L=Seattle,ST=WA,C=US) are not the same',
      undefined,
    ],
  ])('refuses %s', (file, message, cause) => {
    expect(refusal(file)).toEqual({ message, cause });
  });
  it.each(['DigiCertTSARootSHA384.cer', 'globalsignTSARoot.cer'])('accepts %s', (file) => {
    expect(tsaStore(file)).not.toThrow();
  });
});

describe('the notation cert add trust store (cmd/notation/internal/truststore/testdata/truststore)', () => {
  it('holds x509/ca/test/self-signed.crt, the certificate notation then refuses to add twice', async () => {
    const cli = new DirectoryTrustStore(
      sharedPath('vectors/notation/cmd/notation/internal/truststore/testdata/truststore'),
    );
    const [cert] = await cli.parsedCertificates('ca', 'test');
    const added = readCertificatesToAdd(
      new Uint8Array(
        readFileSync(
          sharedPath('vectors/notation/cmd/notation/internal/truststore/testdata/self-signed.crt'),
        ),
      ),
    );
    expect(cert?.sha256).toBe(added[0]?.sha256);
  });
});

describe('loading the stores of a statement', () => {
  it('loads each store value once (overlapped_trust_store_trustpolicy.json)', async () => {
    const once = await loadTrustStoreCertificates(store, 'ca', 'e2e', ['ca:valid-trust-store']);
    const twice = await loadTrustStoreCertificates(store, 'ca', 'e2e', [
      'ca:valid-trust-store',
      'ca:valid-trust-store',
      'tsa:test-timestamp',
    ]);
    expect(twice).toHaveLength(once.length);
  });
  it('keeps only the requested type', async () => {
    const tsa = await loadTrustStoreCertificates(store, 'tsa', 'e2e', [
      'ca:valid-trust-store',
      'tsa:test-timestamp',
    ]);
    expect(tsa).toHaveLength(1);
  });
  it("reports a value without separator with notation's message (INDEX E1)", async () => {
    expect(
      (
        await failure(
          loadTrustStoreCertificates(store, 'ca', 'test-statement-name', [
            'ca:valid-trust-store',
            'signingAuthority',
          ]),
        )
      ).message,
    ).toBe(
      'error while loading the trust store, trust policy statement "test-statement-name" is missing separator in trust store value "signingAuthority". The required format is <TrustStoreType>:<TrustStoreName>',
    );
  });
  it('names the store when such an implementation hands out a malformed certificate', async () => {
    const plain = { certificates: () => Promise.resolve([Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01)]) };
    const err = await failure(loadTrustStoreCertificates(plain, 'ca', 'p', ['ca:x']));
    expect(err.code).toBe('TRUST_STORE_INVALID');
    expect(err.message).toBe('the trust store "x" of type "ca" holds a malformed certificate');
  });
  it('works over any TrustStore implementation that only hands out DER', async () => {
    const der = await store.certificates('ca', 'valid-trust-store-2');
    const plain = { certificates: () => Promise.resolve(der) };
    const certs = await loadTrustStoreCertificates(plain, 'ca', 'p', ['ca:x']);
    expect(certs.map((c) => c.subject)).toEqual([
      'CN=GlobalSign,OU=GlobalSign Root CA - R3,O=GlobalSign',
      'CN=GlobalSign,OU=GlobalSign Root CA - R3,O=GlobalSign',
    ]);
  });
});

describe('an in-memory trust store', () => {
  const pem = readFileSync(path.join(root, 'x509/ca/valid-trust-store/NotationTestRoot.pem'), 'utf8');
  it('serves the certificates it was given', async () => {
    const mem = new MemoryTrustStore([
      { type: 'ca', name: 'acme', files: [{ name: 'root.pem', data: pem }] },
    ]);
    const [der] = await mem.certificates('ca', 'acme');
    expect(der).toBeInstanceOf(Uint8Array);
    expect((await failure(mem.certificates('ca', 'other'))).message).toBe(
      'the trust store "other" of type "ca" does not exist',
    );
  });
  it('checks certificates when built, with the directory store messages', () => {
    const leaf = readFileSync(path.join(root, 'x509/ca/trust-store-with-leaf-certs/non-ca.crt'));
    expect(
      () =>
        new MemoryTrustStore([
          { type: 'ca', name: 'acme', files: [{ name: 'leaf.crt', data: new Uint8Array(leaf) }] },
        ]),
    ).toThrow('failed to validate the trusted certificate leaf.crt in trust store acme of type ca');
    expect(
      () => new MemoryTrustStore([{ type: 'tsa', name: 'ts', files: [{ name: 'root.pem', data: pem }] }]),
    ).not.toThrow();
    expect(
      () => new MemoryTrustStore([{ type: 'ca', name: 'acme', files: [{ name: 'bad', data: 'nope' }] }]),
    ).toThrow('failed to read the trusted certificate bad in trust store acme of type ca');
    expect(() => new MemoryTrustStore([{ type: 'ca', name: 'a b', files: [] }])).toThrow(
      'trust store name needs to follow',
    );
    expect(() => new MemoryTrustStore([{ type: 'ca', name: 'none', files: [] }])).toThrow(
      'no x509 certificates were found in trust store "none" of type "ca"',
    );
  });
});
