import { Asn1Error, children, type DerNode, encodeTlv, readOid, readString, Tag } from './der.js';

/** One attribute of a distinguished name, in certificate order. */
export interface NameAttribute {
  oid: string;
  /** The decoded string, or undefined when the value is not a string type. */
  value: string | undefined;
  /** The DER of the value (for unknown attribute types, shown as `#hex`). */
  valueDer: Uint8Array;
}

/** RDNSequence as parsed: a list of RDNs, each a set of attributes. */
export type RelativeDistinguishedNames = NameAttribute[][];

const SHORT_NAMES: Record<string, string> = {
  '2.5.4.6': 'C',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.3': 'CN',
  '2.5.4.5': 'SERIALNUMBER',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.17': 'POSTALCODE',
};

/** The order in which Go's pkix.Name re-emits the attributes it parses into named fields. */
const GO_FIELD_ORDER = [
  '2.5.4.6',
  '2.5.4.8',
  '2.5.4.7',
  '2.5.4.9',
  '2.5.4.17',
  '2.5.4.10',
  '2.5.4.11',
  '2.5.4.3',
  '2.5.4.5',
];

/** Parses an X.501 Name (issuer or subject); `what` names it in errors. */
export function parseName(node: DerNode, what = 'name'): RelativeDistinguishedNames {
  if (node.tag !== Tag.sequence) throw new Asn1Error(`${what}: expected a Name`, node.offset);
  return children(node).map((rdn) => {
    if (rdn.tag !== Tag.set) throw new Asn1Error(`${what}: expected an RDN set`, rdn.offset);
    const atvs = children(rdn);
    if (atvs.length === 0) throw new Asn1Error(`${what}: empty RDN`, rdn.offset);
    return atvs.map((atv) => {
      if (atv.tag !== Tag.sequence) throw new Asn1Error(`${what}: malformed attribute in name`, atv.offset);
      const [type, value] = children(atv);
      if (type?.tag !== Tag.oid || value === undefined) {
        throw new Asn1Error(`${what}: malformed attribute in name`, atv.offset);
      }
      let str: string | undefined;
      try {
        str = readString(value);
      } catch {
        str = undefined;
      }
      return { oid: readOid(type), value: str, valueDer: value.bytes };
    });
  });
}

function escapeValue(value: string): string {
  const chars = Array.from(value);
  return chars
    .map((c, k) => {
      let escape = false;
      switch (c) {
        case ',':
        case '+':
        case '"':
        case '\\':
        case '<':
        case '>':
        case ';':
          escape = true;
          break;
        case ' ':
          escape = k === 0 || k === chars.length - 1;
          break;
        case '#':
          escape = k === 0;
          break;
      }
      return escape ? `\\${c}` : c;
    })
    .join('');
}

function isPrintable(s: string): boolean {
  return /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(s);
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Go's asn1.Marshal of a string value: PrintableString when it can, else UTF8String. */
function goMarshalString(s: string): Uint8Array {
  return encodeTlv(isPrintable(s) ? Tag.printableString : Tag.utf8String, Buffer.from(s, 'utf8'));
}

function formatAttribute(atv: NameAttribute): string {
  const short = SHORT_NAMES[atv.oid];
  if (short === undefined) {
    const der = atv.value === undefined ? atv.valueDer : goMarshalString(atv.value);
    return `${atv.oid}=#${hex(der)}`;
  }
  return `${short}=${escapeValue(atv.value ?? '')}`;
}

/**
 * The string Go's `pkix.Name.String()` prints for a parsed certificate name, which notation uses
 * in every message and for trusted-identity matching: e.g. `CN=e2e,O=Notary,L=Seattle,ST=WA,C=US`.
 * Known attributes are regrouped in Go's field order (C, ST, L, STREET, POSTALCODE, O, OU, CN,
 * SERIALNUMBER; several values of one type form one multi-valued RDN); other attributes keep
 * certificate order; the whole sequence is printed in reverse (RFC 2253).
 */
export function formatDistinguishedName(rdns: RelativeDistinguishedNames): string {
  const flat = rdns.flat();
  const sequence: NameAttribute[][] = [];
  // Non-standard attributes first, so they print last.
  for (const atv of flat) if (SHORT_NAMES[atv.oid] === undefined) sequence.push([atv]);
  for (const oid of GO_FIELD_ORDER) {
    let values = flat.filter((a) => a.oid === oid && a.value !== undefined);
    // Go keeps only the last CommonName and SerialNumber.
    if ((oid === '2.5.4.3' || oid === '2.5.4.5') && values.length > 1) values = values.slice(-1);
    if (values.length > 0) sequence.push(values);
  }
  return sequence
    .reverse()
    .map((rdn) => rdn.map(formatAttribute).join('+'))
    .join(',');
}
