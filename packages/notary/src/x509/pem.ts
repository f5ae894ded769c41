import { NotaryError } from '../errors.js';

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** The DER bodies of the PEM blocks labelled `label` in `text`, in order. */
export function pemBlocks(text: string, label: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const m of text.matchAll(PEM_BLOCK)) {
    if (m[1] !== label) continue;
    const body = (m[2] ?? '').replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4 !== 0) {
      throw new NotaryError('CERTIFICATE_INVALID', `a PEM "${label}" block is not valid base64`);
    }
    out.push(new Uint8Array(Buffer.from(body, 'base64')));
  }
  return out;
}

export function toPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * Certificates from a file's bytes: one or more PEM `CERTIFICATE` blocks, or one or more
 * concatenated DER certificates. Throws NotaryError('CERTIFICATE_INVALID') when none is found.
 */
export function readCertificates(bytes: Uint8Array, source = 'the file'): Uint8Array[] {
  const text = Buffer.from(bytes).toString('latin1');
  if (text.includes('-----BEGIN')) {
    const blocks = pemBlocks(text, 'CERTIFICATE');
    if (blocks.length === 0) {
      throw new NotaryError('CERTIFICATE_INVALID', `no PEM certificate was found in ${source}`);
    }
    return blocks;
  }
  const out: Uint8Array[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    if (bytes[pos] !== 0x30 || pos + 2 > bytes.length) {
      throw new NotaryError('CERTIFICATE_INVALID', `${source} is neither PEM nor DER certificates`);
    }
    const first = bytes[pos + 1] ?? 0;
    let len = first;
    let header = 2;
    if (first >= 0x80) {
      const n = first & 0x7f;
      if (n === 0 || n > 4)
        throw new NotaryError('CERTIFICATE_INVALID', `${source} has an invalid DER length`);
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + (bytes[pos + 2 + i] ?? 0);
      header = 2 + n;
    }
    const end = pos + header + len;
    if (end > bytes.length) throw new NotaryError('CERTIFICATE_INVALID', `${source} is truncated`);
    out.push(bytes.subarray(pos, end));
    pos = end;
  }
  if (out.length === 0) throw new NotaryError('CERTIFICATE_INVALID', `no certificate was found in ${source}`);
  return out;
}
