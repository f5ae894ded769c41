import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedPath } from '../../../../test/harness/paths.js';
import { CborError, CborTag, type CborValue, decodeCbor, encodeCbor } from './cbor.js';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const fails = (input: string, fragment: string): void => {
  expect(() => decodeCbor(hex(input))).toThrow(CborError);
  expect(() => decodeCbor(hex(input))).toThrow(fragment);
};

describe('decodeCbor', () => {
  describe('when the input is well-formed deterministic CBOR', () => {
    it.each<[string, CborValue]>([
      ['00', 0],
      ['17', 23],
      ['1818', 24],
      ['190100', 256],
      ['20', -1],
      ['3863', -100],
      ['1b0020000000000000', 2n ** 53n],
      ['4401020304', Uint8Array.of(1, 2, 3, 4)],
      ['6161', 'a'],
      ['f4', false],
      ['f5', true],
      ['f6', null],
      ['83010203', [1, 2, 3]],
    ])('decodes %s', (input, expected) => {
      expect(decodeCbor(hex(input))).toEqual(expected);
    });

    it('decodes maps with integer and text keys, and tags', () => {
      const value = decodeCbor(hex('a2012661611a5f5e1000'));
      expect(value).toEqual(
        new Map<string | number, CborValue>([
          [1, -7],
          ['a', 1599999999 + 1],
        ]),
      );
      expect(decodeCbor(hex('c11a6305c2c4'))).toEqual(new CborTag(1, 1661321924));
    });

    it('round-trips the notation-core-go COSE conformance headers byte for byte', () => {
      const vector = JSON.parse(
        readFileSync(sharedPath('vectors/notation-core-go/signature/cose/testdata/conformance.json'), 'utf8'),
      ) as { protectedHeaders: { cborHex: string }; unprotectedHeaders: { cborHex: string } };
      for (const h of [vector.protectedHeaders.cborHex, vector.unprotectedHeaders.cborHex]) {
        const bytes = hex(h);
        expect(Buffer.from(encodeCbor(decodeCbor(bytes))).toString('hex')).toBe(h.toLowerCase());
      }
    });
  });

  describe('when the input is hostile or non-canonical', () => {
    it.each([
      ['1817', 'non-minimal encoding'],
      ['190017', 'non-minimal encoding'],
      ['5800', 'non-minimal encoding'],
      ['9f01ff', 'indefinite-length'],
      ['5f4101ff', 'indefinite-length'],
      ['a201010102', 'duplicate map key 1'],
      ['a1f601', 'neither an integer nor a text string'],
      ['62c328', 'not valid UTF-8'],
      ['590100', 'exceeds the remaining'],
      ['5a7fffffff', 'more than the 4194304 allowed'],
      ['9a7fffffff', 'more than the 4096 allowed'],
      ['0001', 'trailing bytes'],
      ['', 'unexpected end of data'],
      ['83', 'unexpected end of data'],
      ['1c', 'reserved additional information'],
      ['ff', '"break"'],
      ['f0', 'unsupported simple value'],
    ])('rejects %s (%s)', (input, fragment) => {
      fails(input, fragment);
    });

    it('rejects nesting deeper than the limit without recursing further', () => {
      const deep = new Uint8Array(100_000).fill(0x81);
      expect(() => decodeCbor(deep)).toThrow('nesting deeper than 16 levels');
    });
  });
});

describe('encodeCbor', () => {
  it('sorts map keys by their encoding and uses the shortest heads', () => {
    const map = new Map<string | number, CborValue>([
      ['bb', 1],
      [3, 'x'],
      ['a', 500],
      [1, -38],
    ]);
    expect(Buffer.from(encodeCbor(map)).toString('hex')).toBe('a4013825036178616119' + '01f4' + '62626201');
  });
});
