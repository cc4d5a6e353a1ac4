/**
 * The core across the wire: dispatcher -> SQS queue -> worker -> Kinesis output stream, with the idempotency
 * store and its record claims on DynamoDB, all against real emulators (kinesalite, fauxqs, dynalite).
 */
import { DeleteMessageBatchCommand, type Message, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createIdempotencyTable,
  createQueue,
  createStream,
  lambdaContext,
  localClients,
  readStream,
} from '../../harness/support/aws.js';
import { kinesisEventFactory } from '../../harness/support/factories.js';
import { naming } from '../../lib/config/index.js';
import type { DeliverySummary } from '../../lib/delivery/index.js';
import { type EmulatorSet, startEmulators } from '../../lib/local/emulator-set.js';
import { createContainer } from '../../lib/wiring/container.js';
import { buildDispatcher } from '../../lib/wiring/dispatcher.js';
import { buildWorker } from '../../lib/wiring/worker.js';

const names = naming('fanout', 'it');
const config = {
  source: { stream: 'input' },
  targets: [
    {
      name: 'output1',
      type: 'kinesis',
      destination: 'output1',
      ordered: false,
      via: 'queue',
      concurrency: 2,
    },
    {
      name: 'output2',
      type: 'kinesis',
      destination: 'output2',
      ordered: false,
      via: 'queue',
      concurrency: 2,
      idempotency: 'none',
    },
  ],
};

let emulators: EmulatorSet;
let clients: ReturnType<typeof localClients>;

beforeAll(async () => {
  emulators = await startEmulators();
  Object.assign(process.env, emulators.env, {
    FANOUT_CONFIG_JSON: JSON.stringify(config),
    // The claim check is on by default; the deploy names its bucket (no record here is large enough to use it).
    FANOUT_CLAIM_CHECK_BUCKET: 'fanout-it-claims',
    FANOUT_STAGE: 'it',
  });
  clients = localClients();
  await Promise.all([
    createStream(clients.kinesis, 'output1'),
    createStream(clients.kinesis, 'output2'),
    createQueue(clients.sqs, names.targetQueue('output1')),
    createQueue(clients.sqs, names.targetQueue('output2')),
    createQueue(clients.sqs, names.targetDlq('output1')),
    createIdempotencyTable(clients.dynamo, names.idempotencyTable()),
  ]);
});

afterAll(async () => {
  await emulators?.stop();
});

/** Receives everything on a queue as Lambda's SQS event source mapping would hand it over. */
async function drain(queueName: string): Promise<{ event: SQSEvent; ack: () => Promise<void> }> {
  const url = await queueUrl(queueName);
  const messages: Message[] = [];
  for (;;) {
    const out = await clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: 60,
      }),
    );
    if (!out.Messages?.length) break;
    messages.push(...out.Messages);
  }
  const event: SQSEvent = {
    Records: messages.map((m) => ({
      messageId: m.MessageId ?? '',
      receiptHandle: m.ReceiptHandle ?? '',
      body: m.Body ?? '',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '0',
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp: '0',
      },
      messageAttributes: {},
      md5OfBody: m.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${queueName}`,
      awsRegion: 'us-east-1',
    })),
  };
  return {
    event,
    ack: async () => {
      for (let i = 0; i < messages.length; i += 10) {
        await clients.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: url,
            Entries: messages
              .slice(i, i + 10)
              .map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle })),
          }),
        );
      }
    },
  };
}

const urls = new Map<string, string>();
async function queueUrl(name: string): Promise<string> {
  const known = urls.get(name);
  if (known) return known;
  const { GetQueueUrlCommand } = await import('@aws-sdk/client-sqs');
  const url = (await clients.sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl ?? '';
  urls.set(name, url);
  return url;
}

describe('dispatcher -> SQS -> worker -> Kinesis, on emulators', () => {
  const event = kinesisEventFactory(1_000, (i) => `{"log":"Record ${i}"}`);

  it('delivers every record to every target once, identical and in order', async () => {
    const dispatch = buildDispatcher(createContainer('dispatcher'));
    expect(await dispatch(event, lambdaContext(names.dispatcherFunction()))).toEqual({
      batchItemFailures: [],
    });

    for (const target of ['output1', 'output2']) {
      process.env.FANOUT_TARGET = target;
      process.env.AWS_LAMBDA_FUNCTION_NAME = names.workerFunction(target);
      const worker = buildWorker(createContainer('worker'));
      const { event: sqsEvent, ack } = await drain(names.targetQueue(target));
      expect(sqsEvent.Records.length).toBeGreaterThan(0);
      expect(await worker(sqsEvent, lambdaContext(names.workerFunction(target)))).toEqual({
        batchItemFailures: [],
      });
      await ack();
      const out = await readStream(clients.kinesis, target);
      expect(out.map((r) => Buffer.from(r.Data ?? new Uint8Array()).toString())).toEqual(
        event.Records.map((r) => Buffer.from(r.kinesis.data, 'base64').toString()),
      );
      expect(out.map((r) => r.PartitionKey)).toEqual(event.Records.map((r) => r.kinesis.partitionKey));
    }
  });

  it('delivers nothing twice when the batch is dispatched again and an envelope is replayed', async () => {
    // Lambda retries the shard from a checkpoint: the same records are dispatched again, packed anew.
    const dispatch = buildDispatcher(createContainer('dispatcher'));
    await dispatch(event, lambdaContext(names.dispatcherFunction()));
    process.env.FANOUT_TARGET = 'output1';
    process.env.AWS_LAMBDA_FUNCTION_NAME = names.workerFunction('output1');
    const container = createContainer('worker');
    const worker = buildWorker(container);
    const { event: again, ack } = await drain(names.targetQueue('output1'));
    expect(await worker(again, lambdaContext(names.workerFunction('output1')))).toEqual({
      batchItemFailures: [],
    });
    await ack();

    // A replayed envelope (as `fanout replay` or a duplicate async event hands it over): every record skipped (its claim finds it delivered).
    const envelope = JSON.parse(again.Records[0]?.body ?? '{}') as unknown;
    const replay = (await worker(
      envelope,
      lambdaContext(names.workerFunction('output1')),
    )) as DeliverySummary;
    expect(replay.delivered).toBe(0);

    const out = await readStream(clients.kinesis, 'output1');
    expect(out).toHaveLength(1_000);
    expect(new Set(out.map((r) => Buffer.from(r.Data ?? new Uint8Array()).toString())).size).toBe(1_000);
  });
});
