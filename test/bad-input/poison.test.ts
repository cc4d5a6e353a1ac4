/**
 * Poison records and refused hand-offs (docs/bad-input.md R9, R12-R19): a record SQS would refuse in a body,
 * a partition key no header can carry, a hand-off refused for good (invalid contents, too large, access
 * denied, no such queue): none stalls the shard or fails the records beside it; each is delivered, or sits in
 * a DLQ (or the dispatcher's failure queue) with its reason.
 */
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { GetQueueUrlCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  kinesisEventFactory,
  kinesisRecordFactory,
  sequenceNumber,
} from '../../harness/support/factories.js';
import { DeliveryError } from '../../lib/delivery/index.js';
import { decodeEnvelope } from '../../lib/envelope/index.js';
import { METRICS } from '../../lib/observability/index.js';
import { type Receiver, startReceiver } from '../targets/http-receiver.js';
import {
  dispatcherFor,
  invokedEnvelopes,
  lambdaMock,
  queuedBodies,
  resetHandoffMocks,
  sqsMock,
  targetOf,
  workerContext,
  workerFor,
} from './support.js';

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver.close());
beforeEach(() => {
  resetHandoffMocks();
  receiver.seen.length = 0;
});

const awsError = (name: string, status: number, message = name): Error =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
/** An async-invoke target: kinesis targets are ordered (a FIFO queue hand-off) unless they say otherwise. */
const ONE = { targets: [{ name: 'one', type: 'kinesis' as const, destination: 'out', ordered: false }] };
const QUEUED = {
  targets: [{ name: 'q', type: 'sqs' as const, destination: 'out', via: 'queue' as const, concurrency: 2 }],
};
const notices = (queue: string) => queuedBodies(queue).map((b) => JSON.parse(b));

/** Keys SQS refuses raw in a message body (U+FFFE, U+FFFF, lone surrogates), fauxqs too (emoji), and a plain one. */
const HOSTILE_KEYS = ['k-\uFFFE', 'k-\uFFFF', 'k-\uD800', 'k-\uDC00', 'k-😀', 'plain'];

describe('poison records', () => {
  it('R12 partition keys SQS refuses raw: the envelope is ASCII, every record handed off, each key intact', async () => {
    const event = {
      Records: HOSTILE_KEYS.map((partitionKey, n) => kinesisRecordFactory(`{"n":${n}}`, { n, partitionKey })),
    };
    expect(await dispatcherFor(QUEUED).run(event)).toEqual({ batchItemFailures: [] });
    const [body] = queuedBodies('fanout-test-q-queue');
    expect(body).toMatch(/^[\x20-\x7e]*$/);
    expect(decodeEnvelope(body ?? '').records.map((r) => r.pk)).toEqual(HOSTILE_KEYS);
  });

  it('R13 a lone-surrogate key at an http target: the others are delivered, it fails alone and permanently', async () => {
    const hook = targetOf(
      {
        targets: [
          {
            name: 'hook',
            type: 'http',
            destination: `${receiver.base}/ok`,
            http: { allowInsecure: true, allowPrivate: true },
          },
        ],
      },
      'hook',
    );
    const { run } = dispatcherFor({
      targets: [{ name: 'hook', type: 'http', destination: 'https://x.example/h' }],
    });
    const keys = ['before', 'lone-\uD800', 'after'];
    await run({
      Records: keys.map((partitionKey, n) => kinesisRecordFactory(`record ${n}`, { n, partitionKey })),
    });
    const [envelope] = invokedEnvelopes('hook');
    const { handler } = workerFor(hook);

    const error = (await handler(envelope, workerContext).catch((e: unknown) => e)) as DeliveryError;

    expect(error).toBeInstanceOf(DeliveryError);
    expect(error.delivered).toBe(2);
    expect(error.failures).toEqual([
      {
        key: expect.any(String),
        sequenceNumber: sequenceNumber(1),
        retryable: false,
        reason:
          'HTTP request not sent: the partition key is not well-formed Unicode (it holds a lone surrogate), so it cannot be URI-encoded into the x-fanout-partition-key header',
      },
    ]);
    expect(receiver.seen.map((s) => s.body.toString()).sort()).toEqual(['record 0', 'record 2']);
  });
});

describe('hand-offs refused for good: isolated, dead-lettered, the shard goes on', () => {
  it('R14 invalid message contents (SQS, one entry): bisected to its record, a notice in the DLQ, the rest queued', async () => {
    const poison = sequenceNumber(2);
    sqsMock
      .on(SendMessageBatchCommand)
      .callsFake((input: { QueueUrl: string; Entries: Array<{ Id: string; MessageBody: string }> }) => ({
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
    const { run, telemetry } = dispatcherFor(QUEUED);
    expect(await run(kinesisEventFactory(6))).toEqual({ batchItemFailures: [] });
    const queued = queuedBodies('fanout-test-q-queue')
      .filter((b) => !b.includes(poison))
      .flatMap((b) => decodeEnvelope(b).records.map((r) => r.seq));
    expect(queued.sort()).toEqual([0, 1, 3, 4, 5].map(sequenceNumber));
    expect(notices('fanout-test-q-dlq')).toEqual([
      expect.objectContaining({
        kind: 'kinesis-fanout/refused-record',
        reason: 'fanout-test-q-queue: InvalidMessageContents: Invalid characters found',
        record: expect.objectContaining({ seq: poison }),
      }),
    ]);
    expect(telemetry.counter(METRICS.handoffRefused, 'q')).toBe(1);
  });

  it('R15 too large (Invoke answers 413 above 1,500 bytes): split until the parts fit; the one record that never fits is dead-lettered', async () => {
    const tooLarge = (input: { Payload: Uint8Array }) => Buffer.from(input.Payload).length > 1_500;
    lambdaMock.on(InvokeCommand).callsFake((input: { Payload: Uint8Array }) => {
      if (tooLarge(input)) throw awsError('RequestTooLargeException', 413);
      return { StatusCode: 202 };
    });
    const event = kinesisEventFactory(12, (i) => (i === 9 ? 'z'.repeat(2_000) : `{"n":${i}}`));
    expect(await dispatcherFor(ONE).run(event)).toEqual({ batchItemFailures: [] });
    const accepted = lambdaMock
      .commandCalls(InvokeCommand)
      .filter((c) => !tooLarge(c.args[0].input as { Payload: Uint8Array }))
      .flatMap((c) => decodeEnvelope(Buffer.from(c.args[0].input.Payload as Uint8Array).toString()).records);
    expect(accepted.map((r) => r.seq).sort()).toEqual(
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11].map(sequenceNumber),
    );
    expect(notices('fanout-test-one-dlq').map((n) => [n.record.seq, n.reason])).toEqual([
      [
        sequenceNumber(9),
        'Invoke fanout-test-one-worker: RequestTooLargeException: RequestTooLargeException',
      ],
    ]);
  });

  it('R16 access denied (Invoke 403): every record to the DLQ with the reason, no bisecting, no checkpoint', async () => {
    lambdaMock.on(InvokeCommand).rejects(awsError('AccessDeniedException', 403, 'not authorized'));
    expect(await dispatcherFor(ONE).run(kinesisEventFactory(5))).toEqual({ batchItemFailures: [] });
    expect(lambdaMock.commandCalls(InvokeCommand)).toHaveLength(1);
    expect(notices('fanout-test-one-dlq').map((n) => n.record.seq)).toEqual(
      [0, 1, 2, 3, 4].map(sequenceNumber),
    );
  });

  it('R17 no such queue (a via-queue target whose queue is gone): every record to the DLQ', async () => {
    sqsMock
      .on(GetQueueUrlCommand, { QueueName: 'fanout-test-q-queue' })
      .rejects(awsError('QueueDoesNotExist', 400));
    expect(await dispatcherFor(QUEUED).run(kinesisEventFactory(3))).toEqual({ batchItemFailures: [] });
    expect(notices('fanout-test-q-dlq').map((n) => n.reason)).toEqual(
      Array(3).fill('GetQueueUrl fanout-test-q-queue: QueueDoesNotExist: QueueDoesNotExist'),
    );
  });

  it("R18 the DLQ refuses too: the record waits in the dispatcher's failure queue; refused there too, the batch checkpoints", async () => {
    lambdaMock.on(InvokeCommand).rejects(awsError('AccessDeniedException', 403));
    sqsMock
      .on(GetQueueUrlCommand, { QueueName: 'fanout-test-one-dlq' })
      .rejects(awsError('QueueDoesNotExist', 400));
    expect(await dispatcherFor(ONE).run(kinesisEventFactory(2))).toEqual({ batchItemFailures: [] });
    expect(notices('fanout-test-dispatcher-failures')).toEqual([
      expect.objectContaining({
        KinesisBatchInfo: expect.objectContaining({ startSequenceNumber: sequenceNumber(0) }),
        fanoutRefusal: expect.objectContaining({ target: 'one' }),
      }),
      expect.objectContaining({
        KinesisBatchInfo: expect.objectContaining({ startSequenceNumber: sequenceNumber(1) }),
      }),
    ]);

    resetHandoffMocks();
    lambdaMock.on(InvokeCommand).rejects(awsError('AccessDeniedException', 403));
    sqsMock.on(GetQueueUrlCommand).rejects(awsError('AccessDenied', 403));
    expect(await dispatcherFor(ONE).run(kinesisEventFactory(2))).toEqual({
      batchItemFailures: [{ itemIdentifier: sequenceNumber(0) }],
    });
  });

  it('R9 an oversize record (claim check off) whose DLQ refuses the notice: to the failure queue, not the checkpoint', async () => {
    sqsMock
      .on(GetQueueUrlCommand, { QueueName: 'fanout-test-one-dlq' })
      .rejects(awsError('QueueDoesNotExist', 400));
    const { run } = dispatcherFor({ ...ONE, dispatcher: { invokePayloadLimit: 2_048 } });
    const event = kinesisEventFactory(3, (i) => (i === 1 ? 'z'.repeat(5_000) : `{"n":${i}}`));
    expect(await run(event)).toEqual({ batchItemFailures: [] });
    expect(
      notices('fanout-test-dispatcher-failures').map((n) => n.KinesisBatchInfo.startSequenceNumber),
    ).toEqual([sequenceNumber(1)]);
  });
});
