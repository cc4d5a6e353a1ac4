/** Version of the envelope format; a worker refuses any other. */
export const ENVELOPE_VERSION = 1;
/** `kind` of an envelope: lets a DLQ reader tell envelopes from other messages. */
export const ENVELOPE_KIND = 'kinesis-fanout/envelope';
/** `kind` of the DLQ notice for a record too large to hand off. */
export const OVERSIZE_KIND = 'kinesis-fanout/oversize-record';

/** One Kinesis record inside an envelope. Field names are short: they repeat thousands of times per call. */
export interface EnvelopeRecord {
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
  /** Record data, base64 (as Lambda delivered it; never decoded and re-encoded on the way). */
  d: string;
}

/** What the dispatcher hands to a target's worker: records of one shard for one target. */
export interface Envelope {
  v: typeof ENVELOPE_VERSION;
  kind: typeof ENVELOPE_KIND;
  target: string;
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
  stream: string;
  shard: string;
  reason: string;
  /** Bytes the record's entry needed, and the limit it exceeded. */
  bytes: number;
  limit: number;
  record: Omit<EnvelopeRecord, 'd'>;
}
