import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { LocalLambdaRuntime } from '../../../lib/lambda-emulator/index.js';
import { type Emulator, startEmulator } from '../../../lib/local/emulators.js';
import { createQueue, fixture, readJsonLines, receiveBodies, sqsClient, waitFor } from '../helpers.js';

interface Delivery {
  items: Array<{ id: string; data: string }>;
  raw: { records: SQSRecord[] };
}

let emulator: Emulator;
let sqs: SQSClient;
let runtime: LocalLambdaRuntime;
const queues: Record<string, { url: string; arn: string; dlq: string }> = {};
const dir = mkdtempSync(join(tmpdir(), 'runtime-sqs-'));
const deliveries = (name: string): Delivery[] =>
  readJsonLines<Delivery>(join(dir, `${name}.jsonl`)).filter((d) => d.items.length > 0);

/**
 * A queue whose messages move to its DLQ on the third receive, visible again 2 s after a failure. The
 * visibility timeout must exceed an invocation, or a batch reappears while the function still runs (hence
 * Lambda's advice of 6 x the function timeout); the functions are warmed up for the same reason.
 */
async function queueWithDlq(name: string): Promise<void> {
  const dlq = await createQueue(sqs, `${name}-dlq`);
  const queue = await createQueue(sqs, name, {
    VisibilityTimeout: '2',
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: '2' }),
  });
  queues[name] = { ...queue, dlq: dlq.url };
}

async function send(name: string, bodies: string[]): Promise<void> {
  const out = await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: queues[name]?.url,
      Entries: bodies.map((body, i) => ({
        Id: String(i),
        MessageBody: body,
        MessageAttributes: { origin: { DataType: 'String', StringValue: 'test' } },
      })),
    }),
  );
  if (out.Failed?.length) throw new Error(`${out.Failed.length} messages were not sent`);
}

beforeAll(async () => {
  emulator = await startEmulator('sqs');
  sqs = sqsClient(emulator.endpoint);
  await Promise.all([queueWithDlq('partial'), queueWithDlq('whole')]);
  runtime = new LocalLambdaRuntime({ sqs });
  for (const name of ['partial', 'whole']) {
    runtime.register({
      name,
      handler: { file: fixture('stream-consumer.ts'), export: 'sqs' },
      timeoutSeconds: 1,
      memoryMb: 256,
      env: { RECORD_FILE: join(dir, `${name}.jsonl`) },
    });
    runtime.addSqsMapping({
      functionName: name,
      queueUrl: queues[name]?.url as string,
      batchSize: 10,
      maximumConcurrency: 2,
      reportBatchItemFailures: true,
    });
  }
  await runtime.start();
  await Promise.all(['partial', 'whole'].map((name) => runtime.invoke(name, { Records: [] })));
});

afterAll(async () => {
  await runtime?.stop();
  await emulator?.stop();
});

const countById = (all: Delivery[]): Map<string, number> => {
  const counts = new Map<string, number>();
  for (const item of all.flatMap((d) => d.items)) counts.set(item.data, (counts.get(item.data) ?? 0) + 1);
  return counts;
};

describe.concurrent('SQS event source mapping', () => {
  it('deletes the messages that succeeded and leaves the reported failures, which the redrive policy moves to the DLQ', async ({
    expect,
  }) => {
    const failing = JSON.stringify({ failAlways: true });
    await send('partial', ['ok-1', failing, 'ok-2']);
    expect(await receiveBodies(sqs, queues.partial?.dlq as string, 1)).toEqual([failing]);
    const all = await waitFor('the second delivery', () => {
      const got = deliveries('partial');
      return got.length >= 2 ? got : undefined;
    });
    // One batch held all three: a partial batch failure, not three separate invocations.
    expect(all[0]?.items.map((item) => item.data)).toEqual(['ok-1', failing, 'ok-2']);
    expect(Object.fromEntries(countById(all))).toEqual({ 'ok-1': 1, 'ok-2': 1, [failing]: 2 });
    const first = all[0]?.raw.records[0] as SQSRecord;
    expect(Object.keys(first)).toEqual([
      'messageId',
      'receiptHandle',
      'body',
      'attributes',
      'messageAttributes',
      'md5OfBody',
      ...(first.md5OfMessageAttributes ? ['md5OfMessageAttributes'] : []),
      'eventSource',
      'eventSourceARN',
      'awsRegion',
    ]);
    expect(first).toMatchObject({
      body: 'ok-1',
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: expect.stringMatching(/^\d+$/) },
      messageAttributes: {
        origin: { stringValue: 'test', stringListValues: [], binaryListValues: [], dataType: 'String' },
      },
      md5OfBody: createHash('md5').update('ok-1').digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: queues.partial?.arn,
      awsRegion: 'us-east-1',
    });
    const retried = all[1]?.raw.records ?? [];
    expect(retried.map((r) => [r.body, r.attributes.ApproximateReceiveCount])).toEqual([[failing, '2']]);
    const stats = await waitFor('the second result', () => {
      const mapping = runtime.stats().mappings.find((m) => m.functionName === 'partial');
      return mapping && mapping.batches >= 2 ? mapping : undefined;
    });
    expect(stats).toMatchObject({ received: 4, succeeded: 2, batches: 2, failedBatches: 2 });
  });

  it('leaves the whole batch when the handler throws: every message is retried, then dead-lettered', async ({
    expect,
  }) => {
    const poison = JSON.stringify({ poison: true });
    await send('whole', ['innocent', poison]);
    const dead = await receiveBodies(sqs, queues.whole?.dlq as string, 2);
    expect(dead.sort()).toEqual(['innocent', poison].sort());
    const all = await waitFor('the second delivery', () => {
      const got = deliveries('whole');
      return got.length >= 2 ? got : undefined;
    });
    expect(Object.fromEntries(countById(all))).toEqual({ innocent: 2, [poison]: 2 });
    const stats = await waitFor('the second result', () => {
      const mapping = runtime.stats().mappings.find((m) => m.functionName === 'whole');
      return mapping && mapping.batches >= 2 ? mapping : undefined;
    });
    expect(stats).toMatchObject({ succeeded: 0, failedBatches: 2 });
  });
});

describe('SQS event source mapping scaling', () => {
  it('changes its maximum concurrency live (UpdateEventSourceMapping) and keeps consuming', async ({
    expect,
  }) => {
    const [mapping] = runtime.mappingConfigurations('partial');
    expect(mapping).toMatchObject({
      EventSourceArn: queues.partial?.arn,
      ScalingConfig: { MaximumConcurrency: 2 },
    });
    const id = String(mapping?.UUID);
    expect(runtime.setMappingMaximumConcurrency(id, 5)).toMatchObject({
      ScalingConfig: { MaximumConcurrency: 5 },
    });
    expect(runtime.stats().mappings.find((m) => m.id === id)?.maximumConcurrency).toBe(5);
    runtime.setMappingMaximumConcurrency(id, 3);
    expect(runtime.mappingConfigurations('partial')[0]).toMatchObject({
      ScalingConfig: { MaximumConcurrency: 3 },
    });
    expect(() => runtime.setMappingMaximumConcurrency(id, 1)).toThrow(/from 2 to 1000/);

    const before = deliveries('partial').length;
    await send('partial', ['after-scaling']);
    const all = await waitFor('a delivery after scaling', () => {
      const got = deliveries('partial');
      return got.length > before ? got : undefined;
    });
    expect(all.flatMap((d) => d.items.map((i) => i.data))).toContain('after-scaling');
  });
});
