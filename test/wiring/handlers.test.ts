/**
 * The deployed handlers (functions/*.ts) never answer before their work is done. middy's default
 * `timeoutEarlyInMillis` would reject with a TimeoutError 5 ms before the invocation's end while the work went on,
 * so an "ended" invocation could still hand off or deliver after its record claims' lease (HANDLER_OPTIONS).
 */
import { DynamoDBClient, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { kinesisEventFactory } from '../../harness/support/factories.js';
import { envelopeFactory } from '../delivery/support.js';

const lambda = mockClient(LambdaClient);
const dynamo = mockClient(DynamoDBClient);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const SLOW_MS = 300;

/** A context with 50 ms left: middy's early answer would come at 45 ms. */
const shortContext = (): Context =>
  ({
    functionName: 'fanout-test-fn',
    awsRequestId: 'req-1',
    getRemainingTimeInMillis: () => 50,
  }) as unknown as Context;

beforeEach(() => {
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('FANOUT_STAGE', 'test');
  vi.stubEnv(
    'FANOUT_CONFIG_JSON',
    JSON.stringify({
      source: { stream: 'input' },
      targets: [{ name: 'out', type: 'kinesis', destination: 'output1', ordered: false }],
    }),
  );
  // The claim check is on by default: the deploy gives the functions its bucket.
  vi.stubEnv('FANOUT_CLAIM_CHECK_BUCKET', 'fanout-test-claims');
});

afterEach(() => {
  lambda.reset();
  dynamo.reset();
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('deployed handlers at the end of their time', () => {
  it('the dispatcher answers once its hand-offs are done, not with an early TimeoutError', async () => {
    let handedOff = 0;
    lambda.on(InvokeCommand).callsFake(async () => {
      await sleep(SLOW_MS);
      handedOff++;
      return { StatusCode: 202 };
    });
    const { handler } = await import('../../functions/dispatcher.js');
    const started = Date.now();
    const response = await handler(kinesisEventFactory(3), shortContext());
    expect(response).toEqual({ batchItemFailures: [] });
    expect(handedOff).toBeGreaterThan(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(SLOW_MS - 5);
  });

  it('the worker answers with its own outcome once its store calls are done, not with an early TimeoutError', async () => {
    vi.stubEnv('FANOUT_TARGET', 'out');
    let claimed = 0;
    // The ledger's claim: a Query of the pages, then a conditional PutItem; the Query is slow.
    dynamo.on(QueryCommand).callsFake(async () => {
      await sleep(SLOW_MS);
      return { Items: [] };
    });
    dynamo.on(PutItemCommand).callsFake(async () => {
      claimed++;
      return {};
    });
    const { handler } = await import('../../functions/worker.js');
    const error = (await handler(envelopeFactory(3, 'out'), shortContext()).catch(
      (e: unknown) => e,
    )) as Error;
    expect(claimed).toBeGreaterThan(0);
    // The deadline had passed when the claim came back: the record is reported, with its reason, by the worker.
    expect(error.name).toBe('DeliveryError');
  });
});
