/** Ordered targets on the worker side: waves of one record per partition key, a failed key held back. */
import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { configFactory } from '../../harness/support/factories.js';
import { createWorker, DeliveryError, deliverEnvelope } from '../../lib/delivery/index.js';
import { orderedWaves } from '../../lib/delivery/ordered.js';
import { encodeEnvelope, recordId } from '../../lib/envelope/index.js';
import { recordingTelemetry } from '../../lib/observability/index.js';
import { compileTransform } from '../../lib/routing/transform.js';
import { envelopeFactory, FakeAdapter, memoryLedger } from './support.js';

const logOf = (data: Buffer): number => Number(/Record (\d+)/.exec(data.toString())?.[1]);

function deps(adapter: FakeAdapter, extra: Record<string, unknown> = {}) {
  return {
    adapter,
    ledger: memoryLedger(),
    telemetry: recordingTelemetry(),
    deadline: Date.now() + 30_000,
    maxAttempts: 2,
    sleep: async () => {},
    ordered: true,
    ...extra,
  };
}

describe('orderedWaves', () => {
  it('puts the n-th item of every key in wave n, keeping each key’s order', () => {
    const items = ['a1', 'a2', 'b1', 'a3', 'c1', 'b2'];
    expect(orderedWaves(items, (i) => i[0]!)).toEqual([['a1', 'b1', 'c1'], ['a2', 'b2'], ['a3']]);
  });
});

describe('deliverEnvelope, ordered', () => {
  it('never puts two records of one key in one call, and delivers each key in order', async () => {
    // Records 0-8 over keys key-0, key-1, key-2 (i % 3).
    const adapter = new FakeAdapter();
    await deliverEnvelope(envelopeFactory(9), deps(adapter));
    for (const call of adapter.calls) {
      const keys = call.map((r) => r.partitionKey);
      expect(new Set(keys).size).toBe(keys.length);
    }
    expect(adapter.calls.map((c) => c.map((r) => logOf(r.data)))).toEqual([
      [0, 1, 2],
      [3, 4, 5],
      [6, 7, 8],
    ]);
  });

  it('holds back the later records of a key whose record failed, and delivers the other keys', async () => {
    // Record 4 (key-1) fails for good: 7 (key-1) must not overtake it; key-0 and key-2 go on.
    const adapter = new FakeAdapter(undefined, (r) =>
      logOf(r.data) === 4 ? { ok: false, retryable: false, reason: 'ValidationException' } : { ok: true },
    );
    const error = (await deliverEnvelope(envelopeFactory(9), deps(adapter)).catch(
      (e: unknown) => e,
    )) as DeliveryError;
    expect(error).toBeInstanceOf(DeliveryError);
    expect(adapter.delivered.map((r) => logOf(r.data))).toEqual([0, 1, 2, 3, 5, 6, 8]);
    expect(error.failures.map((f) => [f.retryable, f.reason])).toEqual([
      [false, 'ValidationException'],
      [true, 'held back to keep order: an earlier record of partition key "key-1" was not delivered'],
    ]);
  });

  it('holds back only what comes after a record the transform refused, not what comes before', async () => {
    const envelope = envelopeFactory(7);
    // Record 3 (key-0) is not JSON: record 0 (before it) is delivered, 6 (after it) is held back.
    envelope.records[3]!.d = Buffer.from('not json').toString('base64');
    const adapter = new FakeAdapter();
    const error = (await deliverEnvelope(
      envelope,
      deps(adapter, { transform: compileTransform({ log: '$.log' }, 'ordered') }),
    ).catch((e: unknown) => e)) as DeliveryError;
    expect(adapter.delivered.map((r) => JSON.parse(r.data.toString()).log)).toEqual([
      'Record 0',
      'Record 1',
      'Record 2',
      'Record 4',
      'Record 5',
    ]);
    expect(error.failures.map((f) => [f.sequenceNumber, f.retryable])).toEqual([
      [envelope.records[3]!.seq, false],
      [envelope.records[6]!.seq, true],
    ]);
  });
});

describe('worker of an ordered target', () => {
  const target = { ...configFactory().targets[0]!, ordered: true, via: 'queue' as const };
  const fifoEvent = (bodies: Array<{ group: string; body: string }>): SQSEvent => ({
    Records: bodies.map(({ group, body }, i) => ({
      messageId: `m-${i}`,
      receiptHandle: `r-${i}`,
      body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '1',
        SenderId: 'x',
        ApproximateFirstReceiveTimestamp: '1',
        MessageGroupId: group,
        MessageDeduplicationId: `d-${i}`,
        SequenceNumber: String(i),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:fanout-dev-output1-queue.fifo',
      awsRegion: 'us-east-1',
    })),
  });

  const telemetry = recordingTelemetry();
  const workerOf = (adapter: FakeAdapter) =>
    createWorker({
      target,
      adapter,
      ledger: memoryLedger(),
      telemetry,
      sleep: async () => {},
    });
  /** Envelope of record `i` alone: key `key-<i mod 3>`. */
  const body = (i: number) => encodeEnvelope(envelopeFactory(1, 'output1', i));
  const context = { getRemainingTimeInMillis: () => 30_000 };

  it('delivers a batch of messages of several groups as one envelope: one call for the first records of all', async () => {
    const adapter = new FakeAdapter();
    const result = await workerOf(adapter)(
      fifoEvent([
        { group: 'a', body: body(0) },
        { group: 'b', body: body(1) },
        { group: 'c', body: body(2) },
      ]),
      context,
    );
    expect(result).toEqual({ batchItemFailures: [] });
    expect(adapter.calls.map((c) => c.map((r) => logOf(r.data)))).toEqual([[0, 1, 2]]);
  });

  it('merges only envelopes of one source shard, which an envelope names for all its records', async () => {
    const adapter = new FakeAdapter();
    const other = envelopeFactory(1, 'output1', 1);
    other.shard = 'shardId-000000000001';
    // Its record's id as the dispatcher gives it on that shard (ids name positions, and the worker checks them).
    for (const r of other.records) r.id = recordId(other.stream, other.shard, r.seq, r.sub);
    const result = await workerOf(adapter)(
      fifoEvent([
        { group: 'a', body: body(0) },
        { group: 'b', body: encodeEnvelope(other) },
        { group: 'c', body: body(2) },
      ]),
      context,
    );
    expect(result).toEqual({ batchItemFailures: [] });
    expect(adapter.calls.map((c) => c.map((r) => logOf(r.data)))).toEqual([[0, 2], [1]]);
  });

  it('fails only the messages with a failed record or one held back behind it; the group’s other keys go on', async () => {
    // m-0 (group a, key-0) fails; m-3 (group a, key-0 again) is held back behind it; m-2 (group a, key-2) and
    // m-1 (group b) cannot overtake anything of key-0, and are delivered.
    const adapter = new FakeAdapter(undefined, (r) =>
      logOf(r.data) === 0 ? { ok: false, retryable: false, reason: 'boom' } : { ok: true },
    );
    const result = await workerOf(adapter)(
      fifoEvent([
        { group: 'a', body: body(0) },
        { group: 'b', body: body(1) },
        { group: 'a', body: body(2) },
        { group: 'a', body: body(3) },
      ]),
      context,
    );
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-0' }, { itemIdentifier: 'm-3' }] });
    expect(adapter.delivered.map((r) => logOf(r.data))).toEqual([1, 2]);
    // The reason is logged: the messages come back, and only their last receive puts it in the DLQ.
    expect(telemetry.logs.at(-1)).toMatchObject({
      level: 'warn',
      details: { target: 'output1', records: 2, error: expect.stringContaining('boom') },
    });
  });

  it('holds a group back behind a message that is not an envelope, and lets the other groups go on', async () => {
    const adapter = new FakeAdapter();
    const result = await workerOf(adapter)(
      fifoEvent([
        { group: 'a', body: 'not an envelope' },
        { group: 'a', body: body(1) },
        { group: 'b', body: body(2) },
      ]),
      context,
    );
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-0' }, { itemIdentifier: 'm-1' }] });
    expect(adapter.delivered.map((r) => logOf(r.data))).toEqual([2]);
  });
});
