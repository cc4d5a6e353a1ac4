import { chunkBySize } from '../envelope/chunk.js';
import { ENVELOPE_TAIL, envelopeHead, joinEnvelope } from '../envelope/codec.js';
import type { SourceRecord } from './decode.js';

/** An envelope ready to hand off, with the records it carries (for checkpointing if the hand-off fails). */
export interface PackedEnvelope {
  target: string;
  body: string;
  bytes: number;
  records: SourceRecord[];
}

export interface PackResult {
  envelopes: PackedEnvelope[];
  /** Records whose entry alone exceeds the limit: they go to the target's DLQ with a reason. */
  oversize: SourceRecord[];
}

/**
 * Packs a target's records into as few envelopes as the hand-off limit allows, in stream order, one shard per
 * envelope (a batch comes from one shard, but the check is cheap and keeps the envelope's `shard` truthful).
 */
export function packEnvelopes(
  target: string,
  stream: string,
  records: readonly SourceRecord[],
  limitBytes: number,
  sentAt: number,
): PackResult {
  const envelopes: PackedEnvelope[] = [];
  const oversize: SourceRecord[] = [];
  for (const [shard, shardRecords] of byShard(records)) {
    const head = envelopeHead(target, stream, shard, sentAt);
    const overhead = Buffer.byteLength(head) + ENVELOPE_TAIL.length;
    const packed = chunkBySize(shardRecords, (r) => r.entryBytes, {
      maxItems: Number.POSITIVE_INFINITY,
      maxBytes: limitBytes,
      overhead,
      separator: 1,
    });
    oversize.push(...packed.oversize);
    for (const chunk of packed.chunks) {
      const body = joinEnvelope(
        head,
        chunk.map((r) => r.entry),
      );
      let bytes = overhead + chunk.length - 1;
      for (const r of chunk) bytes += r.entryBytes;
      envelopes.push({ target, body, bytes, records: chunk });
    }
  }
  return { envelopes, oversize };
}

function byShard(records: readonly SourceRecord[]): Map<string, SourceRecord[]> {
  const shards = new Map<string, SourceRecord[]>();
  const first = records[0];
  // Fast path: Lambda's Kinesis batches come from one shard.
  if (first && records.every((r) => r.shard === first.shard))
    return new Map([[first.shard, records as SourceRecord[]]]);
  for (const r of records) {
    const list = shards.get(r.shard);
    if (list) list.push(r);
    else shards.set(r.shard, [r]);
  }
  return shards;
}
