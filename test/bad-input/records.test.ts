/**
 * Records that are empty, binary, not JSON where a target needs JSON, and larger than any hand-off limit
 * (1 MiB up to Kinesis's 10 MiB), through the real dispatcher and the real workers (docs/bad-input.md R1-R8).
 * Each one is delivered, or gets a DLQ entry or a failure with its reason; none blocks the records behind it.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { GetQueueUrlCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { kinesisEventFactory, sequenceNumber } from '../../harness/support/factories.js';
import { DeliveryError } from '../../lib/delivery/index.js';
import type { OversizeNotice } from '../../lib/envelope/index.js';
import { METRICS } from '../../lib/observability/index.js';
import { NOT_A_JSON_OBJECT } from '../../lib/targets/index.js';
import {
  dispatcherFor,
  invokedEnvelopes,
  queuedBodies,
  resetHandoffMocks,
  sqsMock,
  targetOf,
  workerContext,
  workerFor,
} from './support.js';

const MiB = 1_048_576;
const kinesis = mockClient(KinesisClient);
const eventBridge = mockClient(EventBridgeClient);

beforeEach(() => {
  resetHandoffMocks();
  kinesis.reset();
  eventBridge.reset();
  kinesis.on(PutRecordsCommand).callsFake((input: { Records: unknown[] }) => ({
    FailedRecordCount: 0,
    Records: input.Records.map((_, i) => ({ SequenceNumber: String(i), ShardId: 'shardId-0' })),
  }));
  eventBridge.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({
    FailedEntryCount: 0,
    Entries: input.Entries.map((_, i) => ({ EventId: `e-${i}` })),
  }));
});

const errorOf = async (promise: Promise<unknown>): Promise<DeliveryError> => {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
};

describe('bad records', () => {
  it('R1 an empty record reaches a kinesis destination, and fails an SQS one with the reason, not the others', async () => {
    const config = {
      targets: [
        { name: 'stream', type: 'kinesis' as const, destination: 'out', ordered: false },
        { name: 'queue', type: 'sqs' as const, destination: 'https://sqs.us-east-1.amazonaws.com/1/q' },
      ],
    };
    const event = kinesisEventFactory(3, (i) => (i === 1 ? '' : `{"n":${i}}`));
    expect(await dispatcherFor(config).run(event)).toEqual({ batchItemFailures: [] });

    const [toStream] = invokedEnvelopes('stream');
    expect(toStream?.records.map((r) => r.d)).toEqual(['eyJuIjowfQ==', '', 'eyJuIjoyfQ==']);
    expect(await workerFor(targetOf(config, 'stream')).handler(toStream, workerContext)).toMatchObject({
      delivered: 3,
    });
    expect(kinesis.commandCalls(PutRecordsCommand)[0]?.args[0].input.Records?.[1]?.Data).toHaveLength(0);

    const [toQueue] = invokedEnvelopes('queue');
    const worker = workerFor(targetOf(config, 'queue'));
    const error = await errorOf(worker.handler(toQueue, workerContext));
    expect(error.failures).toEqual([
      expect.objectContaining({
        sequenceNumber: sequenceNumber(1),
        retryable: false,
        reason: 'record data is empty; an SQS/SNS message body needs at least one character',
      }),
    ]);
    expect(error.delivered).toBe(2);
  });

  it('R2 binary data goes through byte for byte (the envelope carries base64, never re-encoded text)', async () => {
    const config = {
      targets: [{ name: 'stream', type: 'kinesis' as const, destination: 'out', ordered: false }],
    };
    const bytes = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x0a, 0xc3, 0x28]);
    await dispatcherFor(config).run(kinesisEventFactory(2, (i) => (i === 0 ? bytes : 'text')));
    await workerFor(targetOf(config, 'stream')).handler(invokedEnvelopes('stream')[0], workerContext);
    const sent = kinesis.commandCalls(PutRecordsCommand)[0]?.args[0].input.Records?.[0]?.Data;
    expect(Buffer.from(sent ?? new Uint8Array()).equals(bytes)).toBe(true);
  });

  it('R3 records that are not a JSON object fail an eventbridge target permanently with the reason; the rest go', async () => {
    const config = { targets: [{ name: 'bus', type: 'eventbridge' as const, destination: 'default' }] };
    const bodies = ['{"ok":1}', 'plain text', '[1,2]', '42', Buffer.from([0xff, 0x7b]), '', '{"ok":2}'];
    await dispatcherFor(config).run(kinesisEventFactory(bodies.length, (i) => bodies[i] ?? ''));
    const worker = workerFor(targetOf(config, 'bus'));

    const error = await errorOf(worker.handler(invokedEnvelopes('bus')[0], workerContext));
    expect(error.failures.map((f) => [f.sequenceNumber, f.retryable, f.reason])).toEqual(
      [1, 2, 3, 4, 5].map((i) => [sequenceNumber(i), false, NOT_A_JSON_OBJECT]),
    );
    expect(error.message).toContain(
      `5 record(s) not delivered to target "bus" (2 delivered): ${NOT_A_JSON_OBJECT}`,
    );
    const calls = eventBridge.commandCalls(PutEventsCommand);
    // One call with the two objects; the refused records were never sent, nor retried.
    expect(calls.map((c) => c.args[0].input.Entries?.map((e) => e.Detail))).toEqual([
      ['{"ok":1}', '{"ok":2}'],
    ]);
  });

  it('R4 a record above the destination’s own limit fails with sizes in the reason; the others go', async () => {
    const config = { targets: [{ name: 'bus', type: 'eventbridge' as const, destination: 'default' }] };
    const big = `{"pad":"${'p'.repeat(300_000)}"}`;
    await dispatcherFor(config).run(kinesisEventFactory(3, (i) => (i === 1 ? big : `{"n":${i}}`)));

    const error = await errorOf(
      workerFor(targetOf(config, 'bus')).handler(invokedEnvelopes('bus')[0], workerContext),
    );
    expect(error.failures).toEqual([
      expect.objectContaining({
        sequenceNumber: sequenceNumber(1),
        retryable: false,
        reason: expect.stringMatching(
          /^record of 3000\d\d bytes exceeds the eventbridge limit of 262144 bytes$/,
        ),
      }),
    ]);
    expect(error.delivered).toBe(2);
  });

  it('R5 a 1.5 MiB record (invoke): a notice in the target DLQ, the rest of the batch handed off, nothing blocked', async () => {
    const config = { targets: [{ name: 'one', type: 'kinesis' as const, destination: 'x', ordered: false }] };
    const event = kinesisEventFactory(6, (i) => (i === 2 ? Buffer.alloc(1.5 * MiB, 'a') : `{"n":${i}}`));
    const { run, telemetry } = dispatcherFor(config);

    expect(await run(event)).toEqual({ batchItemFailures: [] });
    expect(invokedEnvelopes('one').flatMap((e) => e.records.map((r) => r.seq))).toEqual(
      [0, 1, 3, 4, 5].map(sequenceNumber),
    );
    const [notice] = queuedBodies('fanout-test-one-dlq').map((b) => JSON.parse(b) as OversizeNotice);
    expect(notice).toMatchObject({
      kind: 'kinesis-fanout/oversize-record',
      target: 'one',
      limit: 1_000_000,
      record: { seq: sequenceNumber(2) },
      reason: expect.stringMatching(
        /^record of 1572864 bytes needs a \d+-byte envelope entry, over the 1000000-byte hand-off limit$/,
      ),
    });
    expect(telemetry.counter(METRICS.oversizeRecords, 'one')).toBe(1);
  });

  it('R6 a 10 MiB record (via queue): a metadata-only notice in that target’s DLQ; other targets unaffected', async () => {
    const config = {
      targets: [
        { name: 'queued', type: 'sqs' as const, destination: 'q', via: 'queue' as const, concurrency: 2 },
        { name: 'invoked', type: 'kinesis' as const, destination: 'x', ordered: false },
      ],
    };
    const event = kinesisEventFactory(3, (i) => (i === 0 ? Buffer.alloc(10 * MiB, 'z') : `{"n":${i}}`));

    expect(await dispatcherFor(config).run(event)).toEqual({ batchItemFailures: [] });
    const handedOff = queuedBodies('fanout-test-queued-queue').map(
      (b) => JSON.parse(b) as { records: Array<{ seq: string }> },
    );
    expect(handedOff.flatMap((e) => e.records.map((r) => r.seq))).toEqual([1, 2].map(sequenceNumber));
    const notices = queuedBodies('fanout-test-queued-dlq');
    expect(notices).toHaveLength(1);
    // The notice names the record, not its data: the data stays in the stream for replay.
    expect(notices[0]!.length).toBeLessThan(1_000);
    expect(JSON.parse(notices[0]!)).toMatchObject({ limit: MiB, record: { seq: sequenceNumber(0) } });
    expect(JSON.parse(notices[0]!).record.d).toBeUndefined();
    expect(queuedBodies('fanout-test-invoked-dlq')).toHaveLength(1);
    expect(invokedEnvelopes('invoked').flatMap((e) => e.records.map((r) => r.seq))).toEqual(
      [1, 2].map(sequenceNumber),
    );
  });

  it('R7 many oversize records interleaved in a batch: one notice each, every record behind them handed off in order', async () => {
    const config = {
      dispatcher: { invokePayloadLimit: 4_096 },
      targets: [{ name: 'one', type: 'kinesis' as const, destination: 'x', ordered: false }],
    };
    const oversize = (i: number) => i % 4 === 1;
    const event = kinesisEventFactory(40, (i) => (oversize(i) ? 'o'.repeat(5_000) : `{"n":${i}}`));

    expect(await dispatcherFor(config).run(event)).toEqual({ batchItemFailures: [] });
    const all = [...Array(40).keys()];
    expect(invokedEnvelopes('one').flatMap((e) => e.records.map((r) => r.seq))).toEqual(
      all.filter((i) => !oversize(i)).map(sequenceNumber),
    );
    expect(
      queuedBodies('fanout-test-one-dlq').map((b) => (JSON.parse(b) as OversizeNotice).record.seq),
    ).toEqual(all.filter(oversize).map(sequenceNumber));
  });

  it('R8 a batch of nothing but oversize records: all noticed, none invoked, the batch checkpoints', async () => {
    const config = {
      dispatcher: { invokePayloadLimit: 2_048 },
      targets: [{ name: 'one', type: 'kinesis' as const, destination: 'x', ordered: false }],
    };
    const event = kinesisEventFactory(12, () => 'o'.repeat(3_000));

    expect(await dispatcherFor(config).run(event)).toEqual({ batchItemFailures: [] });
    expect(invokedEnvelopes('one')).toEqual([]);
    expect(queuedBodies('fanout-test-one-dlq')).toHaveLength(12);
    // SendMessageBatch takes at most 10 entries: 12 notices need 2 calls.
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(2);
    expect(sqsMock.commandCalls(GetQueueUrlCommand)).toHaveLength(1);
  });
});
