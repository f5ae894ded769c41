import { createHash } from 'node:crypto';
import {
  Tag,
  children,
  readBoolean,
  readDerExact,
  readInteger,
  readOctetString,
  readOid,
  readTime,
  sequence,
  type DerNode,
} from '../x509/der.js';
import { HASH_OIDS } from '../x509/signature-algorithms.js';

/** The baseline time-stamp policy of RFC 3628 (implies an accuracy of one second). */
export const BASELINE_TIMESTAMP_POLICY = '0.4.0.2023.1.1';

/** RFC 3161 TSTInfo, the fields notation reads. */
export interface TstInfo {
  version: number;
  policy: string;
  messageImprint: { hashAlgorithm: string; hashedMessage: Uint8Array };
  serialNumber: bigint;
  genTime: Date;
  /** Accuracy in microseconds as written (0 when absent). */
  accuracyMicros: number;
  ordering: boolean;
  nonce: bigint | undefined;
}

/** What a validated token says: a time and the bounds RFC 3161 §2.4.2 puts around it. */
export interface TimestampRange {
  genTime: Date;
  /** Accuracy in milliseconds (notation's rule: explicit, else 1 s for the baseline policy, else 0). */
  accuracyMs: number;
  /** genTime − accuracy. */
  earliest: Date;
  /** genTime + accuracy. */
  latest: Date;
}

export class TstInfoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TstInfoError';
  }
}

function int(node: DerNode | undefined, what: string): number {
  const v = readInteger(node, what);
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER))
    throw new TstInfoError(`${what} is out of range`);
  return Number(v);
}

function implicitInt(node: DerNode, what: string): number {
  return int({ ...node, tag: Tag.integer }, what);
}

/** Decodes TSTInfo DER (tspclient-go `SignedToken.Info`). Throws TstInfoError with a Go-like text. */
export function parseTstInfo(der: Uint8Array): TstInfo {
  try {
    const items = sequence(readDerExact(der, 'TSTInfo'), 'TSTInfo');
    let i = 0;
    const version = int(items[i++], 'version');
    const policy = readOid(items[i++], 'policy');
    const [alg, hashed] = sequence(items[i++], 'messageImprint');
    const hashAlgorithm = readOid(sequence(alg, 'messageImprint.hashAlgorithm')[0], 'hashAlgorithm');
    const hashedMessage = readOctetString(hashed, 'messageImprint.hashedMessage');
    const serialNumber = readInteger(items[i++], 'serialNumber');
    const genNode = items[i++];
    if (genNode?.tag !== Tag.generalizedTime) {
      throw new TstInfoError(
        `asn1: structure error: genTime: expected GeneralizedTime, found ${genNode ? `tag 0x${genNode.tag.toString(16)}` : 'nothing'}`,
      );
    }
    const genTime = readTime(genNode, 'genTime');
    let accuracyMicros = 0;
    if (items[i]?.tag === Tag.sequence) {
      for (const a of children(items[i++] as DerNode)) {
        if (a.tag === Tag.integer) accuracyMicros += int(a, 'accuracy.seconds') * 1_000_000;
        else if (a.tag === 0x80) accuracyMicros += implicitInt(a, 'accuracy.millis') * 1000;
        else if (a.tag === 0x81) accuracyMicros += implicitInt(a, 'accuracy.micros');
        else
          throw new TstInfoError(`asn1: structure error: accuracy: unexpected tag 0x${a.tag.toString(16)}`);
      }
    }
    let ordering = false;
    if (items[i]?.tag === Tag.boolean) ordering = readBoolean(items[i++], 'ordering');
    let nonce: bigint | undefined;
    if (items[i]?.tag === Tag.integer) nonce = readInteger(items[i++], 'nonce');
    if (items[i]?.tag === 0xa0) i++;
    if (items[i]?.tag === 0xa1) i++;
    if (i !== items.length) throw new TstInfoError('asn1: syntax error: trailing data in TSTInfo');
    return {
      version,
      policy,
      messageImprint: { hashAlgorithm, hashedMessage },
      serialNumber,
      genTime,
      accuracyMicros,
      ordering,
      nonce,
    };
  } catch (e) {
    const detail = e instanceof TstInfoError ? e.message : `asn1: structure error: ${(e as Error).message}`;
    throw new TstInfoError(`cannot unmarshal TSTInfo from timestamp token: ${detail}`);
  }
}

/**
 * tspclient-go's `TSTInfo.Validate(message)`: version 1, a SHA-2 imprint equal to the hash of
 * `message` (the envelope's signature value). Throws `invalid TSTInfo: …`.
 */
export function validateTstInfo(info: TstInfo, message: Uint8Array): TimestampRange {
  if (info.version !== 1)
    throw new TstInfoError(
      `invalid TSTInfo: timestamp token info version must be 1, but got ${info.version}`,
    );
  const hash = HASH_OIDS[info.messageImprint.hashAlgorithm];
  if (!hash)
    throw new TstInfoError(
      `invalid TSTInfo: unrecognized hash algorithm: ${info.messageImprint.hashAlgorithm}`,
    );
  const digest = createHash(hash).update(message).digest();
  if (Buffer.compare(digest, Buffer.from(info.messageImprint.hashedMessage)) !== 0) {
    throw new TstInfoError('invalid TSTInfo: mismatched message');
  }
  const accuracyMs =
    info.accuracyMicros === 0 && info.policy === BASELINE_TIMESTAMP_POLICY
      ? 1000
      : info.accuracyMicros / 1000;
  return {
    genTime: info.genTime,
    accuracyMs,
    earliest: new Date(info.genTime.getTime() - accuracyMs),
    latest: new Date(info.genTime.getTime() + accuracyMs),
  };
}
