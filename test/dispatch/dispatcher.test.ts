import { InvokeCommand, LambdaClient, TooManyRequestsException } from '@aws-sdk/client-lambda';
import { GetQueueUrlCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  configFactory,
  contextFactory,
  kinesisEventFactory,
  kinesisRecordFactory,
  sequenceNumber,
} from '../../harness/support/factories.js';
import { type FanoutConfigInput, naming } from '../../lib/config/index.js';
import { createDispatcher } from '../../lib/dispatch/index.js';
import { decodeEnvelope, type Envelope, type OversizeNotice } from '../../lib/envelope/index.js';
import { awsHandoff } from '../../lib/handoff/index.js';
import { METRICS, recordingTelemetry } from '../../lib/observability/index.js';

/** Records of three shards: their envelopes are small enough to share one SendMessageBatch call. */
const threeShardEvent = () => ({
  Records: Array.from({ length: 6 }, (_, i) =>
    kinesisRecordFactory(`r${i}`, { n: i, shard: `shardId-00000000000${i % 3}` }),
  ),
});

const lambda = mockClient(LambdaClient);
const sqs = mockClient(SQSClient);

function dispatcherFor(overrides: Partial<FanoutConfigInput> = {}, remainingMs = 60_000) {
  const telemetry = recordingTelemetry();
  const config = configFactory(overrides);
  const dispatch = createDispatcher({
    config,
    names: naming('fanout', 'test'),
    handoff: awsHandoff(new LambdaClient({ region: 'us-east-1' }), new SQSClient({ region: 'us-east-1' })),
    telemetry,
    sleep: async () => {},
  });
  return {
    telemetry,
    config,
    run: (event = kinesisEventFactory(10)) => dispatch(event, contextFactory(remainingMs)),
  };
}

const invokedEnvelopes = (): Array<{ fn: string; envelope: Envelope; bytes: number }> =>
  lambda.commandCalls(InvokeCommand).map((c) => {
    const payload = Buffer.from(c.args[0].input.Payload as Uint8Array);
    return {
      fn: c.args[0].input.FunctionName as string,
      envelope: decodeEnvelope(payload.toString()),
      bytes: payload.length,
    };
  });

const eventBytes = (event: ReturnType<typeof kinesisEventFactory>): number =>
  event.Records.reduce((n, r) => n + r.kinesis.data.length, 0);

beforeEach(() => {
  lambda.reset();
  sqs.reset();
  lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
  sqs
    .on(GetQueueUrlCommand)
    .callsFake((input: { QueueName: string }) => ({ QueueUrl: `http://sqs.local/000/${input.QueueName}` }));
  sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
});

describe('dispatcher', () => {
  it('hands every record to every target once, with at most ceil(bytes / limit) calls per target', async () => {
    const event = kinesisEventFactory(1_000, (i) => `{"log":"Record ${i}","pad":"${'x'.repeat(150)}"}`);
    const { run, telemetry } = dispatcherFor({ dispatcher: { invokePayloadLimit: 100_000 } });
    expect(await run(event)).toEqual({ batchItemFailures: [] });

    const calls = invokedEnvelopes();
    for (const target of ['output1', 'output2']) {
      const mine = calls.filter((c) => c.envelope.target === target);
      expect(mine.every((c) => c.fn === `fanout-test-${target}-worker`)).toBe(true);
      const seqs = mine.flatMap((c) => c.envelope.records.map((r) => r.seq));
      expect(seqs).toEqual(event.Records.map((r) => r.kinesis.sequenceNumber));
      expect(mine.length).toBeLessThanOrEqual(Math.ceil(eventBytes(event) / 100_000) + 1);
      expect(telemetry.counter(METRICS.recordsHandedOff, target)).toBe(1_000);
    }
    expect(calls.every((c) => c.bytes <= 100_000)).toBe(true);
  });

  it('carries data, partition keys and positions unchanged', async () => {
    const { run } = dispatcherFor();
    const event = kinesisEventFactory(3, (i) => Buffer.from([0, 255, i]));
    await run(event);
    const [first] = invokedEnvelopes();
    expect(first?.envelope).toMatchObject({
      stream: 'input',
      shard: 'shardId-000000000000',
      target: 'output1',
      v: 1,
    });
    expect(first?.envelope.records.map((r) => [r.seq, r.pk, Buffer.from(r.d ?? '', 'base64')])).toEqual(
      event.Records.map((r, i) => [
        r.kinesis.sequenceNumber,
        r.kinesis.partitionKey,
        Buffer.from([0, 255, i]),
      ]),
    );
  });

  it('packs envelopes as full as the limit allows', async () => {
    const limit = 4_096;
    const { run } = dispatcherFor({ dispatcher: { invokePayloadLimit: limit } });
    const event = kinesisEventFactory(200, (i) => `record-${i}-${'y'.repeat(i % 50)}`);
    await run(event);
    const envelopes = invokedEnvelopes().filter((c) => c.envelope.target === 'output1');
    for (const [i, c] of envelopes.entries()) {
      expect(c.bytes).toBeLessThanOrEqual(limit);
      const next = envelopes[i + 1];
      if (next) {
        // The next envelope's first record did not fit: adding it (and a comma) would pass the limit.
        const entry = JSON.stringify(next.envelope.records[0]);
        expect(c.bytes + 1 + Buffer.byteLength(entry)).toBeGreaterThan(limit);
      }
    }
  });

  it('sends queue targets in SendMessageBatch calls of at most 10 entries and the byte limit, resolving the URL once', async () => {
    const { run } = dispatcherFor({
      dispatcher: { queueMessageLimit: 8_192 },
      targets: [{ name: 'queued', type: 'sqs', destination: 'out', via: 'queue', concurrency: 2 }],
    });
    const event = kinesisEventFactory(2_000);
    expect(await run(event)).toEqual({ batchItemFailures: [] });
    await run(kinesisEventFactory(5));
    const batches = sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input);
    expect(sqs.commandCalls(GetQueueUrlCommand)).toHaveLength(1);
    for (const b of batches) {
      expect(b.QueueUrl).toBe('http://sqs.local/000/fanout-test-queued-queue');
      expect(b.Entries?.length).toBeLessThanOrEqual(10);
      expect(b.Entries?.reduce((n, e) => n + Buffer.byteLength(e.MessageBody ?? ''), 0)).toBeLessThanOrEqual(
        8_192,
      );
    }
    const seqs = batches
      .slice(0, -1)
      .flatMap(
        (b) => b.Entries?.flatMap((e) => decodeEnvelope(e.MessageBody).records.map((r) => r.seq)) ?? [],
      );
    expect(seqs).toEqual(event.Records.map((r) => r.kinesis.sequenceNumber));
  });

  it('reports the lowest sequence number of an envelope it could not hand off and never throws', async () => {
    const { run, telemetry } = dispatcherFor({ dispatcher: { invokePayloadLimit: 2_048 } });
    let third: string | undefined;
    let call = 0;
    lambda.on(InvokeCommand).callsFake((input: { FunctionName: string; Payload: Uint8Array }) => {
      // The third envelope of output2 fails every time, retryably (a 5xx): the checkpoint waits for it.
      const payload = Buffer.from(input.Payload).toString();
      if (input.FunctionName.includes('output2') && (++call === 3 || payload === third)) {
        third = payload;
        throw Object.assign(new Error('oops'), {
          name: 'ServiceException',
          $metadata: { httpStatusCode: 500 },
        });
      }
      return { StatusCode: 202 };
    });
    const result = await run(kinesisEventFactory(100));
    const failedEnvelope = decodeEnvelope(third ?? '');
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: failedEnvelope?.records[0]?.seq }]);
    expect(telemetry.counter(METRICS.handoffFailures, 'output2')).toBe(failedEnvelope?.records.length);
    expect(telemetry.counter(METRICS.handoffFailures, 'output1')).toBe(0);
  });

  it('retries throttled invokes with backoff and succeeds', async () => {
    const { run, telemetry } = dispatcherFor({
      targets: [{ name: 'one', type: 'kinesis', destination: 'x', ordered: false }],
    });
    lambda
      .on(InvokeCommand)
      .rejectsOnce(
        new TooManyRequestsException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 429 } }),
      )
      .rejectsOnce(
        Object.assign(new Error('oops'), { name: 'ServiceException', $metadata: { httpStatusCode: 500 } }),
      )
      .resolves({ StatusCode: 202 });
    expect(await run(kinesisEventFactory(10))).toEqual({ batchItemFailures: [] });
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(3);
    expect(telemetry.counter(METRICS.handoffRetries, 'one')).toBe(2);
  });

  it('gives up on throttling when the invocation runs out of time, and checkpoints', async () => {
    const { run } = dispatcherFor(
      { targets: [{ name: 'one', type: 'kinesis', destination: 'x', ordered: false }] },
      1,
    );
    lambda
      .on(InvokeCommand)
      .rejects(new TooManyRequestsException({ message: 'Rate exceeded', $metadata: {} }));
    const result = await run(kinesisEventFactory(5));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: sequenceNumber(0) }]);
  });

  it('retries only the SendMessageBatch entries SQS refused', async () => {
    const { run } = dispatcherFor({
      dispatcher: { queueMessageLimit: 2_048 },
      targets: [{ name: 'queued', type: 'sqs', destination: 'out', via: 'queue', concurrency: 2 }],
    });
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({ Failed: [{ Id: '1', SenderFault: false, Code: 'InternalError' }], Successful: [] })
      .resolves({ Failed: [] });
    expect(await run(threeShardEvent())).toEqual({ batchItemFailures: [] });
    const calls = sqs.commandCalls(SendMessageBatchCommand);
    expect(calls[0]?.args[0].input.Entries?.map((e) => e.Id)).toEqual(['0', '1', '2']);
    expect(calls[1]?.args[0].input.Entries?.map((e) => e.Id)).toEqual(['1']);
    expect(calls[1]?.args[0].input.Entries?.[0]?.MessageBody).toBe(
      calls[0]?.args[0].input.Entries?.[1]?.MessageBody,
    );
  });

  it('bisects an entry refused as InvalidMessageContents to its record, dead-letters it and hands off the rest', async () => {
    const { run, telemetry } = dispatcherFor({
      dispatcher: { queueMessageLimit: 2_048 },
      targets: [{ name: 'queued', type: 'sqs', destination: 'out', via: 'queue', concurrency: 2 }],
    });
    const poison = sequenceNumber(4);
    sqs
      .on(SendMessageBatchCommand)
      .callsFake((input: { QueueUrl: string; Entries: { Id: string; MessageBody: string }[] }) => ({
        Successful: [],
        Failed: input.Entries.filter(
          (e) => input.QueueUrl.endsWith('-queue') && e.MessageBody.includes(poison),
        ).map((e) => ({
          Id: e.Id,
          SenderFault: true,
          Code: 'InvalidMessageContents',
          Message: 'Invalid characters found',
        })),
      }));
    expect(await run(threeShardEvent())).toEqual({ batchItemFailures: [] });

    const sent = (queue: string) =>
      sqs
        .commandCalls(SendMessageBatchCommand)
        .filter((c) => c.args[0].input.QueueUrl?.endsWith(queue))
        .flatMap((c) => c.args[0].input.Entries ?? [])
        .map((e) => e.MessageBody ?? '');
    const accepted = sent('-queue')
      .filter((body) => !body.includes(poison))
      .flatMap((body) => decodeEnvelope(body).records.map((r) => r.seq));
    expect(accepted.sort()).toEqual([0, 1, 2, 3, 5].map(sequenceNumber));
    const notices = sent('fanout-test-queued-dlq').map((body) => JSON.parse(body));
    expect(notices).toEqual([
      expect.objectContaining({
        kind: 'kinesis-fanout/refused-record',
        target: 'queued',
        stream: 'input',
        shard: 'shardId-000000000001',
        reason: 'fanout-test-queued-queue: InvalidMessageContents: Invalid characters found',
        record: expect.objectContaining({ seq: poison }),
      }),
    ]);
    expect(telemetry.counter(METRICS.handoffRefused, 'queued')).toBe(1);
    expect(telemetry.counter(METRICS.handoffFailures, 'queued')).toBe(0);
  });

  it('sends an oversize record to the target DLQ with the reason and hands off the rest', async () => {
    const { run, telemetry } = dispatcherFor({
      dispatcher: { invokePayloadLimit: 2_048 },
      targets: [{ name: 'one', type: 'kinesis', destination: 'x', ordered: false }],
    });
    const event = kinesisEventFactory(5, (i) => (i === 2 ? 'z'.repeat(5_000) : `small-${i}`));
    expect(await run(event)).toEqual({ batchItemFailures: [] });
    expect(invokedEnvelopes().flatMap((c) => c.envelope.records.map((r) => r.seq))).toEqual(
      [0, 1, 3, 4].map((i) => sequenceNumber(i)),
    );
    const dlq = sqs.commandCalls(SendMessageBatchCommand)[0]?.args[0].input;
    expect(dlq?.QueueUrl).toBe('http://sqs.local/000/fanout-test-one-dlq');
    const notice = JSON.parse(dlq?.Entries?.[0]?.MessageBody ?? '{}') as OversizeNotice;
    expect(notice).toMatchObject({
      kind: 'kinesis-fanout/oversize-record',
      target: 'one',
      shard: 'shardId-000000000000',
      limit: 2_048,
    });
    expect(notice.record.seq).toBe(sequenceNumber(2));
    expect(notice.reason).toMatch(/record of 5000 bytes .* over the 2048-byte hand-off limit/);
    expect(telemetry.counter(METRICS.oversizeRecords, 'one')).toBe(1);
  });

  it('checkpoints at an oversize record whose DLQ notice could not be sent', async () => {
    const { run } = dispatcherFor({
      dispatcher: { invokePayloadLimit: 2_048 },
      targets: [{ name: 'one', type: 'kinesis', destination: 'x', ordered: false }],
    });
    sqs.on(GetQueueUrlCommand).rejects(
      Object.assign(new Error('no such queue'), {
        name: 'QueueDoesNotExist',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const result = await run(kinesisEventFactory(5, (i) => (i === 3 ? 'z'.repeat(5_000) : 'ok')));
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceNumber(3) }] });
  });

  it('skips disabled targets and accepts an empty batch', async () => {
    const { run } = dispatcherFor({
      targets: [
        { name: 'on', type: 'kinesis', destination: 'x', ordered: false },
        { name: 'off', type: 'kinesis', destination: 'y', ordered: false, enabled: false },
      ],
    });
    await run(kinesisEventFactory(3));
    expect(new Set(invokedEnvelopes().map((c) => c.envelope.target))).toEqual(new Set(['on']));
    expect(await run({ Records: [] })).toEqual({ batchItemFailures: [] });
  });
});
