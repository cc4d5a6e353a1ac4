/**
 * Hand-offs refused for good never stall the shard: the refused envelope is bisected down to the records that
 * cause it (when the records can be the cause), each goes to its target's DLQ with the reason, or to the
 * dispatcher's failure queue when the DLQ refuses too; only what neither takes fails the batch.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetQueueUrlCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  configFactory,
  contextFactory,
  kinesisEventFactory,
  STREAM_ARN,
  sequenceNumber,
} from '../../harness/support/factories.js';
import { type FanoutConfigInput, naming } from '../../lib/config/index.js';
import { createDispatcher, mayBeContent } from '../../lib/dispatch/index.js';
import { decodeEnvelope } from '../../lib/envelope/index.js';
import { awsHandoff } from '../../lib/handoff/index.js';
import { METRICS, recordingTelemetry } from '../../lib/observability/index.js';

const lambda = mockClient(LambdaClient);
const sqs = mockClient(SQSClient);

function dispatcherFor(overrides: Partial<FanoutConfigInput> = {}) {
  const telemetry = recordingTelemetry();
  const dispatch = createDispatcher({
    // An async-invoke target (kinesis targets are ordered, through a FIFO queue, unless they say otherwise).
    config: configFactory({
      targets: [{ name: 'one', type: 'kinesis', destination: 'x', ordered: false }],
      ...overrides,
    }),
    names: naming('fanout', 'test'),
    handoff: awsHandoff(new LambdaClient({ region: 'us-east-1' }), new SQSClient({ region: 'us-east-1' })),
    telemetry,
    sleep: async () => {},
  });
  return { telemetry, run: (event = kinesisEventFactory(10)) => dispatch(event, contextFactory()) };
}

const awsError = (name: string, status: number, message = name): Error =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

/** Bodies sent to a queue (by the end of its URL), in order. */
const sentTo = (queue: string): string[] =>
  sqs
    .commandCalls(SendMessageBatchCommand)
    .filter((c) => c.args[0].input.QueueUrl?.endsWith(`/${queue}`))
    .flatMap((c) => c.args[0].input.Entries ?? [])
    .map((e) => e.MessageBody ?? '');

const acceptedInvokes = (refused: (payload: string) => boolean): string[] =>
  lambda
    .commandCalls(InvokeCommand)
    .map((c) => Buffer.from(c.args[0].input.Payload as Uint8Array).toString())
    .filter((payload) => !refused(payload))
    .flatMap((payload) => decodeEnvelope(payload).records.map((r) => r.seq));

beforeEach(() => {
  lambda.reset();
  sqs.reset();
  lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
  sqs
    .on(GetQueueUrlCommand)
    .callsFake((input: { QueueName: string }) => ({ QueueUrl: `http://sqs.local/000/${input.QueueName}` }));
  sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
});

describe('a refusal of the destination itself (no bisecting: every record would be refused)', () => {
  it('access denied on Invoke: every record of the envelope goes to the DLQ with the reason, no checkpoint', async () => {
    lambda.on(InvokeCommand).rejects(awsError('AccessDeniedException', 403, 'not authorized to invoke'));
    const { run, telemetry } = dispatcherFor();

    expect(await run(kinesisEventFactory(10))).toEqual({ batchItemFailures: [] });

    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(1);
    const notices = sentTo('fanout-test-one-dlq').map((b) => JSON.parse(b));
    expect(notices.map((n) => n.record.seq)).toEqual(Array.from({ length: 10 }, (_, i) => sequenceNumber(i)));
    expect(notices[0]).toMatchObject({
      kind: 'kinesis-fanout/refused-record',
      target: 'one',
      reason: 'Invoke fanout-test-one-worker: AccessDeniedException: not authorized to invoke',
    });
    expect(telemetry.counter(METRICS.handoffRefused, 'one')).toBe(10);
  });

  it('no such queue: a via-queue target whose queue is gone dead-letters its records', async () => {
    sqs
      .on(GetQueueUrlCommand, { QueueName: 'fanout-test-q-queue' })
      .rejects(awsError('QueueDoesNotExist', 400));
    const { run } = dispatcherFor({
      targets: [{ name: 'q', type: 'sqs', destination: 'out', via: 'queue', concurrency: 2 }],
    });

    expect(await run(kinesisEventFactory(3))).toEqual({ batchItemFailures: [] });
    expect(sentTo('fanout-test-q-dlq').map((b) => JSON.parse(b).reason)).toEqual([
      'GetQueueUrl fanout-test-q-queue: QueueDoesNotExist: QueueDoesNotExist',
      'GetQueueUrl fanout-test-q-queue: QueueDoesNotExist: QueueDoesNotExist',
      'GetQueueUrl fanout-test-q-queue: QueueDoesNotExist: QueueDoesNotExist',
    ]);
  });
});

describe('a refusal the records may cause (bisected within the invocation)', () => {
  it('too large: an invoke refused with RequestTooLargeException is split until the parts fit; the record that never fits goes to the DLQ', async () => {
    const big = 7;
    // Lambda refuses anything over 1,500 bytes (a smaller limit than the dispatcher was told).
    const tooLarge = (payload: string): boolean => payload.length > 1_500;
    lambda.on(InvokeCommand).callsFake((input: { Payload: Uint8Array }) => {
      if (tooLarge(Buffer.from(input.Payload).toString())) throw awsError('RequestTooLargeException', 413);
      return { StatusCode: 202 };
    });
    const { run, telemetry } = dispatcherFor();
    const event = kinesisEventFactory(16, (i) => (i === big ? 'z'.repeat(2_000) : `{"n":${i}}`));

    expect(await run(event)).toEqual({ batchItemFailures: [] });

    const delivered = acceptedInvokes(tooLarge);
    expect(delivered.sort()).toEqual(
      Array.from({ length: 16 }, (_, i) => sequenceNumber(i)).filter((s) => s !== sequenceNumber(big)),
    );
    // log2(16) rounds of halves at most: 2 x 16 - 1 calls.
    expect(lambda.commandCalls(InvokeCommand).length).toBeLessThanOrEqual(31);
    const notices = sentTo('fanout-test-one-dlq').map((b) => JSON.parse(b));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({
      reason: 'Invoke fanout-test-one-worker: RequestTooLargeException: RequestTooLargeException',
      record: { seq: sequenceNumber(big) },
    });
    expect(telemetry.counter(METRICS.handoffFailures, 'one')).toBe(0);
  });

  it('classifies destination refusals apart from the ones records may cause', () => {
    for (const code of [
      'AccessDeniedException',
      'ResourceNotFoundException',
      'QueueDoesNotExist',
      'KMS.DisabledException',
      'AWS.SimpleQueueService.NonExistentQueue',
    ]) {
      expect(mayBeContent(code, '')).toBe(false);
    }
    for (const code of [
      'InvalidMessageContents',
      'InvalidParameterValue',
      'RequestTooLargeException',
      'InvalidRequestContentException',
      'SomethingNew',
      undefined,
    ]) {
      expect(mayBeContent(code, '')).toBe(true);
    }
  });
});

describe('when the DLQ refuses too', () => {
  it("sends the record to the dispatcher's failure queue as a one-record KinesisBatchInfo naming the target", async () => {
    lambda.on(InvokeCommand).rejects(awsError('AccessDeniedException', 403));
    sqs
      .on(GetQueueUrlCommand, { QueueName: 'fanout-test-one-dlq' })
      .rejects(awsError('QueueDoesNotExist', 400));
    const { run } = dispatcherFor();

    expect(await run(kinesisEventFactory(2))).toEqual({ batchItemFailures: [] });

    const parked = sentTo('fanout-test-dispatcher-failures').map((b) => JSON.parse(b));
    expect(parked).toHaveLength(2);
    expect(parked[0]).toMatchObject({
      requestContext: { condition: 'HandoffRefused' },
      KinesisBatchInfo: {
        shardId: 'shardId-000000000000',
        startSequenceNumber: sequenceNumber(0),
        endSequenceNumber: sequenceNumber(0),
        batchSize: 1,
        streamArn: STREAM_ARN,
      },
      fanoutRefusal: { target: 'one' },
    });
    expect(parked[0].fanoutRefusal.reason).toMatch(
      /^Invoke fanout-test-one-worker: AccessDeniedException.*; its DLQ refused the notice: GetQueueUrl fanout-test-one-dlq: QueueDoesNotExist/,
    );
  });

  it('checkpoints at a record that even the failure queue refuses: nothing is dropped', async () => {
    lambda.on(InvokeCommand).rejects(awsError('AccessDeniedException', 403));
    sqs.on(GetQueueUrlCommand).rejects(awsError('AccessDenied', 403));
    const { run } = dispatcherFor();

    expect(await run(kinesisEventFactory(3))).toEqual({
      batchItemFailures: [{ itemIdentifier: sequenceNumber(0) }],
    });
  });

  it('checkpoints when the DLQ fails retryably until the attempts run out', async () => {
    lambda.on(InvokeCommand).rejects(awsError('AccessDeniedException', 403));
    sqs.on(SendMessageBatchCommand).rejects(awsError('ServiceUnavailable', 503));
    const { run } = dispatcherFor();

    expect(await run(kinesisEventFactory(3))).toEqual({
      batchItemFailures: [{ itemIdentifier: sequenceNumber(0) }],
    });
    expect(sentTo('fanout-test-dispatcher-failures')).toEqual([]);
  });
});

describe('DLQ notices', () => {
  it('an oversize notice is ASCII whatever the partition key, so the DLQ takes it', async () => {
    const { run } = dispatcherFor({ dispatcher: { invokePayloadLimit: 2_048 } });
    const event = kinesisEventFactory(1, () => 'z'.repeat(5_000));
    event.Records[0]!.kinesis.partitionKey = 'key-\uFFFF-\uD800-😀';

    expect(await run(event)).toEqual({ batchItemFailures: [] });

    const [body] = sentTo('fanout-test-one-dlq');
    expect(body).toMatch(/^[\x20-\x7e]*$/);
    expect(JSON.parse(body ?? '{}')).toMatchObject({
      kind: 'kinesis-fanout/oversize-record',
      record: { pk: 'key-\uFFFF-\uD800-😀', seq: sequenceNumber(0) },
    });
  });
});
