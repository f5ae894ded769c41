import {
  Asn1Error,
  Tag,
  children,
  expectTag,
  readDirectoryString,
  readOid,
  type DerNode,
} from '../x509/der.js';

/** One attribute of a Name, in certificate order. */
export interface NameAttribute {
  oid: string;
  /** Decoded string value, or undefined for non-string values. */
  value: string | undefined;
  /** The whole AttributeValue TLV (for the `#hex` form Go prints for unknown types). */
  rawValue: Uint8Array;
}

/** A parsed X.501 Name: RDNs in encoding order, each a set of attributes. */
export type RdnSequence = NameAttribute[][];

export function parseName(node: DerNode, what: string): RdnSequence {
  const rdns: RdnSequence = [];
  for (const set of children(expectTag(node, Tag.sequence, what))) {
    const attrs: NameAttribute[] = [];
    for (const atv of children(expectTag(set, Tag.set, `${what} RDN`))) {
      const [type, value] = children(expectTag(atv, Tag.sequence, `${what} attribute`));
      if (!value) throw new Asn1Error(`${what}: attribute value missing`, atv.offset);
      attrs.push({
        oid: readOid(type, `${what} attribute type`),
        value: readDirectoryString(value),
        rawValue: value.bytes,
      });
    }
    rdns.push(attrs);
  }
  return rdns;
}

// Go's crypto/x509/pkix attributeTypeNames.
const TYPE_NAMES: Record<string, string> = {
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

// The order in which pkix.Name.ToRDNSequence emits the parsed fields.
const FIELD_ORDER = [
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

/**
 * Go's `pkix.Name.String()` for a name parsed from a certificate: the standard attributes are
 * regrouped (C, ST, L, STREET, POSTALCODE, O, OU, CN, SERIALNUMBER), the sequence reversed, and
 * non-standard attributes printed last as `oid=#hex`. E.g. `CN=e2e,O=Notary,L=Seattle,ST=WA,C=US`.
 */
export function goNameString(rdns: RdnSequence): string {
  const all = rdns.flat();
  type Item = { typeName: string; attr: NameAttribute; hex: boolean };
  const seq: Item[][] = [];
  // Non-standard attributes go first in the sequence (hence last in the string).
  for (const attr of all) {
    if (!FIELD_ORDER.includes(attr.oid)) seq.push([{ typeName: attr.oid, attr, hex: true }]);
  }
  for (const oid of FIELD_ORDER) {
    // Go keeps only string values for the named fields.
    const values = all.filter((a) => a.oid === oid && a.value !== undefined);
    if (values.length > 0)
      seq.push(values.map((attr) => ({ typeName: TYPE_NAMES[oid] ?? oid, attr, hex: false })));
  }
  return seq
    .reverse()
    .map((rdn) =>
      rdn
        .map(({ typeName, attr, hex }) =>
          hex
            ? `${typeName}=#${Buffer.from(attr.rawValue).toString('hex')}`
            : `${typeName}=${escapeValue(attr.value ?? '')}`,
        )
        .join('+'),
    )
    .join(',');
}

function escapeValue(value: string): string {
  const chars = Array.from(value);
  let out = '';
  chars.forEach((c, k) => {
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
      default:
        break;
    }
    out += escape ? `\\${c}` : c;
  });
  return out;
}
