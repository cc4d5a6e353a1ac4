import type { KinesisStreamRecord } from 'aws-lambda';
import { encodeRecord } from '../envelope/codec.js';
import { recordId } from '../envelope/keys.js';

/** A source record, decoded once and serialized once for every target's envelopes. */
export interface SourceRecord {
  seq: string;
  pk: string;
  shard: string;
  /** The record's envelope entry (JSON), shared by all targets. */
  entry: string;
  /** Bytes of `entry` (the packer's unit). */
  entryBytes: number;
  /** Bytes of the record's data. */
  dataBytes: number;
}

export interface DecodedBatch {
  stream: string;
  records: SourceRecord[];
}

/** The stream name of `arn:aws:kinesis:<region>:<account>:stream/<name>` (an ESM event names its stream by ARN). */
export function streamNameOf(arnOrName: string): string {
  const at = arnOrName.indexOf(':stream/');
  return at === -1 ? arnOrName : arnOrName.slice(at + ':stream/'.length).split('/')[0] || arnOrName;
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
 */
export function decodeBatch(records: readonly KinesisStreamRecord[]): DecodedBatch {
  const first = records[0];
  const stream = first ? streamNameOf(first.eventSourceARN) : '';
  const out: SourceRecord[] = new Array(records.length);
  for (let i = 0; i < records.length; i++) {
    const record = records[i] as KinesisStreamRecord;
    const k = record.kinesis;
    const shard = shardOf(record);
    const entry = encodeRecord({
      id: recordId(stream, shard, k.sequenceNumber),
      seq: k.sequenceNumber,
      pk: k.partitionKey,
      at: Math.round(k.approximateArrivalTimestamp * 1000),
      d: k.data,
    });
    out[i] = {
      seq: k.sequenceNumber,
      pk: k.partitionKey,
      shard,
      entry,
      // Partition keys may be non-ASCII; everything else in an entry is ASCII.
      entryBytes: Buffer.byteLength(entry),
      dataBytes: base64Bytes(k.data),
    };
  }
  return { stream, records: out };
}
