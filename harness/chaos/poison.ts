/**
 * The `poison-records` fault: hostile records mixed into the stream (docs/bad-input.md R12-R21), each of which
 * once stalled a shard, failed its neighbours or was lost. The audit holds every one to its expected end at
 * every target: delivered once, or in the target's DLQ with its reason (harness/chaos/audit.ts).
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { QueueReader } from '../../lib/operate/queue.js';
import { classifyDlqMessage } from '../../lib/operate/replay/classify.js';
import { faultStream } from './prng.js';
import { chaosPartitionKey, chaosRecord, type SourcePosition } from './records.js';

export const POISON_KINDS = [
  'nonchar-fffe',
  'nonchar-ffff',
  'lone-high-surrogate',
  'lone-low-surrogate',
  'emoji',
  'oversize',
  'not-json',
] as const;
export type PoisonKind = (typeof POISON_KINDS)[number];

/** Poison records per this many records: one of each kind. */
export const POISON_BLOCK = 500;
/** Data of an oversize record: above the 1 MB invoke limit once base64 (claim-checked), under Kinesis's 1 MiB. */
const OVERSIZE_BYTES = 800_000;

/** A record as put into the source stream. */
export interface ChaosRecordInput {
  data: Buffer;
  partitionKey: string;
}

/**
 * Where the poison records go: in each block of {@link POISON_BLOCK} records, one of each kind at seeded
 * places. One oversize record per block keeps a PutRecords call (500 records) under Kinesis's 5 MiB.
 */
export function poisonPlan(seed: number, records: number): Map<number, PoisonKind> {
  const random = faultStream(seed, 'poison-records');
  const plan = new Map<number, PoisonKind>();
  for (let start = 0; start < records; start += POISON_BLOCK) {
    const size = Math.min(POISON_BLOCK, records - start);
    if (size < POISON_KINDS.length) break;
    const offsets = new Set<number>();
    while (offsets.size < POISON_KINDS.length) offsets.add(Math.floor(random() * size));
    [...offsets].forEach((offset, k) => {
      plan.set(start + offset, POISON_KINDS[k] as PoisonKind);
    });
  }
  return plan;
}

/**
 * Record `i` as put: its poison shape, or the plain `{"chaos":i}` under its run key (`pk-<i mod keys>`, records.ts).
 * A poison partition key is the record's own (`pk-<i>-` and the hostile characters): a key no other record has.
 */
export function chaosInput(i: number, kind: PoisonKind | undefined, keys?: number): ChaosRecordInput {
  const plain = { data: chaosRecord(i), partitionKey: chaosPartitionKey(i, keys) };
  switch (kind) {
    case 'nonchar-fffe':
      return { ...plain, partitionKey: `pk-${i}-\uFFFE` };
    case 'nonchar-ffff':
      return { ...plain, partitionKey: `pk-${i}-\uFFFF` };
    case 'lone-high-surrogate':
      return { ...plain, partitionKey: `pk-${i}-\uD800` };
    case 'lone-low-surrogate':
      return { ...plain, partitionKey: `pk-${i}-\uDC00` };
    case 'emoji':
      return { ...plain, partitionKey: `pk-${i}-😀🇺🇳` };
    case 'oversize':
      return { ...plain, data: Buffer.from(`{"chaos":${i},"pad":"${'x'.repeat(OVERSIZE_BYTES)}"}`) };
    case 'not-json':
      return { ...plain, data: Buffer.from(`chaos:${i}: not JSON`) };
    default:
      return plain;
  }
}

/** What a target can do with a poison record, and the reason its DLQ entry must give when it cannot. */
export interface PoisonExpectation {
  outcome: 'delivered' | 'dlq';
  /** Text the DLQ entry's reason holds (a redriven queue message records no reason: SQS keeps none). */
  reason?: string;
}

/**
 * Which targets can take which poison record. Every kind travels through the dispatcher (envelopes are ASCII,
 * an oversize record is claim-checked), so every target gets every record; then: an http target cannot send a
 * partition key with a lone surrogate (no header can carry it: encodeURIComponent refuses it), and a target
 * with a transform cannot project data that is not JSON. Kinesis destinations (kinesalite, like Kinesis) take
 * any key; SQS and fauxqs would have refused the U+FFFE/U+FFFF/surrogate/emoji keys in a raw envelope.
 */
export function poisonExpectation(
  kind: PoisonKind,
  target: { type: string; transform?: unknown },
): PoisonExpectation {
  if ((kind === 'lone-high-surrogate' || kind === 'lone-low-surrogate') && target.type === 'http') {
    return { outcome: 'dlq', reason: 'partition key is not well-formed Unicode' };
  }
  if (kind === 'not-json' && target.transform !== undefined) {
    return { outcome: 'dlq', reason: 'record data is not JSON' };
  }
  return { outcome: 'delivered' };
}

/** A record found in a DLQ, and why it is there. */
export interface DlqRecord {
  reason: string;
}

/**
 * The records in a DLQ (each message read once and made visible again), by chaos index, with their
 * message's reason: an envelope's records (a Lambda destination record or a redriven queue message) and
 * the record of a refused or oversize notice, matched by their source position (shard and sequence number).
 * A message that a replay handed off and that failed again has that failure's reason (`failedAgain`, by
 * message id): the message itself keeps its first one.
 */
export async function recordsInDlq(
  sqs: SQSClient,
  queueUrl: string,
  target: string,
  positions: readonly SourcePosition[],
  failedAgain: ReadonlyMap<string, string> = new Map(),
): Promise<Map<number, DlqRecord>> {
  const indexOf = new Map(positions.map((p, i) => [`${p.shard}/${p.sequenceNumber}`, i]));
  const found = new Map<number, DlqRecord>();
  const reader = new QueueReader(sqs, queueUrl, { visibilityTimeoutSeconds: 60 });
  const seen: string[] = [];
  while (!reader.exhausted) {
    for (const message of await reader.receive(10)) {
      seen.push(message.messageId);
      const entry = classifyDlqMessage(message, target);
      const records =
        entry.kind === 'envelope'
          ? entry.envelope.records.map((r) => ({ shard: entry.envelope.shard, seq: r.seq }))
          : entry.kind === 'unparseable'
            ? []
            : [{ shard: entry.notice.shard, seq: entry.notice.record.seq }];
      for (const r of records) {
        const index = indexOf.get(`${r.shard}/${r.seq}`);
        if (index === undefined) continue;
        // A record in several messages (a batch and its bisected halves after a crash): every reason counts.
        const reason = failedAgain.get(message.messageId) ?? entry.error;
        const before = found.get(index)?.reason;
        found.set(index, { reason: before === undefined ? reason : `${before} | ${reason}` });
      }
    }
  }
  await reader.release(seen);
  return found;
}
