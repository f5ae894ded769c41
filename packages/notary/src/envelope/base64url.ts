const URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const STD_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function decode(input: string, alphabet: string, padded: boolean): Uint8Array {
  let body = input;
  if (padded) {
    if (input.length % 4 !== 0) {
      throw new Error(`illegal base64 data at input byte ${input.length - (input.length % 4)}`);
    }
    const pad = /=*$/.exec(input)?.[0].length ?? 0;
    if (pad > 2) throw new Error(`illegal base64 data at input byte ${input.length - pad}`);
    body = input.slice(0, input.length - pad);
  }
  for (let i = 0; i < body.length; i++) {
    if (!alphabet.includes(body.charAt(i))) throw new Error(`illegal base64 data at input byte ${i}`);
  }
  if (body.length % 4 === 1) throw new Error(`illegal base64 data at input byte ${body.length - 1}`);
  const bytes = Buffer.from(body, padded ? 'base64' : 'base64url');
  // Canonical: the unused low bits of the last character must be zero.
  const reencoded = bytes.toString(padded ? 'base64' : 'base64url').replace(/=+$/, '');
  if (reencoded !== body) {
    throw new Error(`illegal base64 data at input byte ${body.length - 1} (non-canonical encoding)`);
  }
  return new Uint8Array(bytes);
}

/** Strict unpadded base64url (RFC 7515 §2): no padding, no whitespace, canonical final bits. */
export function decodeBase64Url(input: string): Uint8Array {
  return decode(input, URL_ALPHABET, false);
}

/** Strict padded standard base64 (how Go's encoding/json writes []byte). */
export function decodeBase64Std(input: string): Uint8Array {
  return decode(input, STD_ALPHABET, true);
}

export function encodeBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}
