import { chunkBySize } from '../envelope/chunk.js';
import { ENVELOPE_TAIL, envelopeHead } from '../envelope/codec.js';
import type { SourceRecord } from './decode.js';

/** An envelope ready to hand off, with the records it carries (for checkpointing if the hand-off fails). */
export interface PackedEnvelope {
  target: string;
  /** The envelope's JSON, UTF-8: handed to `Invoke` as is (no string copy), or decoded once for SQS. */
  payload: Buffer;
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
 * `dest` names the concrete destination of a target with many (`discover`).
 */
export function packEnvelopes(
  target: string,
  stream: string,
  records: readonly SourceRecord[],
  limitBytes: number,
  sentAt: number,
  dest?: string,
): PackResult {
  const envelopes: PackedEnvelope[] = [];
  const oversize: SourceRecord[] = [];
  for (const [shard, shardRecords] of byShard(records)) {
    const head = Buffer.from(envelopeHead(target, stream, shard, sentAt, dest), 'utf8');
    const overhead = head.length + TAIL.length;
    const packed = chunkBySize(shardRecords, (r) => r.entryBytes, {
      maxItems: Number.POSITIVE_INFINITY,
      maxBytes: limitBytes,
      overhead,
      separator: 1,
    });
    oversize.push(...packed.oversize);
    for (const chunk of packed.chunks) {
      // One copy of each entry, straight into the envelope: no joined string, no re-encoding.
      const parts: Buffer[] = new Array(chunk.length * 2 + 1);
      parts[0] = head;
      let bytes = overhead + chunk.length - 1;
      for (let i = 0; i < chunk.length; i++) {
        const r = chunk[i] as SourceRecord;
        parts[i * 2 + 1] = r.entry;
        parts[i * 2 + 2] = i === chunk.length - 1 ? TAIL : COMMA;
        bytes += r.entryBytes;
      }
      envelopes.push({ target, payload: Buffer.concat(parts, bytes), bytes, records: chunk });
    }
  }
  return { envelopes, oversize };
}

const COMMA = Buffer.from(',');
const TAIL = Buffer.from(ENVELOPE_TAIL);

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
