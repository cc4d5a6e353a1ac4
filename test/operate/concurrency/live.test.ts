import {
  GetFunctionConcurrencyCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  PutFunctionConcurrencyCommand,
  ResourceNotFoundException,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { configFactory } from '../../../harness/support/factories.js';
import { naming } from '../../../lib/config/naming.js';
import { applyLiveConcurrency, readLiveConcurrency } from '../../../lib/operate/concurrency/live.js';

const lambda = mockClient(LambdaClient);
const names = naming('fanout', 'prod');
const config = configFactory({
  targets: [
    { name: 'webhook', type: 'http', destination: 'https://example.com/h' },
    { name: 'audit', type: 'sqs', destination: 'audit', via: 'queue', concurrency: 4 },
  ],
});
const [webhook, audit] = config.targets as [(typeof config.targets)[0], (typeof config.targets)[0]];
const client = () => new LambdaClient({ region: 'us-east-1' });

describe('live concurrency', () => {
  beforeEach(() => lambda.reset());

  it('sets reserved concurrency of a via: invoke worker and reports the value before', async () => {
    lambda.on(GetFunctionConcurrencyCommand).resolves({ ReservedConcurrentExecutions: 5 });
    lambda.on(PutFunctionConcurrencyCommand).resolves({ ReservedConcurrentExecutions: 8 });
    const result = await applyLiveConcurrency(client(), names, webhook, 8);
    expect(result.before).toEqual({
      setting: 'reserved concurrency',
      resource: 'fanout-prod-webhook-worker',
      value: 5,
    });
    expect(result.after.value).toBe(8);
    expect(lambda.commandCalls(PutFunctionConcurrencyCommand)[0]?.args[0].input).toEqual({
      FunctionName: 'fanout-prod-webhook-worker',
      ReservedConcurrentExecutions: 8,
    });
  });

  it("updates the maximum concurrency of a via: queue target's SQS mapping, found by its queue among pages", async () => {
    lambda
      .on(ListEventSourceMappingsCommand)
      .resolvesOnce({
        EventSourceMappings: [{ UUID: 'other', EventSourceArn: 'arn:aws:sqs:us-east-1:1:something-else' }],
        NextMarker: 'page-2',
      })
      .resolvesOnce({
        EventSourceMappings: [
          {
            UUID: 'u-1',
            EventSourceArn: 'arn:aws:sqs:us-east-1:123456789012:fanout-prod-audit-queue',
            ScalingConfig: { MaximumConcurrency: 4 },
          },
        ],
      });
    lambda
      .on(UpdateEventSourceMappingCommand)
      .resolves({ UUID: 'u-1', ScalingConfig: { MaximumConcurrency: 20 } });
    const result = await applyLiveConcurrency(client(), names, audit, 20);
    expect(result.before).toEqual({ setting: 'maximum concurrency', resource: 'u-1', value: 4 });
    expect(result.after.value).toBe(20);
    expect(lambda.commandCalls(ListEventSourceMappingsCommand)[1]?.args[0].input).toEqual({
      FunctionName: 'fanout-prod-audit-worker',
      Marker: 'page-2',
    });
    expect(lambda.commandCalls(UpdateEventSourceMappingCommand)[0]?.args[0].input).toEqual({
      UUID: 'u-1',
      ScalingConfig: { MaximumConcurrency: 20 },
    });
  });

  it('says so when the mapping does not exist, and changes nothing', async () => {
    lambda.on(ListEventSourceMappingsCommand).resolves({ EventSourceMappings: [] });
    await expect(applyLiveConcurrency(client(), names, audit, 20)).rejects.toThrow(
      'no event source mapping from queue fanout-prod-audit-queue to fanout-prod-audit-worker',
    );
    expect(lambda.commandCalls(UpdateEventSourceMappingCommand)).toHaveLength(0);
  });

  it('translates a missing function into an error naming the call and the likely cause', async () => {
    lambda
      .on(GetFunctionConcurrencyCommand)
      .rejects(new ResourceNotFoundException({ message: 'Function not found', $metadata: {} }));
    const error = await readLiveConcurrency(client(), names, webhook).catch((e: Error) => e);
    expect(error).toMatchObject({ name: 'LiveSettingError' });
    expect((error as Error).message).toMatch(
      /^GetFunctionConcurrency fanout-prod-webhook-worker: ResourceNotFoundException: Function not found \(is the stack of this stage deployed/,
    );
  });
});
