import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, type SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { streamNameOf } from '../aws/arn.js';
import { isDiscoveredTarget } from '../config/features.js';
import type { Naming } from '../config/naming.js';
import type { FanoutConfig, TargetConfig } from '../config/schema.js';
import { ledgerTableKeys } from '../ledger/item.js';

/** What local mode made of a target. */
export interface LocalTarget {
  name: string;
  type: TargetConfig['type'];
  via: TargetConfig['via'];
  /** Where it delivers locally (stream or queue name, topic ARN, URL). */
  destination: string;
  /** Why it is off in local mode (a destination type no local emulator provides). */
  disabled?: string;
  /** The target's hand-off queue (`via: queue`). */
  queueUrl?: string;
  dlqUrl: string;
  dlqArn: string;
}

export interface LocalStack {
  /** The configuration the local functions run with: destinations made local, unemulated targets disabled. */
  config: FanoutConfig;
  sourceStream: string;
  failureQueueUrl: string;
  failureQueueArn: string;
  targets: LocalTarget[];
  /** Local destination queues and streams by name, for tail and tests. */
  destinationQueues: Map<string, string>;
  /** The local bucket of claim-checked records (with `claimCheck`), on fauxqs's S3. */
  claimCheckBucket?: string;
}

export interface LocalClients {
  kinesis: KinesisClient;
  sqs: SQSClient;
  sns: SNSClient;
  dynamo: DynamoDBClient;
  /** Needed with `claimCheck` (fauxqs's S3). */
  s3?: S3Client;
}

/** Types with no local emulator: their targets are disabled in local mode, with the reason printed. */
const NOT_EMULATED: Partial<Record<TargetConfig['type'], string>> = {
  firehose: 'no local Firehose emulator',
  eventbridge: 'no local EventBridge emulator',
  lambda: 'lambda destinations are not emulated locally',
};

/**
 * Creates everything local mode needs from the configuration (idempotently, so a persisted `--data-dir` can be
 * reused): the source stream, local destinations (streams, queues, SNS topics), each target's queue and DLQ,
 * the dispatcher's failure queue and the idempotency table.
 */
export async function createLocalStack(
  config: FanoutConfig,
  names: Naming,
  clients: LocalClients,
  receiverUrl: string,
): Promise<LocalStack> {
  const sourceStream = streamNameOf(config.source.stream);
  await Promise.all([
    ensureStream(clients.kinesis, sourceStream, config.source.shards),
    ensureTable(clients.dynamo, names.idempotencyTable()),
  ]);
  const failure = await ensureQueue(clients.sqs, names.dispatcherFailureQueue(), {
    MessageRetentionPeriod: '1209600',
  });
  const destinationQueues = new Map<string, string>();
  const targets: LocalTarget[] = [];
  const localTargets: TargetConfig[] = [];

  for (const target of config.targets) {
    const dlq = await ensureQueue(clients.sqs, names.targetDlq(target), {
      MessageRetentionPeriod: '1209600',
      ...(target.ordered ? FIFO : {}),
    });
    let destination = target.local?.destination ?? target.destination;
    let disabled = NOT_EMULATED[target.type];
    // Local destinations live in the emulators: no other account or region to reach, no role to assume.
    const { role: _role, externalId: _externalId, region: _region, ...local }: TargetConfig = { ...target };
    if (!disabled && target.enabled) {
      if (isDiscoveredTarget(target, config.discover)) {
        // Its streams are found at run time (ListStreams on kinesalite): nothing to create.
      } else if (target.type === 'kinesis') {
        destination = streamNameOf(destination);
        await ensureStream(clients.kinesis, destination, 1);
      } else if (target.type === 'sqs') {
        const name = destination.split('/').pop() ?? destination;
        destination = (
          await ensureQueue(clients.sqs, name, name.endsWith('.fifo') ? { FifoQueue: 'true' } : {})
        ).url;
        destinationQueues.set(name, destination);
      } else if (target.type === 'sns') {
        const name = destination.split(':').pop() ?? destination;
        const out = await clients.sns.send(
          new CreateTopicCommand({
            Name: name,
            ...(name.endsWith('.fifo') ? { Attributes: { FifoTopic: 'true' } } : {}),
          }),
        );
        destination = out.TopicArn ?? destination;
      } else if (target.type === 'http') {
        if (!target.local?.destination || target.local.destination === 'receiver') {
          destination = `${receiverUrl}/${target.name}`;
        }
        local.http = {
          method: 'POST',
          headers: {},
          contentType: 'application/octet-stream',
          timeoutMs: 10_000,
          ...target.http,
          allowInsecure: true,
          // The local receiver is on loopback by design.
          allowPrivate: true,
        };
      }
    }
    if (disabled || !target.enabled) {
      local.enabled = false;
      disabled ??= 'disabled in fanout.yml';
    }
    local.destination = destination;
    let queueUrl: string | undefined;
    if (target.via === 'queue' && local.enabled) {
      queueUrl = (
        await ensureQueue(clients.sqs, names.targetQueue(target), {
          ...(target.ordered ? FIFO : {}),
          // Lambda's rule: at least 6 x the function timeout, so a slow batch is not handed out twice.
          VisibilityTimeout: String(Math.min(43_200, 6 * target.timeout)),
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: dlq.arn,
            maxReceiveCount: target.retries + 1,
          }),
        })
      ).url;
    }
    localTargets.push(local);
    targets.push({
      name: target.name,
      type: target.type,
      via: target.via,
      destination,
      ...(disabled ? { disabled } : {}),
      ...(queueUrl ? { queueUrl } : {}),
      dlqUrl: dlq.url,
      dlqArn: dlq.arn,
    });
  }
  const claimCheckBucket = config.claimCheck ? await ensureBucket(clients, config, names) : undefined;
  return {
    ...(claimCheckBucket ? { claimCheckBucket } : {}),
    config: { ...config, source: { ...config.source, stream: sourceStream }, targets: localTargets },
    sourceStream,
    failureQueueUrl: failure.url,
    failureQueueArn: failure.arn,
    targets,
    destinationQueues,
  };
}

/** An ordered target's queues: FIFO (fauxqs keeps a group's messages in order, one in flight at a time). */
const FIFO = { FifoQueue: 'true', ContentBasedDeduplication: 'false' };

/** Local mode's claim-check bucket: the configured name, else `<service>-local-claims`. */
const localClaimBucket = (config: FanoutConfig, names: Naming): string =>
  (config.claimCheck ? config.claimCheck.bucket : undefined) ?? names.localClaimCheckBucket();

/** The claim-check bucket, created (CreateBucket is idempotent on fauxqs). */
async function ensureBucket(clients: LocalClients, config: FanoutConfig, names: Naming): Promise<string> {
  if (!clients.s3) throw new Error('claimCheck is on: local mode needs an S3 client (fauxqs)');
  const bucket = localClaimBucket(config, names);
  await clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

async function ensureStream(kinesis: KinesisClient, name: string, shards: number): Promise<void> {
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

async function ensureQueue(
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

async function ensureTable(dynamo: DynamoDBClient, name: string): Promise<void> {
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
