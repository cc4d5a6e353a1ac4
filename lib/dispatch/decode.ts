import type { KinesisStreamRecord } from 'aws-lambda';
import { streamNameOf } from '../aws/arn.js';
import { encodeRecord } from '../envelope/codec.js';
import { recordId } from '../envelope/keys.js';
import { deaggregate, KPL_BASE64_PREFIX } from '../routing/kpl.js';

/** A source record (a Kinesis record, or one user record of a KPL aggregate), decoded once for every target. */
export interface SourceRecord {
  /** Sequence number of the Kinesis record: user records of one aggregate share it, and checkpoint by it. */
  seq: string;
  /** Sub-sequence number of a KPL user record (its index in the aggregate). */
  sub?: number;
  pk: string;
  shard: string;
  /** The record's data, base64 (filters decode it only when a target has one). */
  data: string;
  /** The record's envelope entry (JSON, UTF-8), encoded once and shared by every target's envelopes. */
  entry: Buffer;
  /** Bytes of `entry` (the packer's unit). */
  entryBytes: number;
  /** Bytes of the record's data. */
  dataBytes: number;
}

/** A KPL-aggregated record that could not be split: it went on whole, as a plain record. */
export interface CorruptAggregate {
  seq: string;
  reason: string;
}

export interface DecodedBatch {
  stream: string;
  records: SourceRecord[];
  /** Kinesis records that were KPL aggregates, split into their user records. */
  aggregated: number;
  corrupt: CorruptAggregate[];
}

/** `shardId-000000000000` from an event id `shardId-000000000000:4954...`. */
function shardOf(record: KinesisStreamRecord): string {
  const colon = record.eventID.indexOf(':');
  return colon > 0 ? record.eventID.slice(0, colon) : 'shardId-unknown';
}

function base64Bytes(b64: string): number {
  const padding = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  return (b64.length * 3) / 4 - padding;
}

/**
 * Decodes a Kinesis event once: the data stays base64 as Lambda delivered it (no decode/re-encode), and each
 * record's envelope entry is serialized here, once, for all targets.
 *
 * KPL-aggregated records (recognized by their base64 prefix, so plain records cost one string comparison) are
 * split into user records, each with its own partition key and sub-sequence number, which goes into its record
 * id and so into its idempotency key. An aggregate whose checksum or body is bad goes on whole as one plain
 * record, as the KCL does: never dropped.
 */
export function decodeBatch(records: readonly KinesisStreamRecord[]): DecodedBatch {
  const first = records[0];
  const stream = first ? streamNameOf(first.eventSourceARN) : '';
  const out: SourceRecord[] = [];
  const corrupt: CorruptAggregate[] = [];
  let aggregated = 0;
  for (const record of records) {
    const k = record.kinesis;
    const shard = shardOf(record);
    const at = Math.round(k.approximateArrivalTimestamp * 1000);
    if (k.data.startsWith(KPL_BASE64_PREFIX)) {
      const result = deaggregate(Buffer.from(k.data, 'base64'));
      if (result.kind === 'aggregated') {
        aggregated++;
        for (const [sub, user] of result.records.entries()) {
          const data = user.data.toString('base64');
          const entry = encodeRecord({
            id: recordId(stream, shard, k.sequenceNumber, sub),
            seq: k.sequenceNumber,
            sub,
            pk: user.partitionKey,
            at,
            d: data,
          });
          out.push(
            sourceRecord(k.sequenceNumber, user.partitionKey, shard, data, entry, user.data.length, sub),
          );
        }
        continue;
      }
      if (result.kind === 'corrupt') corrupt.push({ seq: k.sequenceNumber, reason: result.reason });
    }
    const entry = encodeRecord({
      id: recordId(stream, shard, k.sequenceNumber),
      seq: k.sequenceNumber,
      pk: k.partitionKey,
      at,
      d: k.data,
    });
    out.push(sourceRecord(k.sequenceNumber, k.partitionKey, shard, k.data, entry, base64Bytes(k.data)));
  }
  return { stream, records: out, aggregated, corrupt };
}

function sourceRecord(
  seq: string,
  pk: string,
  shard: string,
  data: string,
  entry: string,
  dataBytes: number,
  sub?: number,
): SourceRecord {
  // An entry is pure ASCII (encodeRecord escapes the partition key), so a queue takes it whatever the key.
  const bytes = Buffer.from(entry, 'utf8');
  const record: SourceRecord = {
    seq,
    pk,
    shard,
    data,
    entry: bytes,
    entryBytes: bytes.length,
    dataBytes,
  };
  if (sub !== undefined) record.sub = sub;
  return record;
}
