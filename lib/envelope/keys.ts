import { createHash } from 'node:crypto';

/**
 * Record id: a 128-bit digest of the record's position (stream, shard, sequence number and KPL sub-sequence).
 * A position names a record for good: a Kinesis retry, a Lambda retry or a DLQ replay all see the same id.
 */
export function recordId(
  stream: string,
  shard: string,
  sequenceNumber: string,
  subSequence?: number,
): string {
  return createHash('sha256')
    .update(`${stream}\u0000${shard}\u0000${sequenceNumber}\u0000${subSequence ?? ''}`)
    .digest('base64url')
    .slice(0, 22);
}

/**
 * Idempotency key of a record for one target: the same record goes to every target, and each delivery
 * is remembered on its own.
 */
export function idempotencyKey(target: string, id: string): string {
  return `${target}#${id}`;
}

/** Compares two Kinesis sequence numbers (decimal strings of up to 128 bits). */
export function compareSequenceNumbers(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * S3 key of a claim-checked record: `<prefix>/<stream>/<shard>/<sequence>[.<sub>]`. Derived from the record's
 * position only, so a retried batch (or a second target) writes the same object again instead of a new one.
 * `prefix` is `<service>-<stage>`: the IAM grants are scoped to it.
 */
export function claimCheckKey(
  prefix: string,
  stream: string,
  shard: string,
  sequenceNumber: string,
  subSequence?: number,
): string {
  return `${prefix}/${stream}/${shard}/${sequenceNumber}${subSequence === undefined ? '' : `.${subSequence}`}`;
}

/**
 * What a record's idempotency key is scoped to: the target, and for a target with many destinations
 * (`discover`) the envelope's destination too, since the same record goes to each of them.
 */
export function deliveryScope(envelope: { target: string; dest?: string | undefined }): string {
  return envelope.dest === undefined ? envelope.target : `${envelope.target}>${envelope.dest}`;
}
