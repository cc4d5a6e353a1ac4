import { type KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';

/** The data of record `i`: its index is all the audit needs to find it at every destination. */
export const chaosRecord = (i: number): Buffer => Buffer.from(`{"chaos":${i}}`);

/**
 * Partition keys of the run: record i has key `pk-<i mod keys>` (16 by default), so each key has many records
 * and the order audit has something to check (ordered targets keep each key's order; unordered ones need not).
 * An ordered target delivers a key's records one destination call after another (lib/delivery/ordered.ts), so
 * with few keys a large run is bound by those calls: `--keys` spreads a large run wider.
 */
export const CHAOS_KEYS = 16;
export const chaosPartitionKey = (i: number, keys = CHAOS_KEYS): string => `pk-${i % keys}`;

/**
 * The record index in a record's data (the http and Kinesis destinations get the data unchanged, or a
 * transform's `{"chaos":i}`); a poison record that is not JSON is `chaos:<i>: ...` (harness/chaos/poison.ts).
 */
export function recordIndexOf(data: Buffer): number | undefined {
  const match = /^(?:\{"chaos":|chaos:)(\d+)/.exec(data.subarray(0, 32).toString('latin1'));
  return match ? Number(match[1]) : undefined;
}

/** Where a record landed in the source stream: with the stream, its record id (lib/envelope/keys.ts). */
export interface SourcePosition {
  shard: string;
  sequenceNumber: string;
}

/**
 * Puts records 0..count-1 into the source stream, 500 per call (the PutRecords limit), failed entries again;
 * fills `positions` (index -> position) as each call is answered, from which the audit derives a record's
 * idempotency key at every target. Filled as it goes, not at the end: the pipeline delivers (and workers die)
 * while a large run is still putting, and a death's look-up needs the keys of what was delivered before it.
 */
export async function putChaosRecords(
  kinesis: KinesisClient,
  stream: string,
  count: number,
  positions: SourcePosition[],
  input: (i: number) => { data: Buffer; partitionKey: string } = (i) => ({
    data: chaosRecord(i),
    partitionKey: chaosPartitionKey(i),
  }),
): Promise<void> {
  for (let start = 0; start < count; start += 500) {
    let pending = Array.from({ length: Math.min(500, count - start) }, (_, n) => start + n);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= 20) throw new Error(`PutRecords: ${pending.length} record(s) still failing`);
      if (attempt > 0) await new Promise((r) => setTimeout(r, 100 * attempt));
      const out = await kinesis.send(
        new PutRecordsCommand({
          StreamName: stream,
          Records: pending.map((i) => {
            const { data, partitionKey } = input(i);
            return { Data: data, PartitionKey: partitionKey };
          }),
        }),
      );
      pending.forEach((i, n) => {
        const r = out.Records?.[n];
        if (r && !r.ErrorCode && r.ShardId && r.SequenceNumber)
          positions[i] = { shard: r.ShardId, sequenceNumber: r.SequenceNumber };
      });
      pending = pending.filter((_, n) => out.Records?.[n]?.ErrorCode);
    }
  }
}
