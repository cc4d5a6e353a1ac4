import { BatchGetItemCommand, BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoKeyStore } from '../../lib/delivery/index.js';

const dynamo = mockClient(DynamoDBClient);
const store = () =>
  new DynamoKeyStore({
    client: new DynamoDBClient({ region: 'us-east-1' }),
    tableName: 'keys',
    ttlSeconds: 100,
    now: () => 1_000_000,
  });

beforeEach(() => dynamo.reset());

describe('DynamoKeyStore', () => {
  it('reads keys in consistent BatchGetItem calls of 100 and retries unprocessed keys', async () => {
    const keys = Array.from({ length: 150 }, (_, i) => `t#${i}`);
    dynamo
      .on(BatchGetItemCommand)
      .resolvesOnce({
        Responses: { keys: [{ id: { S: 'delivered#t#3' } }] },
        UnprocessedKeys: { keys: { Keys: [{ id: { S: 'delivered#t#7' } }] } },
      })
      .resolvesOnce({ Responses: { keys: [{ id: { S: 'delivered#t#7' } }] } })
      .resolves({ Responses: { keys: [{ id: { S: 'delivered#t#120' } }] } });
    const s = store();
    expect(await s.filterDelivered(keys)).toEqual(new Set(['t#3', 't#7', 't#120']));
    const calls = dynamo.commandCalls(BatchGetItemCommand).map((c) => c.args[0].input.RequestItems?.keys);
    expect(calls.map((c) => c?.Keys?.length)).toEqual([100, 1, 50]);
    expect(calls.every((c) => c?.ConsistentRead === true)).toBe(true);
    expect(s.stats).toMatchObject({ readCalls: 3, readItems: 3 });
  });

  it('writes keys with an expiry in BatchWriteItem calls of 25 and retries unprocessed items', async () => {
    let first = true;
    dynamo.on(BatchWriteItemCommand).callsFake(async (input) => {
      const items = input.RequestItems.keys;
      if (first) {
        first = false;
        return { UnprocessedItems: { keys: items.slice(0, 2) } };
      }
      return {};
    });
    const s = store();
    await s.markDelivered(Array.from({ length: 30 }, (_, i) => `t#${i}`));
    const calls = dynamo
      .commandCalls(BatchWriteItemCommand)
      .map((c) => c.args[0].input.RequestItems?.keys ?? []);
    expect(calls.map((c) => c.length)).toEqual([25, 2, 5]);
    expect(calls[0]?.[0]?.PutRequest?.Item).toEqual({
      id: { S: 'delivered#t#0' },
      expiration: { N: '1100' },
      status: { S: 'COMPLETED' },
    });
    expect(s.stats).toMatchObject({ writeCalls: 3, writeItems: 30 });
  });
});

describe('DynamoKeyStore when the table is briefly unreachable', () => {
  it('retries a transient failure instead of failing an invocation whose records were delivered', async () => {
    dynamo
      .on(BatchWriteItemCommand)
      .rejectsOnce(
        Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4569'), {
          name: 'Error',
          code: 'ECONNREFUSED',
        }),
      )
      .rejectsOnce(
        Object.assign(new Error('Rate exceeded'), {
          name: 'ThrottlingException',
          $metadata: { httpStatusCode: 400 },
        }),
      )
      .resolves({});
    const s = store();
    await s.markDelivered(['t#1', 't#2']);
    expect(dynamo.commandCalls(BatchWriteItemCommand)).toHaveLength(3);
    expect(s.stats).toMatchObject({ writeCalls: 3, writeItems: 2 });
  });

  it('throws at once for an error retrying cannot fix', async () => {
    dynamo.on(BatchGetItemCommand).rejects(
      Object.assign(new Error('denied'), {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    await expect(store().filterDelivered(['t#1'])).rejects.toThrow('denied');
    expect(dynamo.commandCalls(BatchGetItemCommand)).toHaveLength(1);
  });
});
