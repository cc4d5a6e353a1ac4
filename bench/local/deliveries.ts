import {
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
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

/**
 * A destination SQS queue: the delivery time of a message is its SentTimestamp (when the worker's
 * SendMessageBatch reached the emulator), so it too is read after a step. Messages are deleted once read.
 */
export function queueDeliveries(sqs: SQSClient, queueUrl: string, log: DeliveryLog): DeliverySource {
  const receiveUntilEmpty = async (): Promise<void> => {
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['SentTimestamp'],
          WaitTimeSeconds: 0,
        }),
      );
      if (Messages.length === 0) return;
      for (const m of Messages) {
        const base64 = m.MessageAttributes?.['fanout-encoding']?.StringValue === 'base64';
        const body = Buffer.from(m.Body ?? '', base64 ? 'base64' : 'utf8');
        log.add(recordNumber(body), Number(m.Attributes?.SentTimestamp ?? 0));
      }
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Messages.map((m, k) => ({ Id: String(k), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
  };
  return {
    log,
    // A few receivers at once: a step leaves tens of thousands of messages, 10 per call.
    poll: async () => {
      await Promise.all(Array.from({ length: 4 }, receiveUntilEmpty));
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
