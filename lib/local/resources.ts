/** Local mode's resources, each created idempotently (a persisted `--data-dir` is reused as it is). */
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Naming } from '../config/naming.js';
import type { FanoutConfig } from '../config/schema.js';
import { ledgerTableKeys } from '../ledger/item.js';

/** The SDK clients local mode's resources are created with, pointed at the emulators. */
export interface LocalClients {
  kinesis: KinesisClient;
  sqs: SQSClient;
  sns: SNSClient;
  dynamo: DynamoDBClient;
  /** Needed with `claimCheck` (fauxqs's S3). */
  s3?: S3Client;
}

/** An ordered target's queues: FIFO (fauxqs keeps a group's messages in order, one in flight at a time). */
export const FIFO = { FifoQueue: 'true', ContentBasedDeduplication: 'false' };

/** Local mode's claim-check bucket: the configured name, else `<service>-local-claims`. */
const localClaimBucket = (config: FanoutConfig, names: Naming): string =>
  (config.claimCheck ? config.claimCheck.bucket : undefined) ?? names.localClaimCheckBucket();

/** The claim-check bucket, created (CreateBucket is idempotent on fauxqs). */
export async function ensureBucket(
  clients: LocalClients,
  config: FanoutConfig,
  names: Naming,
): Promise<string> {
  if (!clients.s3) throw new Error('claimCheck is on: local mode needs an S3 client (fauxqs)');
  const bucket = localClaimBucket(config, names);
  await clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

export async function ensureStream(kinesis: KinesisClient, name: string, shards: number): Promise<void> {
  try {
    await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  } catch (error) {
    if ((error as Error).name !== 'ResourceInUseException') throw error;
  }
  for (let i = 0; i < 200; i++) {
    const out = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    if (out.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`stream ${name} did not become ACTIVE`);
}

export async function ensureQueue(
  sqs: SQSClient,
  name: string,
  attributes: Record<string, string>,
): Promise<{ url: string; arn: string }> {
  const out = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  const url = out.QueueUrl;
  if (!url) throw new Error(`CreateQueue ${name} returned no URL`);
  const attrs = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  return { url, arn: attrs.Attributes?.QueueArn ?? `arn:aws:sqs:us-east-1:000000000000:${name}` };
}

export async function ensureTable(dynamo: DynamoDBClient, name: string): Promise<void> {
  try {
    await dynamo.send(
      new CreateTableCommand({
        TableName: name,
        ...ledgerTableKeys(),
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    if ((error as Error).name !== 'ResourceInUseException') throw error;
  }
}
