import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  CreateTableCommand,
  DynamoDBClient,
  PutItemCommand,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../lib/local/emulators.js';

let dynalite: Emulator;
let dataDir: string | undefined;
let client: DynamoDBClient;
const TABLE = 'transactions';

beforeAll(async () => {
  // On disk (LevelDB), so reads and writes really yield and concurrent transactions interleave without locks.
  dataDir = await mkdtemp(join(tmpdir(), 'fanout-tx-'));
  dynalite = await startEmulator('dynamodb', { dataDir });
  client = new DynamoDBClient({
    endpoint: dynalite.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    maxAttempts: 1,
  });
  // A table keyed by `id` alone: these tests are about the emulator's transactions, not the ledger's layout.
  await client.send(
    new CreateTableCommand({
      TableName: TABLE,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}, 30_000);
afterAll(async () => {
  client?.destroy();
  await dynalite?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const claim = (id: string, owner: string): TransactWriteItem => ({
  Put: {
    TableName: TABLE,
    Item: { id: { S: id }, owner: { S: owner } },
    ConditionExpression: 'attribute_not_exists(id)',
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  },
});

async function owners(ids: string[]): Promise<Record<string, string | undefined>> {
  const out = await client.send(
    new BatchGetItemCommand({ RequestItems: { [TABLE]: { Keys: ids.map((id) => ({ id: { S: id } })) } } }),
  );
  const found = Object.fromEntries((out.Responses?.[TABLE] ?? []).map((i) => [i.id?.S, i.owner?.S]));
  return Object.fromEntries(ids.map((id) => [id, found[id]]));
}

async function cancelled(items: TransactWriteItem[]): Promise<TransactionCanceledException> {
  const error = await client.send(new TransactWriteItemsCommand({ TransactItems: items })).catch((e) => e);
  expect(error).toBeInstanceOf(TransactionCanceledException);
  return error as TransactionCanceledException;
}

describe('TransactWriteItems on dynalite (local mode)', () => {
  it('writes every item of a transaction whose conditions all hold', async () => {
    await client.send(
      new TransactWriteItemsCommand({ TransactItems: ['a1', 'a2', 'a3'].map((id) => claim(id, 'A')) }),
    );
    expect(await owners(['a1', 'a2', 'a3'])).toEqual({ a1: 'A', a2: 'A', a3: 'A' });
  });

  it('cancels the whole transaction when one condition fails: a reason per item, the old item, nothing written', async () => {
    await client.send(
      new PutItemCommand({ TableName: TABLE, Item: { id: { S: 'b2' }, owner: { S: 'other' } } }),
    );
    const error = await cancelled(['b1', 'b2', 'b3'].map((id) => claim(id, 'B')));
    expect(error.CancellationReasons?.map((r) => r.Code)).toEqual(['None', 'ConditionalCheckFailed', 'None']);
    expect(error.CancellationReasons?.[1]?.Item).toEqual({ id: { S: 'b2' }, owner: { S: 'other' } });
    expect(error.message).toContain('ConditionalCheckFailed');
    expect(await owners(['b1', 'b2', 'b3'])).toEqual({ b1: undefined, b2: 'other', b3: undefined });
  });

  it('returns no old item unless asked for it', async () => {
    await client.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: 'c1' } } }));
    const error = await cancelled([
      { Put: { ...claim('c1', 'C').Put, ReturnValuesOnConditionCheckFailure: 'NONE' } } as TransactWriteItem,
    ]);
    expect(error.CancellationReasons?.[0]).toMatchObject({ Code: 'ConditionalCheckFailed' });
    expect(error.CancellationReasons?.[0]?.Item).toBeUndefined();
  });

  it('lets exactly one of many concurrent transactions on the same items through', async () => {
    const ids = Array.from({ length: 100 }, (_, i) => `d${i}`);
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, w) =>
        client.send(
          // Each writer claims the items in its own order: the emulator must not deadlock or interleave.
          new TransactWriteItemsCommand({
            TransactItems: [...ids.slice(w), ...ids.slice(0, w)].map((id) => claim(id, `W${w}`)),
          }),
        ),
      ),
    );
    const won = results.flatMap((r, w) => (r.status === 'fulfilled' ? [`W${w}`] : []));
    expect(won).toHaveLength(1);
    expect(new Set(Object.values(await owners(ids)))).toEqual(new Set(won));
  });

  it('deletes and checks conditions in the same transaction', async () => {
    await client.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: 'e1' }, owner: { S: 'E' } } }));
    await client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            Delete: {
              TableName: TABLE,
              Key: { id: { S: 'e1' } },
              ConditionExpression: '#o = :me',
              ExpressionAttributeNames: { '#o': 'owner' },
              ExpressionAttributeValues: { ':me': { S: 'E' } },
            },
          },
          {
            ConditionCheck: {
              TableName: TABLE,
              Key: { id: { S: 'e2' } },
              ConditionExpression: 'attribute_not_exists(id)',
            },
          },
        ],
      }),
    );
    expect(await owners(['e1'])).toEqual({ e1: undefined });
  });

  it('refuses what it cannot do, or what DynamoDB refuses, with a ValidationException naming the problem', async () => {
    const send = (items: TransactWriteItem[]) =>
      client.send(new TransactWriteItemsCommand({ TransactItems: items })).catch((e: Error) => e);
    const update = (await send([
      {
        Update: {
          TableName: TABLE,
          Key: { id: { S: 'f' } },
          UpdateExpression: 'SET a = :a',
          ExpressionAttributeValues: { ':a': { S: '1' } },
        },
      },
    ])) as Error;
    expect(update.name).toBe('ValidationException');
    expect(update.message).toMatch(/Update is not supported/);
    const twice = (await send([claim('g', 'G'), claim('g', 'H')])) as Error;
    expect(twice.message).toMatch(/multiple operations on one item/);
    const badTable = (await send([
      { Put: { TableName: 'no-such-table', Item: { id: { S: 'x' } } } },
    ])) as Error;
    expect(badTable.name).toBe('ResourceNotFoundException');
    const tooMany = (await send(Array.from({ length: 101 }, (_, i) => claim(`h${i}`, 'H')))) as Error;
    expect(tooMany.name).toBe('ValidationException');
  });

  it('answers a refused conditional PutItem with the item as it is, when asked for it (as DynamoDB does)', async () => {
    await client.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: 'p' }, owner: { S: 'P' } } }));
    const refused = await client
      .send(
        new PutItemCommand({
          TableName: TABLE,
          Item: { id: { S: 'p' }, owner: { S: 'Q' } },
          ConditionExpression: 'attribute_not_exists(id)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      )
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ConditionalCheckFailedException);
    expect((refused as ConditionalCheckFailedException).Item).toEqual({ id: { S: 'p' }, owner: { S: 'P' } });
    expect(await owners(['p'])).toEqual({ p: 'P' });
    // Without the option, dynalite's own PutItem answers (no item), and a put whose condition holds is written.
    const plain = await client
      .send(
        new PutItemCommand({
          TableName: TABLE,
          Item: { id: { S: 'p' }, owner: { S: 'R' } },
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      )
      .catch((e: unknown) => e);
    expect(plain).toBeInstanceOf(ConditionalCheckFailedException);
    expect((plain as ConditionalCheckFailedException).Item).toBeUndefined();
    await client.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: { id: { S: 'p' }, owner: { S: 'S' } },
        ConditionExpression: 'attribute_exists(id)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    expect(await owners(['p'])).toEqual({ p: 'S' });
  });
});
