import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  type KinesisClient,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { KinesisStreamRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { LocalLambdaRuntime, type StreamFailureRecord } from '../../../lib/lambda-emulator/index.js';
import { type Emulator, startEmulator } from '../../../lib/local/emulators.js';
import {
  createQueue,
  fixture,
  kinesisClient,
  readJsonLines,
  receiveBodies,
  sqsClient,
  waitFor,
} from '../helpers.js';

interface Delivery {
  requestId: string;
  items: Array<{ id: string; key: string; data: string }>;
  raw: { records: KinesisStreamRecord[] };
}

let emulators: Emulator[] = [];
let kinesis: KinesisClient;
let sqs: SQSClient;
let runtime: LocalLambdaRuntime;
let failureQueue: string;
const dir = mkdtempSync(join(tmpdir(), 'runtime-kinesis-'));
const logOf = (name: string): string => join(dir, `${name}.jsonl`);
const deliveries = (name: string): Delivery[] => readJsonLines<Delivery>(logOf(name));
const streamArns: Record<string, string> = {};

async function createStream(name: string): Promise<void> {
  await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
  for (;;) {
    const out = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    if (out.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') {
      streamArns[name] = out.StreamDescriptionSummary.StreamARN as string;
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Puts records in one call, in order; returns their sequence numbers. */
async function put(stream: string, records: Array<{ key: string; data: object }>): Promise<string[]> {
  const out = await kinesis.send(
    new PutRecordsCommand({
      StreamName: stream,
      Records: records.map((r) => ({ PartitionKey: r.key, Data: Buffer.from(JSON.stringify(r.data)) })),
    }),
  );
  if (out.FailedRecordCount) throw new Error(`${out.FailedRecordCount} records were not put`);
  return (out.Records ?? []).map((r) => r.SequenceNumber as string);
}

beforeAll(async () => {
  emulators = await Promise.all([startEmulator('kinesis'), startEmulator('sqs')]);
  const [kinesisEmulator, sqsEmulator] = emulators as [Emulator, Emulator];
  kinesis = kinesisClient(kinesisEmulator.endpoint);
  sqs = sqsClient(sqsEmulator.endpoint);
  failureQueue = (await createQueue(sqs, 'dispatcher-failures')).url;
  const streams = ['shape', 'partial', 'bisect', 'parallel'];
  await Promise.all(streams.map(createStream));
  runtime = new LocalLambdaRuntime({ kinesis, sqs });
  for (const name of streams) {
    runtime.register({
      name,
      handler: { file: fixture('stream-consumer.ts'), export: 'kinesis' },
      timeoutSeconds: 10,
      memoryMb: 256,
      env: { RECORD_FILE: logOf(name), ...(name === 'parallel' ? { SLEEP_MS: '100' } : {}) },
    });
  }
  runtime.addKinesisMapping({ functionName: 'shape', streamName: 'shape', batchSize: 5 });
  // A one-second window gathers the records of one PutRecords call into one batch.
  runtime.addKinesisMapping({
    functionName: 'partial',
    streamName: 'partial',
    batchSize: 10,
    maximumBatchingWindowInSeconds: 1,
    reportBatchItemFailures: true,
  });
  runtime.addKinesisMapping({
    functionName: 'bisect',
    streamName: 'bisect',
    batchSize: 10,
    maximumBatchingWindowInSeconds: 1,
    bisectBatchOnFunctionError: true,
    maximumRetryAttempts: 0,
    onFailureQueueUrl: failureQueue,
  });
  runtime.addKinesisMapping({
    functionName: 'parallel',
    streamName: 'parallel',
    batchSize: 5,
    parallelizationFactor: 4,
  });
  await runtime.start();
});

afterAll(async () => {
  await runtime?.stop();
  await Promise.all(emulators.map((emulator) => emulator.stop()));
});

describe.concurrent('Kinesis event source mapping', () => {
  it("delivers batches of at most BatchSize records, in order, in Lambda's event shape", async ({
    expect,
  }) => {
    const before = Date.now();
    const input = Array.from({ length: 12 }, (_, i) => ({ key: `k${i % 3}`, data: { i } }));
    const sequences = await put('shape', input);
    const after = Date.now();
    const got = await waitFor('12 records', () => {
      const all = deliveries('shape');
      return all.flatMap((d) => d.items).length >= 12 ? all : undefined;
    });
    expect(got.every((d) => d.items.length <= 5)).toBe(true);
    expect(got.flatMap((d) => d.items.map((item) => item.id))).toEqual(sequences);
    expect(got.flatMap((d) => d.items.map((item) => JSON.parse(item.data).i))).toEqual(
      input.map((r) => r.data.i),
    );
    const first = got[0]?.raw.records[0] as KinesisStreamRecord;
    expect(Object.keys(first)).toEqual([
      'kinesis',
      'eventSource',
      'eventVersion',
      'eventID',
      'eventName',
      'invokeIdentityArn',
      'awsRegion',
      'eventSourceARN',
    ]);
    expect(first).toEqual({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: 'k0',
        sequenceNumber: sequences[0],
        data: Buffer.from(JSON.stringify({ i: 0 })).toString('base64'),
        approximateArrivalTimestamp: expect.any(Number),
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `shardId-000000000000:${sequences[0]}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: expect.stringMatching(/^arn:aws:iam::000000000000:role\//),
      awsRegion: 'us-east-1',
      eventSourceARN: streamArns.shape,
    });
    // Seconds since the epoch, with a fraction; kinesalite stamps whole milliseconds.
    expect(first.kinesis.approximateArrivalTimestamp).toBeGreaterThanOrEqual(Math.floor(before / 1000) - 1);
    expect(first.kinesis.approximateArrivalTimestamp).toBeLessThanOrEqual(after / 1000 + 1);
  });

  it('after a partial failure, redelivers from the reported sequence number on, and nothing before it', async ({
    expect,
  }) => {
    const input = [0, 1, 2, 3, 4, 5].map((i) => ({
      key: `p${i}`,
      data: i === 2 ? { i, failOnce: true } : { i },
    }));
    const sequences = await put('partial', input);
    const got = await waitFor('the retried batch', () => {
      const all = deliveries('partial');
      return all.length >= 2 ? all : undefined;
    });
    expect(got[0]?.items.map((item) => item.id)).toEqual(sequences);
    expect(got[1]?.items.map((item) => item.id)).toEqual(sequences.slice(2));
    const counts = new Map<string, number>();
    for (const item of got.flatMap((d) => d.items)) counts.set(item.id, (counts.get(item.id) ?? 0) + 1);
    expect(sequences.map((seq) => counts.get(seq))).toEqual([1, 1, 2, 2, 2, 2]);
    // The handler logs before it returns: wait for the mapping to take in the second result.
    const stats = await waitFor('the second result', () => {
      const mapping = runtime.stats().mappings.find((m) => m.functionName === 'partial');
      return mapping && mapping.batches >= 2 ? mapping : undefined;
    });
    expect(stats).toMatchObject({ batches: 2, failedBatches: 1, retries: 1, succeeded: 6, inFlight: 0 });
  });

  it('bisects a failing batch until the poison record is alone, sends it to the on-failure queue and moves on', async ({
    expect,
  }) => {
    const input = Array.from({ length: 8 }, (_, i) => ({
      key: `b${i}`,
      data: i === 5 ? { i, poison: true } : { i },
    }));
    const sequences = await put('bisect', input);
    const [body] = await receiveBodies(sqs, failureQueue, 1);
    const record = JSON.parse(body as string) as StreamFailureRecord;
    expect(record).toEqual({
      requestContext: {
        requestId: expect.any(String),
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:bisect',
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 1,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: expect.any(String),
      KinesisBatchInfo: {
        shardId: 'shardId-000000000000',
        startSequenceNumber: sequences[5],
        endSequenceNumber: sequences[5],
        approximateArrivalOfFirstRecord: expect.stringMatching(/Z$/),
        approximateArrivalOfLastRecord: expect.stringMatching(/Z$/),
        batchSize: 1,
        streamArn: streamArns.bisect,
      },
    });
    const [later] = await put('bisect', [{ key: 'b8', data: { i: 8 } }]);
    const got = await waitFor('the record after the poison one', () => {
      const all = deliveries('bisect');
      return all.some((d) => d.items.some((item) => item.id === later)) ? all : undefined;
    });
    const succeeded = got
      .filter((d) => !d.items.some((item) => JSON.parse(item.data).poison))
      .flatMap((d) => d.items.map((item) => item.id));
    expect(succeeded).toEqual([...sequences.slice(0, 5), ...sequences.slice(6), later]);
    expect(runtime.stats().mappings.find((m) => m.functionName === 'bisect')).toMatchObject({
      bisects: 3,
      sentToFailure: 1,
    });
  });

  it('with a ParallelizationFactor, runs batches concurrently but keeps each partition key in order', async ({
    expect,
  }) => {
    const keys = Array.from({ length: 8 }, (_, k) => `key-${k}`);
    const input = Array.from({ length: 10 }, (_, n) => keys.map((key) => ({ key, data: { key, n } }))).flat();
    await put('parallel', input);
    const got = await waitFor('80 records', () => {
      const all = deliveries('parallel');
      return all.flatMap((d) => d.items).length >= input.length ? all : undefined;
    });
    const seen = got.flatMap((d) =>
      d.items.map((item) => JSON.parse(item.data) as { key: string; n: number }),
    );
    expect(seen).toHaveLength(input.length);
    for (const key of keys) {
      expect(seen.filter((r) => r.key === key).map((r) => r.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }
    expect(got.every((d) => d.items.length <= 5)).toBe(true);
    // Several lanes invoked at once: more than one container started.
    expect(runtime.stats().functions.find((fn) => fn.name === 'parallel')?.coldStarts).toBeGreaterThan(1);
  });
});
