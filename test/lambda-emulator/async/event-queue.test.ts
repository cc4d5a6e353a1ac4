import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { type AsyncInvocationRecord, LocalLambdaRuntime } from '../../../lib/lambda-emulator/index.js';
import { type Emulator, startEmulator } from '../../../lib/local/emulators.js';
import {
  CREDENTIALS,
  createQueue,
  fixture,
  REGION,
  readJsonLines,
  receiveBodies,
  sqsClient,
} from '../helpers.js';

let emulator: Emulator;
let sqs: SQSClient;
let runtime: LocalLambdaRuntime;
let lambda: LambdaClient;
const queues: Record<string, string> = {};
const concurrencyDir = mkdtempSync(join(tmpdir(), 'runtime-async-'));

beforeAll(async () => {
  emulator = await startEmulator('sqs');
  sqs = sqsClient(emulator.endpoint);
  for (const name of ['retries', 'zero', 'age', 'waiting'])
    queues[name] = (await createQueue(sqs, `${name}-failures`)).url;
  // Retry delays of 1 and 2 minutes become 60 and 120 ms; the 6-hour default event age becomes 21.6 s.
  runtime = new LocalLambdaRuntime({ sqs, timeScale: 0.001 });
  const throws = { file: fixture('fail.ts'), export: 'throws' };
  const base = { timeoutSeconds: 5, memoryMb: 128 };
  runtime.register({
    name: 'retries',
    handler: throws,
    ...base,
    async: { maxRetryAttempts: 2, onFailureQueueUrl: queues.retries },
  });
  runtime.register({
    name: 'zero',
    handler: throws,
    ...base,
    reservedConcurrency: 0,
    async: { onFailureQueueUrl: queues.zero },
  });
  // 60 s of event age is 60 ms here: shorter than the 1-minute retry delay (and than a cold start).
  runtime.register({
    name: 'age',
    handler: throws,
    ...base,
    async: { maxRetryAttempts: 2, maxEventAgeSeconds: 60, onFailureQueueUrl: queues.age },
  });
  runtime.register({
    name: 'waiting',
    handler: { file: fixture('fail.ts'), export: 'sleeps' },
    ...base,
    reservedConcurrency: 1,
    async: { maxEventAgeSeconds: 60, onFailureQueueUrl: queues.waiting },
  });
  runtime.register({
    name: 'limited',
    handler: { file: fixture('concurrency.ts'), export: 'handler' },
    ...base,
    env: { CONCURRENCY_DIR: concurrencyDir },
    reservedConcurrency: 2,
  });
  const endpoint = await runtime.start();
  lambda = new LambdaClient({ endpoint, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });
});

afterAll(async () => {
  await runtime?.stop();
  await emulator?.stop();
});

const stats = (name: string) => runtime.stats().functions.find((fn) => fn.name === name);
const records = async (queue: string, count = 1): Promise<AsyncInvocationRecord[]> =>
  (await receiveBodies(sqs, queues[queue] as string, count)).map(
    (body) => JSON.parse(body) as AsyncInvocationRecord,
  );

describe.concurrent('asynchronous invocation', () => {
  it('retries a failing event twice, then sends the invocation record to the on-failure queue', async ({
    expect,
  }) => {
    const payload = { order: 42 };
    const out = await lambda.send(
      new InvokeCommand({
        FunctionName: 'retries',
        InvocationType: 'Event',
        Payload: JSON.stringify(payload),
      }),
    );
    expect(out.StatusCode).toBe(202);
    const [record] = await records('retries');
    expect(record).toEqual({
      version: '1.0',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      requestContext: {
        requestId: expect.any(String),
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:retries:$LATEST',
        condition: 'RetriesExhausted',
        approximateInvokeCount: 3,
      },
      requestPayload: payload,
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: expect.objectContaining({
        errorType: 'PaymentDeclinedError',
        errorMessage: 'declined',
      }),
    });
    await runtime.idle('retries');
    expect(stats('retries')).toMatchObject({
      invocations: 3,
      errors: 3,
      async: expect.objectContaining({ retries: 2, sentToFailure: 1 }),
    });
  });

  it('sends events straight to failure handling while reserved concurrency is 0', async ({ expect }) => {
    runtime.invokeAsync('zero', { n: 1 });
    const [record] = await records('zero');
    expect(record?.requestContext).toMatchObject({
      condition: 'ZeroReservedConcurrency',
      approximateInvokeCount: 0,
    });
    expect(record?.requestPayload).toEqual({ n: 1 });
    expect(record?.responseContext).toBeUndefined();
    expect(stats('zero')?.invocations).toBe(0);
  });

  it('gives up on an event older than the maximum event age instead of retrying it', async ({ expect }) => {
    runtime.invokeAsync('age', { n: 2 });
    const [record] = await records('age');
    expect(record?.requestContext).toMatchObject({
      condition: 'EventAgeExceeded',
      approximateInvokeCount: 1,
    });
    expect(record?.responsePayload?.errorType).toBe('PaymentDeclinedError');
    expect(stats('age')?.invocations).toBe(1);
  });

  it('expires events that wait too long for concurrency without invoking them', async ({ expect }) => {
    runtime.invokeAsync('waiting', { ms: 1_500 });
    runtime.invokeAsync('waiting', { ms: 1 });
    const [record] = await records('waiting');
    expect(record?.requestContext).toMatchObject({
      condition: 'EventAgeExceeded',
      approximateInvokeCount: 0,
    });
    expect(record?.requestPayload).toEqual({ ms: 1 });
    await runtime.idle('waiting');
    expect(stats('waiting')).toMatchObject({
      invocations: 1,
      async: expect.objectContaining({ throttles: 1 }),
    });
  });

  it('reserved concurrency delays events but delivers every one', async ({ expect }) => {
    const ids = Array.from({ length: 8 }, (_, i) => i);
    for (const id of ids) runtime.invokeAsync('limited', { id, ms: 150 });
    await runtime.idle('limited');
    const log = readJsonLines<{ id: number; running: number }>(join(concurrencyDir, 'log.jsonl'));
    expect(log.map((entry) => entry.id).sort((a, b) => a - b)).toEqual(ids);
    expect(Math.max(...log.map((entry) => entry.running))).toBeLessThanOrEqual(2);
    expect(stats('limited')).toMatchObject({
      containers: 2,
      async: expect.objectContaining({ succeeded: 8 }),
    });
    expect(stats('limited')?.async.throttles).toBeGreaterThan(0);
  });
});
