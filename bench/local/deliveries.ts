import {
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import type { LocalReceiver } from '../../lib/local/receiver.js';
import { quantile } from '../support/stats.js';
import { type PutLedger, recordNumber } from './producer.js';

/** When each record first reached one target's destination (epoch ms), by record number. */
export class DeliveryLog {
  readonly name: string;
  readonly #at = new Map<number, number>();
  /** Copies after the first (at-least-once delivery shows up here). */
  duplicates = 0;

  constructor(name: string) {
    this.name = name;
  }

  add(i: number | undefined, at: number): void {
    if (i === undefined) return;
    if (this.#at.has(i)) this.duplicates++;
    else this.#at.set(i, at);
  }

  at(i: number): number | undefined {
    return this.#at.get(i);
  }

  /** How many of the records `first .. first + count - 1` arrived. */
  countOf(first: number, count: number): number {
    let n = 0;
    for (let i = first; i < first + count; i++) if (this.#at.has(i)) n++;
    return n;
  }
}

/** Something that brings a target's new deliveries into its log when polled. */
export interface DeliverySource {
  log: DeliveryLog;
  poll(): Promise<void>;
}

/**
 * A destination Kinesis stream, read from TRIM_HORIZON on: the delivery time of a record is the
 * ApproximateArrivalTimestamp the emulator stamped when the worker's PutRecords reached it, so reading late
 * (after a measured step, not during it, where it would compete for the emulator) loses nothing.
 */
export function streamDeliveries(kinesis: KinesisClient, stream: string, log: DeliveryLog): DeliverySource {
  let iterators: string[] | undefined;
  return {
    log,
    poll: async () => {
      iterators ??= await Promise.all(
        ((await kinesis.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? []).map(
          async (shard) =>
            (
              await kinesis.send(
                new GetShardIteratorCommand({
                  StreamName: stream,
                  ShardId: shard.ShardId,
                  ShardIteratorType: 'TRIM_HORIZON',
                }),
              )
            ).ShardIterator ?? '',
        ),
      );
      for (const [k, start] of iterators.entries()) {
        let iterator: string | undefined = start;
        while (iterator) {
          const out: GetRecordsCommandOutput = await kinesis.send(
            new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }),
          );
          for (const r of out.Records ?? [])
            log.add(recordNumber(r.Data ?? new Uint8Array()), r.ApproximateArrivalTimestamp?.getTime() ?? 0);
          iterator = out.NextShardIterator;
          if (iterator) iterators[k] = iterator;
          if ((out.Records ?? []).length === 0) break;
        }
      }
    },
  };
}

/** An http target's path on the local receiver: the delivery time is when the receiver accepted the request. */
export function receiverDeliveries(receiver: LocalReceiver, path: string, log: DeliveryLog): DeliverySource {
  let seen = 0;
  return {
    log,
    poll: async () => {
      const received = receiver.received(path);
      for (; seen < received.length; seen++) {
        const r = received[seen];
        if (r) log.add(recordNumber(r.body), r.receivedAt);
      }
    },
  };
}

/** Put -> delivered of the records `first .. first + count - 1` at one target, by a moment `until`. */
export interface LatencySummary {
  records: number;
  delivered: number;
  /** Of those records, delivered at or before `until`. */
  deliveredBy: number;
  p50: number;
  p99: number;
  max: number;
}

export function latencyOf(
  ledger: PutLedger,
  log: DeliveryLog,
  first: number,
  count: number,
  until = Number.POSITIVE_INFINITY,
): LatencySummary {
  const latencies: number[] = [];
  let deliveredBy = 0;
  for (let i = first; i < first + count; i++) {
    const at = log.at(i);
    const put = ledger.putAt(i);
    if (at === undefined || put === undefined) continue;
    latencies.push(at - put);
    if (at <= until) deliveredBy++;
  }
  latencies.sort((a, b) => a - b);
  return {
    records: count,
    delivered: latencies.length,
    deliveredBy,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    max: latencies.at(-1) ?? Number.NaN,
  };
}

/**
 * Polls every source until each has all records `first .. first + count - 1` or `timeoutMs` passed; resolves with
 * the milliseconds it waited.
 */
export async function drain(
  sources: readonly DeliverySource[],
  first: number,
  count: number,
  timeoutMs: number,
): Promise<{ waitedMs: number; complete: boolean }> {
  const started = Date.now();
  for (;;) {
    await Promise.all(sources.map((s) => s.poll()));
    const complete = sources.every((s) => s.log.countOf(first, count) >= count);
    const waitedMs = Date.now() - started;
    if (complete || waitedMs >= timeoutMs) return { waitedMs, complete };
    // Reading a stream competes with the pipeline for the emulator: once a second is enough.
    await new Promise((r) => setTimeout(r, 1_000));
  }
}
