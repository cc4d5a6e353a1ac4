import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DynamoDBClient,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
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

  it('writes keys with an expiry in BatchWriteItem calls of 25, sent together, and retries unprocessed items', async () => {
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
    // Both chunks go at once; the 2 unprocessed items of the first go again after.
    expect(calls.map((c) => c.length)).toEqual([25, 5, 2]);
    expect(calls[0]?.[0]?.PutRequest?.Item).toEqual({
      id: { S: 'delivered#t#0' },
      expiration: { N: '1100' },
      status: { S: 'COMPLETED' },
    });
    expect(s.stats).toMatchObject({ writeCalls: 3, writeItems: 30 });
  });
});

const cancelled = (codes: Array<string | [string, string]>) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: { httpStatusCode: 400 },
    CancellationReasons: codes.map((c) =>
      Array.isArray(c) ? { Code: c[0], Item: { status: { S: c[1] } } } : { Code: c },
    ),
  });

describe('DynamoKeyStore claims', () => {
  it('claims keys with one conditional transaction per 100 keys, until the lease given', async () => {
    dynamo.on(TransactWriteItemsCommand).resolves({});
    const s = store();
    const keys = Array.from({ length: 130 }, (_, i) => `t#${i}`);
    const outcome = await s.claim(keys, 2_000_000);
    expect(outcome).toEqual({ owner: expect.any(String), claimed: keys, delivered: [], busy: [] });
    const calls = dynamo
      .commandCalls(TransactWriteItemsCommand)
      .map((c) => c.args[0].input.TransactItems ?? []);
    expect(calls.map((c) => c.length)).toEqual([100, 30]);
    expect(calls[0]?.[0]?.Put).toEqual({
      TableName: 'keys',
      Item: {
        id: { S: 'delivered#t#0' },
        status: { S: 'IN_PROGRESS' },
        owner: { S: outcome.owner },
        lease: { N: '2000000' },
        expiration: { N: '1100' },
      },
      ConditionExpression: 'attribute_not_exists(id) OR (#status = :claimed AND #lease < :now)',
      ExpressionAttributeNames: { '#status': 'status', '#lease': 'lease' },
      ExpressionAttributeValues: { ':claimed': { S: 'IN_PROGRESS' }, ':now': { N: '1000000' } },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    expect(s.stats).toMatchObject({ claimCalls: 2, claimItems: 130 });
  });

  it('sorts refused keys into delivered and busy by their item, and claims the rest in another round', async () => {
    dynamo
      .on(TransactWriteItemsCommand)
      .rejectsOnce(
        cancelled([
          'None',
          ['ConditionalCheckFailed', 'COMPLETED'],
          ['ConditionalCheckFailed', 'IN_PROGRESS'],
          'None',
        ]),
      )
      .rejectsOnce(cancelled(['TransactionConflict', 'None']))
      .resolves({});
    const s = store();
    expect(await s.claim(['t#0', 't#1', 't#2', 't#3'], 2_000_000)).toEqual({
      owner: expect.any(String),
      claimed: ['t#0', 't#3'],
      delivered: ['t#1'],
      busy: ['t#2'],
    });
    const calls = dynamo
      .commandCalls(TransactWriteItemsCommand)
      .map((c) => (c.args[0].input.TransactItems ?? []).map((t) => t.Put?.Item?.id?.S));
    expect(calls).toEqual([
      ['delivered#t#0', 'delivered#t#1', 'delivered#t#2', 'delivered#t#3'],
      ['delivered#t#0', 'delivered#t#3'],
      ['delivered#t#0', 'delivered#t#3'],
    ]);
  });

  it('fails with the reason when the table refuses a key for another cause', async () => {
    dynamo.on(TransactWriteItemsCommand).rejects(cancelled(['ValidationError']));
    await expect(store().claim(['t#0'], 2_000_000)).rejects.toThrow(/t#0 refused \(ValidationError/);
  });

  it('releases only its own claims, with conditional deletes: a key another invocation took is left alone', async () => {
    dynamo
      .on(TransactWriteItemsCommand)
      .rejectsOnce(cancelled(['None', 'ConditionalCheckFailed']))
      .resolves({});
    const s = store();
    await s.release(['t#1', 't#2'], 'me');
    const calls = dynamo
      .commandCalls(TransactWriteItemsCommand)
      .map((c) => c.args[0].input.TransactItems ?? []);
    expect(calls.map((c) => c.map((t) => t.Delete?.Key?.id?.S))).toEqual([
      ['delivered#t#1', 'delivered#t#2'],
      ['delivered#t#1'],
    ]);
    expect(calls[0]?.[0]?.Delete).toMatchObject({
      ConditionExpression: '#status = :claimed AND #owner = :me',
      ExpressionAttributeValues: { ':claimed': { S: 'IN_PROGRESS' }, ':me': { S: 'me' } },
    });
  });

  it('counts only deliveries, not claims, as delivered', async () => {
    dynamo.on(BatchGetItemCommand).resolves({
      Responses: {
        keys: [
          { id: { S: 'delivered#t#1' }, status: { S: 'COMPLETED' } },
          { id: { S: 'delivered#t#2' }, status: { S: 'IN_PROGRESS' } },
          { id: { S: 'delivered#t#3' } },
        ],
      },
    });
    expect(await store().filterDelivered(['t#1', 't#2', 't#3'])).toEqual(new Set(['t#1', 't#3']));
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
