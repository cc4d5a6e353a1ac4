/**
 * Hand-offs refused for good (docs/bad-input.md). A refusal that retrying cannot change must not stall the
 * shard: Lambda would hand the batch over again and again, and the same envelope would be refused each time.
 * The dispatcher isolates the records that cause it (bisecting the refused envelope within the invocation),
 * sends each to its target's DLQ with the reason (dead-letter.ts), and goes on.
 */
import { createHash } from 'node:crypto';
import { ENVELOPE_TAIL } from '../envelope/codec.js';
import type { ClaimCheckPointer, RecordPosition } from '../envelope/types.js';
import type { SourceRecord } from './decode.js';

/** A record whose hand-off was refused for good, and why. */
export interface RefusedRecord {
  record: SourceRecord;
  reason: string;
  /** The destination its envelope named (a discovered target's stream). */
  dest?: string;
}

/**
 * Error codes of a refusal that concerns the destination, not what was sent (no such function or queue, no
 * permission, a key that cannot be used): every record would be refused alike, so they are dead-lettered
 * together, without bisecting. Any other refusal (InvalidMessageContents, a message too long, a payload
 * Lambda cannot parse, an unknown code) may come from one record, and is bisected.
 */
const DESTINATION_REFUSAL =
  /AccessDenied|NotFound|NonExistent|DoesNotExist|DeletedRecently|KMS|Kms|ClientToken|UnrecognizedClient|ExpiredToken|InvalidSecurity|SignatureDoesNotMatch|Authoriz|OptInRequired|UnsupportedOperation|Forbidden/;

/** Whether the records of a refused call may be the cause (then it is worth splitting them). */
export function mayBeContent(code: string | undefined, reason: string): boolean {
  return !DESTINATION_REFUSAL.test(code ?? reason);
}

const TAIL = Buffer.from(ENVELOPE_TAIL);

/**
 * An envelope holding only `part` of the records of `payload` (an envelope of `records`, as pack.ts writes it:
 * head, entries joined by commas, tail). The head is the payload's first bytes, before the first entry; undefined
 * when the payload is not laid out so (nothing is bisected then).
 */
export function subEnvelope(
  payload: Uint8Array,
  records: readonly SourceRecord[],
  part: readonly SourceRecord[],
): Buffer | undefined {
  const bytes = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  let entries = records.length - 1 + TAIL.length;
  for (const r of records) entries += r.entryBytes;
  const headBytes = bytes.length - entries;
  if (headBytes <= 0 || !bytes.subarray(headBytes - 1, headBytes).equals(OPEN_ARRAY)) return undefined;
  if (!bytes.subarray(bytes.length - TAIL.length).equals(TAIL)) return undefined;
  const parts: Buffer[] = [bytes.subarray(0, headBytes)];
  part.forEach((r, i) => {
    if (i > 0) parts.push(COMMA);
    parts.push(r.entry);
  });
  parts.push(TAIL);
  return Buffer.concat(parts);
}

const OPEN_ARRAY = Buffer.from('[');
const COMMA = Buffer.from(',');

/** The envelope head's fields (target, destination, stream), read back from a payload that has records. */
export function envelopeHeadOf(
  payload: Uint8Array,
  records: readonly SourceRecord[],
): { dest?: string; stream?: string } {
  const empty = subEnvelope(payload, records, []);
  if (!empty) return {};
  try {
    const head = JSON.parse(empty.toString('utf8')) as { dest?: unknown; stream?: unknown };
    return {
      ...(typeof head.dest === 'string' ? { dest: head.dest } : {}),
      ...(typeof head.stream === 'string' ? { stream: head.stream } : {}),
    };
  } catch {
    return {};
  }
}

/**
 * MessageDeduplicationId of a part of a FIFO message: a digest of the whole message's id and the part's
 * records, so a retried batch that bisects the same way sends the same ids (SQS drops the copies).
 */
export function partDeduplicationId(parent: string, part: readonly SourceRecord[]): string {
  const hash = createHash('sha256').update(parent);
  for (const r of part) hash.update(`\u0000${r.shard}:${r.seq}:${r.sub ?? ''}`);
  return hash.digest('base64url');
}

/** The two halves of a list (the first one larger by one for an odd length). */
export function halves<T>(items: readonly T[]): [T[], T[]] {
  const middle = Math.ceil(items.length / 2);
  return [items.slice(0, middle), items.slice(middle)];
}

/** The record's position as its envelope entry holds it, without its data (a claim-check pointer stays). */
export function positionOf(record: SourceRecord): RecordPosition & { s3?: ClaimCheckPointer } {
  const entry = JSON.parse(record.entry.toString('utf8')) as RecordPosition & { d?: string };
  delete entry.d;
  return entry;
}
