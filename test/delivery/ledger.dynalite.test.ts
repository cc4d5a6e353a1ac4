import type { KinesisStreamRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { kinesisRecordFactory, kinesisSequenceNumber } from '../../harness/support/factories.js';
import { DeliveryError, deliverEnvelope } from '../../lib/delivery/index.js';
import { decodeBatch } from '../../lib/dispatch/decode.js';
import { byMessageGroup } from '../../lib/dispatch/ordered.js';
import { packEnvelopes } from '../../lib/dispatch/pack.js';
import type { Envelope } from '../../lib/envelope/types.js';
import { DynamoLedger } from '../../lib/ledger/dynamo.js';
import { recordingTelemetry } from '../../lib/observability/index.js';
import { useLedgerTable } from '../support/ledger-table.js';
import { FakeAdapter, gatedAdapter } from './support.js';

const TABLE = 'worker-ledger';
const dynamo = useLedgerTable(TABLE);

let shards = 0;
/** A fresh shard per test: a ledger of its own. */
const newShard = (): string => `shardId-${String(++shards).padStart(12, '0')}`;
const logOf = (data: Buffer): number => Number(/Record (\d+)/.exec(data.toString())?.[1]);

function records(shard: string, from: number, to: number, keep: (i: number) => boolean = () => true) {
  const out: KinesisStreamRecord[] = [];
  for (let i = from; i < to; i++) {
    if (!keep(i)) continue;
    const r = kinesisRecordFactory(`{"log":"Record ${i}"}`, { n: i, shard, partitionKey: `key-${i % 5}` });
    r.kinesis.sequenceNumber = kinesisSequenceNumber(i);
    r.eventID = `${shard}:${r.kinesis.sequenceNumber}`;
    out.push(r);
  }
  return out;
}

/** The envelope the dispatcher packs from these records (one: the limit is large), as the worker parses it. */
function envelope(batch: KinesisStreamRecord[]): Envelope {
  const decoded = decodeBatch(batch);
  const packed = packEnvelopes('out', decoded.stream, decoded.records, 10_000_000, 1);
  return JSON.parse((packed.envelopes[0] as { payload: Buffer }).payload.toString('utf8')) as Envelope;
}

const deps = (adapter: FakeAdapter, now: () => number = Date.now) => ({
  adapter,
  ledger: new DynamoLedger({ client: dynamo.client(), tableName: TABLE, ttlSeconds: 3_600, now }),
  telemetry: recordingTelemetry(),
  deadline: now() + 30_000,
  now,
  sleep: async () => {},
});

describe('deliverEnvelope on the DynamoDB ledger', () => {
  it('delivers each record of two overlapping envelopes once, whichever runs first (a dispatcher retry)', async () => {
    const shard = newShard();
    const { adapter: slow, open } = gatedAdapter();
    const first = deliverEnvelope(envelope(records(shard, 0, 60)), deps(slow));
    await new Promise((r) => setTimeout(r, 50));
    const other = new FakeAdapter();
    const error = await deliverEnvelope(envelope(records(shard, 40, 100)), deps(other)).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DeliveryError);
    open();
    await first;
    // The second envelope's retry finds 40-59 delivered by the first.
    const retry = new FakeAdapter();
    expect(await deliverEnvelope(envelope(records(shard, 40, 100)), deps(retry))).toMatchObject({
      delivered: 0,
      skipped: 60,
    });
    const all = [...slow.delivered, ...other.delivered, ...retry.delivered].map((r) => logOf(r.data));
    expect(all.sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('never marks a record left out of an envelope as delivered: a later replay of it delivers it', async () => {
    const shard = newShard();
    // Records 10-19 were filtered out for this target (or went to the DLQ as oversize notices).
    const adapter = new FakeAdapter();
    await deliverEnvelope(envelope(records(shard, 0, 40, (i) => i < 10 || i >= 20)), deps(adapter));
    const replay = new FakeAdapter();
    const summary = await deliverEnvelope(envelope(records(shard, 0, 40)), deps(replay));
    expect(summary).toMatchObject({ delivered: 10, skipped: 30 });
    expect(replay.delivered.map((r) => logOf(r.data))).toEqual(Array.from({ length: 10 }, (_, i) => 10 + i));
  });

  it('redelivers only what a dead invocation had not recorded, once its lease has ended', async () => {
    const shard = newShard();
    let now = Date.now();
    const clock = () => now;
    const batch = records(shard, 0, 12);
    // 4 records per call: the process dies in its second call, after the destination took the records.
    const dying = new FakeAdapter({
      maxRecords: 4,
      maxBytes: 10_000,
      maxRecordBytes: 1_000,
      parallelCalls: 1,
    });
    const deliver = dying.deliver.bind(dying);
    dying.deliver = async (call) => {
      const out = await deliver(call);
      return dying.calls.length === 2 ? new Promise<never>(() => {}) : out;
    };
    void deliverEnvelope(envelope(batch), deps(dying, clock));
    while (dying.calls.length < 2) await new Promise((r) => setTimeout(r, 5));
    // While its lease holds, a retry skips what it recorded and leaves the rest to it.
    const early = new FakeAdapter();
    const error = (await deliverEnvelope(envelope(batch), deps(early, clock)).catch(
      (e: unknown) => e,
    )) as DeliveryError;
    expect(error).toBeInstanceOf(DeliveryError);
    expect(early.delivered).toHaveLength(0);
    expect(error.failures).toHaveLength(8);
    // Once the lease has ended, the retry delivers what was not recorded.
    now += 120_000;
    const retry = new FakeAdapter();
    expect(await deliverEnvelope(envelope(batch), deps(retry, clock))).toMatchObject({
      delivered: 8,
      skipped: 4,
    });
    const everything = [...dying.delivered, ...retry.delivered]
      .map((r) => logOf(r.data))
      .sort((x, y) => x - y);
    // Records 4-7, taken by the destination in the call the process died in, twice: the window is that one call.
    expect(everything).toEqual([0, 1, 2, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 9, 10, 11]);
  });

  it('gives each message group of an ordered target its records, and the ledger ends up with every record once', async () => {
    const shard = newShard();
    const batch = records(shard, 0, 200);
    const decoded = decodeBatch(batch);
    const groups = [...byMessageGroup(decoded.records, 8).values()].map((mine) => {
      const packed = packEnvelopes('out', decoded.stream, mine, 10_000_000, 1);
      return JSON.parse((packed.envelopes[0] as { payload: Buffer }).payload.toString('utf8')) as Envelope;
    });
    const adapter = new FakeAdapter();
    // Message groups are handled in parallel by different workers.
    await Promise.all(groups.map((g) => deliverEnvelope(g, { ...deps(adapter), ordered: true })));
    expect(adapter.delivered).toHaveLength(200);
    // A replay of the whole batch (replay --source) skips all of it.
    const replay = new FakeAdapter();
    expect(await deliverEnvelope(envelope(batch), deps(replay))).toMatchObject({
      delivered: 0,
      skipped: 200,
    });
  });
});
