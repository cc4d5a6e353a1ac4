/** Version of the envelope format; a worker refuses any other. */
export const ENVELOPE_VERSION = 1;
/** `kind` of an envelope: lets a DLQ reader tell envelopes from other messages. */
export const ENVELOPE_KIND = 'kinesis-fanout/envelope';
/** `kind` of the DLQ notice for a record too large to hand off. */
export const OVERSIZE_KIND = 'kinesis-fanout/oversize-record';
/** `kind` of the DLQ notice for a record whose hand-off was refused for good (invalid contents, access denied). */
export const REFUSED_KIND = 'kinesis-fanout/refused-record';

/** What every envelope record carries. Field names are short: they repeat thousands of times per call. */
export interface RecordPosition {
  /** Record id: digest of stream, shard, sequence and sub-sequence number. With the target it is the idempotency key. */
  id: string;
  /** Sequence number in the shard. */
  seq: string;
  /** Sub-sequence number of a de-aggregated KPL user record. */
  sub?: number;
  /** Partition key. */
  pk: string;
  /** Approximate arrival time in the source stream, epoch milliseconds. */
  at: number;
}

/** A record whose data travels in the envelope. */
export interface InlineRecord extends RecordPosition {
  /** Record data, base64 (as Lambda delivered it; never decoded and re-encoded on the way). */
  d: string;
  s3?: undefined;
}

/**
 * Where a claim-checked record's data waits: a record above the hand-off limit is stored once in S3 and its
 * envelopes carry this pointer instead of `d` (docs/routing.md). Workers before the claim check refuse such a
 * record (`d` is missing), so the envelope version stays 1.
 */
export interface ClaimCheckPointer {
  /** Bucket. */
  b: string;
  /** Object key: derived from the record's position, so a retried batch overwrites the same object. */
  k: string;
  /** Bytes of the record's data. */
  n: number;
}

/** A record whose data was stored in S3 (claim check). */
export interface ClaimCheckedRecord extends RecordPosition {
  d?: undefined;
  s3: ClaimCheckPointer;
}

/** One Kinesis record inside an envelope: its data, or a pointer to it. */
export type EnvelopeRecord = InlineRecord | ClaimCheckedRecord;

/** What the dispatcher hands to a target's worker: records of one shard for one target. */
export interface Envelope {
  v: typeof ENVELOPE_VERSION;
  kind: typeof ENVELOPE_KIND;
  target: string;
  /**
   * The concrete destination of a target that serves many (`discover`: a stream name). Absent for every other
   * target, whose destination is in the configuration.
   */
  dest?: string;
  /** Source stream name. */
  stream: string;
  shard: string;
  /** When the dispatcher built it, epoch milliseconds. */
  sentAt: number;
  records: EnvelopeRecord[];
}

/** DLQ message for a record larger than the hand-off limit: metadata only, the data stays in the stream. */
export interface OversizeNotice {
  v: typeof ENVELOPE_VERSION;
  kind: typeof OVERSIZE_KIND;
  target: string;
  /** The destination of a discovered target's record (as in its envelope). */
  dest?: string;
  stream: string;
  shard: string;
  reason: string;
  /** Bytes the record's entry needed, and the limit it exceeded. */
  bytes: number;
  limit: number;
  record: RecordPosition;
}

/**
 * DLQ message for a record whose hand-off the target's worker function or queue refused for a reason that
 * will not change by retrying (docs/bad-input.md): the dispatcher isolated it (bisecting the refused envelope)
 * and goes on. Its position, and its claim-check pointer when it had one: `fanout replay` reads its data again
 * from there (or from the stream) and hands it off once the cause is fixed.
 */
export interface RefusedNotice {
  v: typeof ENVELOPE_VERSION;
  kind: typeof REFUSED_KIND;
  target: string;
  dest?: string;
  stream: string;
  shard: string;
  reason: string;
  record: RecordPosition & { s3?: ClaimCheckPointer };
}

/** A DLQ notice that stands for one record, by its position: `fanout replay` re-reads the record. */
export type RecordNotice = OversizeNotice | RefusedNotice;
