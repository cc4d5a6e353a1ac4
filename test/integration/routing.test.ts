/**
 * Filters, transforms and KPL aggregates across the wire: records (one of them a KPL aggregate) are put on a
 * kinesalite input stream and read back as Lambda's event source mapping would hand them over, then
 * dispatcher -> SQS (fauxqs) -> worker -> Kinesis output streams, with the idempotency store on dynalite.
 */
import { type _Record, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { DeleteMessageBatchCommand, GetQueueUrlCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { KinesisStreamEvent, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createIdempotencyTable,
  createQueue,
  createStream,
  lambdaContext,
  localClients,
  readStream,
  streamAsKinesisEvent,
} from '../../harness/support/aws.js';
import { aggregateRecords } from '../../harness/support/kpl.js';
import { naming } from '../../lib/config/index.js';
import { type EmulatorSet, startEmulators } from '../../lib/local/emulator-set.js';
import { METRICS } from '../../lib/observability/index.js';
import { createContainer } from '../../lib/wiring/container.js';
import { buildDispatcher } from '../../lib/wiring/dispatcher.js';
import { buildWorker } from '../../lib/wiring/worker.js';

const names = naming('fanout', 'it');
const config = {
  source: { stream: 'input' },
  targets: [
    { name: 'all', type: 'kinesis', destination: 'all', ordered: false, via: 'queue', concurrency: 2 },
    {
      name: 'errors',
      type: 'kinesis',
      destination: 'errors',
      ordered: false,
      via: 'queue',
      concurrency: 2,
      filter: { level: ['ERROR'], detail: { ms: [{ numeric: ['>', 100] }] } },
      transform: { LOG: '$.log', user: '$.detail.user.id', source: 'app' },
    },
  ],
};

/** Five user records in one KPL aggregate, two of them slow errors. */
const USER_RECORDS = Array.from({ length: 5 }, (_, i) => ({
  partitionKey: `user-${i}`,
  data: JSON.stringify({
    level: i % 2 === 0 ? 'ERROR' : 'INFO',
    log: `aggregated ${i}`,
    detail: { ms: i * 100, user: { id: i } },
  }),
}));
const PLAIN = [
  { partitionKey: 'p0', data: '{"level":"ERROR","log":"slow","detail":{"ms":500,"user":{"id":"u0"}}}' },
  { partitionKey: 'p1', data: '{"level":"ERROR","log":"fast","detail":{"ms":5}}' },
  { partitionKey: 'p2', data: 'not json at all' },
];

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
    createStream(clients.kinesis, 'input'),
    createStream(clients.kinesis, 'all'),
    createStream(clients.kinesis, 'errors'),
    createQueue(clients.sqs, names.targetQueue('all')),
    createQueue(clients.sqs, names.targetQueue('errors')),
    createIdempotencyTable(clients.dynamo, names.idempotencyTable()),
  ]);
});

afterAll(async () => {
  await emulators?.stop();
});

/** Puts records on the input stream and reads them back as the Kinesis event source mapping's event. */
async function kinesisEvent(
  records: Array<{ partitionKey: string; data: string | Buffer }>,
): Promise<KinesisStreamEvent> {
  await clients.kinesis.send(
    new PutRecordsCommand({
      StreamName: 'input',
      Records: records.map((r) => ({ PartitionKey: r.partitionKey, Data: Buffer.from(r.data) })),
    }),
  );
  return streamAsKinesisEvent(clients.kinesis, 'input');
}

/** Runs a target's worker on everything in its queue, as the SQS event source mapping would. */
async function runWorker(target: string): Promise<unknown> {
  const url = (await clients.sqs.send(new GetQueueUrlCommand({ QueueName: names.targetQueue(target) })))
    .QueueUrl;
  const received = await clients.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: url,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 0,
      VisibilityTimeout: 60,
    }),
  );
  const messages = received.Messages ?? [];
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
      eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${names.targetQueue(target)}`,
      awsRegion: 'us-east-1',
    })),
  };
  process.env.FANOUT_TARGET = target;
  process.env.AWS_LAMBDA_FUNCTION_NAME = names.workerFunction(target);
  const result = await buildWorker(createContainer('worker'))(
    event,
    lambdaContext(names.workerFunction(target)),
  );
  if (messages.length > 0) {
    await clients.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
  }
  return result;
}

const text = (r: _Record): string => Buffer.from(r.Data ?? new Uint8Array()).toString();

describe('filters, transforms and KPL aggregates, dispatcher -> SQS -> worker -> Kinesis on emulators', () => {
  it('de-aggregates, filters in the dispatcher and transforms in the worker', async () => {
    const aggregate = aggregateRecords(USER_RECORDS.map((r) => ({ ...r, explicitHashKey: '1' })));
    const event = await kinesisEvent([...PLAIN, { partitionKey: 'outer', data: aggregate }]);
    expect(event.Records).toHaveLength(4);

    const container = createContainer('dispatcher');
    const counts = new Map<string, number>();
    container.metrics.addMetric = ((name: string, _unit: unknown, value: number) => {
      counts.set(name, (counts.get(name) ?? 0) + value);
    }) as typeof container.metrics.addMetric;
    const dispatch = buildDispatcher(container);
    expect(await dispatch(event, lambdaContext(names.dispatcherFunction()))).toEqual({
      batchItemFailures: [],
    });
    expect(counts.get(METRICS.aggregatedRecords)).toBe(1);
    expect(counts.get(METRICS.recordsNotJson)).toBe(1);

    // The unfiltered target gets every record: the 3 plain ones and the aggregate as 5 deliveries.
    expect(await runWorker('all')).toEqual({ batchItemFailures: [] });
    const all = await readStream(clients.kinesis, 'all');
    expect(all.map(text)).toEqual([...PLAIN, ...USER_RECORDS].map((r) => r.data));
    expect(all.map((r) => r.PartitionKey)).toEqual([...PLAIN, ...USER_RECORDS].map((r) => r.partitionKey));

    // The filtered target gets the slow errors only (user records 2 and 4 of the aggregate), transformed.
    expect(await runWorker('errors')).toEqual({ batchItemFailures: [] });
    const errors = await readStream(clients.kinesis, 'errors');
    expect(errors.map(text)).toEqual([
      '{"LOG":"slow","user":"u0","source":"app"}',
      '{"LOG":"aggregated 2","user":2,"source":"app"}',
      '{"LOG":"aggregated 4","user":4,"source":"app"}',
    ]);
    expect(errors.map((r) => r.PartitionKey)).toEqual(['p0', 'user-2', 'user-4']);
  });
});
