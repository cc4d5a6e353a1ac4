import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type _Record,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
} from '@aws-sdk/client-kinesis';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, KinesisStreamEvent } from 'aws-lambda';
import { ClientPool, OPERATOR_SDK_ATTEMPTS } from '../../lib/aws/clients.js';
import { readWholeStream } from '../../lib/aws/kinesis-read.js';
import { ledgerTableKeys } from '../../lib/ledger/item.js';
import { type Emulator, startEmulator } from '../../lib/local/emulators.js';
import { ensureStream } from '../../lib/local/resources.js';

/** Clients for the emulators whose endpoints are in process.env (`AWS_ENDPOINT_URL_*`). */
export function localClients(): { kinesis: KinesisClient; sqs: SQSClient; dynamo: DynamoDBClient } {
  const pool = new ClientPool({ maxAttempts: OPERATOR_SDK_ATTEMPTS });
  return { kinesis: pool.get(KinesisClient), sqs: pool.get(SQSClient), dynamo: pool.get(DynamoDBClient) };
}

/** A stream, ACTIVE, as local mode creates its own (lib/local/resources.ts). */
export function createStream(kinesis: KinesisClient, name: string, shards = 1): Promise<void> {
  return ensureStream(kinesis, name, shards);
}

export async function createQueue(
  sqs: SQSClient,
  name: string,
  attributes: Record<string, string> = {},
): Promise<string> {
  const out = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!out.QueueUrl) throw new Error(`no URL for queue ${name}`);
  return out.QueueUrl;
}

/** The idempotency table, with the ledger's key schema (lib/ledger/item.ts). */
export async function createIdempotencyTable(dynamo: DynamoDBClient, name: string): Promise<void> {
  await dynamo.send(
    new CreateTableCommand({
      TableName: name,
      ...ledgerTableKeys(),
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}

/** A dynalite of its own with an idempotency table, for a harness (a test file's fixture, a benchmark section). */
export interface LedgerTable {
  emulator: Emulator;
  client: DynamoDBClient;
  stop(): Promise<void>;
}

/** Starts dynalite on a free port and creates the idempotency table `table` in it (lib/ledger/item.ts's keys). */
export async function startLedgerTable(table: string): Promise<LedgerTable> {
  const emulator = await startEmulator('dynamodb');
  const client = new DynamoDBClient({
    endpoint: emulator.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  try {
    await createIdempotencyTable(client, table);
  } catch (error) {
    client.destroy();
    await emulator.stop();
    throw error;
  }
  return {
    emulator,
    client,
    stop: async () => {
      client.destroy();
      await emulator.stop();
    },
  };
}

/** Every record of a stream, from TRIM_HORIZON, over all shards. */
export const readStream = readWholeStream;

/** A Lambda context for handlers run in-process. */
export function lambdaContext(functionName: string, remainingMs = 60_000): Context {
  const deadline = Date.now() + remainingMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: crypto.randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/** Every record of a one-shard stream, as Lambda's Kinesis event source mapping would hand them over. */
export async function streamAsKinesisEvent(
  kinesis: KinesisClient,
  stream: string,
): Promise<KinesisStreamEvent> {
  const shardId = 'shardId-000000000000';
  const iterator = await kinesis.send(
    new GetShardIteratorCommand({ StreamName: stream, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }),
  );
  const out = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator.ShardIterator }));
  return {
    Records: (out.Records ?? []).map((r: _Record) => ({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: r.PartitionKey ?? '',
        sequenceNumber: r.SequenceNumber ?? '',
        data: Buffer.from(r.Data ?? new Uint8Array()).toString('base64'),
        approximateArrivalTimestamp: (r.ApproximateArrivalTimestamp?.getTime() ?? 0) / 1000,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${shardId}:${r.SequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: 'arn:aws:iam::000000000000:role/dispatcher',
      awsRegion: 'us-east-1',
      eventSourceARN: `arn:aws:kinesis:us-east-1:000000000000:stream/${stream}`,
    })),
  };
}
