import { type CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { type CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamSummaryCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { ListBucketsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { classifyError } from '../../aws/retry.js';
import type { RetainedResource } from '../../deploy/retained.js';

/** The clients `fanout destroy` works with. */
export interface DestroyClients {
  cloudformation: CloudFormationClient;
  sqs: SQSClient;
  dynamodb: DynamoDBClient;
  kinesis: KinesisClient;
  logs: CloudWatchLogsClient;
  s3: S3Client;
}

/** A retained resource as found in the account. */
export interface FoundResource extends RetainedResource {
  /** `exists`: there to delete; `absent`: nothing to delete; `unknown`: could not tell (see `problem`). */
  state: 'exists' | 'absent' | 'unknown';
  /** Its physical name (the claim-check bucket's is looked up); its URL for a queue. */
  physicalName?: string;
  queueUrl?: string;
  /** What it holds now, approximately (e.g. `3 messages`). */
  contents?: string;
  problem?: string;
}

/** The stack, and whether it is still deployed (then nothing may be deleted under it). */
export interface StackState {
  name: string;
  /** CloudFormation's status, or undefined when there is no such stack. */
  status?: string;
}

const NOT_FOUND = new Set([
  'QueueDoesNotExist',
  'AWS.SimpleQueueService.NonExistentQueue',
  'ResourceNotFoundException',
  'NoSuchBucket',
]);
const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
/** S3's limit on bucket names. */
const BUCKET_NAME_LIMIT = 63;
const notFound = (error: unknown): boolean => NOT_FOUND.has((error as Error).name);

/** DescribeStacks answers a ValidationError "Stack with id X does not exist" for a stack that is gone. */
export async function stackState(cloudformation: CloudFormationClient, name: string): Promise<StackState> {
  try {
    const out = await cloudformation.send(new DescribeStacksCommand({ StackName: name }));
    const status = out.Stacks?.[0]?.StackStatus;
    return status && status !== 'DELETE_COMPLETE' ? { name, status } : { name };
  } catch (error) {
    if ((error as Error).name === 'ValidationError' && /does not exist/.test((error as Error).message)) {
      return { name };
    }
    throw error;
  }
}

/** Looks each retained resource up: whether it exists, and what it holds. Never throws for one resource. */
export async function takeInventory(
  retained: readonly RetainedResource[],
  stack: string,
  clients: DestroyClients,
): Promise<FoundResource[]> {
  return Promise.all(
    retained.map(async (resource): Promise<FoundResource> => {
      try {
        return { ...resource, ...(await lookUp(resource, stack, clients)) };
      } catch (error) {
        if (notFound(error)) return { ...resource, state: 'absent' };
        return { ...resource, state: 'unknown', problem: classifyError(error).reason };
      }
    }),
  );
}

type Found = Pick<FoundResource, 'state' | 'physicalName' | 'queueUrl' | 'contents' | 'problem'>;

async function lookUp(resource: RetainedResource, stack: string, clients: DestroyClients): Promise<Found> {
  const name = resource.name ?? '';
  switch (resource.kind) {
    case 'queue': {
      const url = (await clients.sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
      const out = await clients.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      const messages =
        Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) +
        Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
      return {
        state: 'exists',
        physicalName: name,
        ...(url ? { queueUrl: url } : {}),
        contents: plural(messages, 'message'),
      };
    }
    case 'table': {
      const table = (await clients.dynamodb.send(new DescribeTableCommand({ TableName: name }))).Table;
      // DynamoDB refreshes ItemCount about every six hours.
      return {
        state: 'exists',
        physicalName: name,
        contents: `about ${plural(table?.ItemCount ?? 0, 'item')}`,
      };
    }
    case 'stream': {
      const out = await clients.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
      const summary = out.StreamDescriptionSummary;
      return {
        state: 'exists',
        physicalName: name,
        contents: `${plural(summary?.OpenShardCount ?? 0, 'shard')}, ${summary?.RetentionPeriodHours ?? '?'} h of records`,
      };
    }
    case 'log group': {
      const out = await clients.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name }));
      const group = out.logGroups?.find((g) => g.logGroupName === name);
      if (!group) return { state: 'absent' };
      return { state: 'exists', physicalName: name, contents: plural(group.storedBytes ?? 0, 'byte') };
    }
    case 'bucket':
      return findBucket(resource, stack, clients.s3);
  }
}

/**
 * The claim-check bucket was named by CloudFormation: `<stack>-<logical id>-<random>`, lower case, the stack
 * name cut short to fit S3's 63 characters. Found by that pattern; more than one match is
 * not guessed between.
 */
async function findBucket(resource: RetainedResource, stack: string, s3: S3Client): Promise<Found> {
  const infix = `-${resource.logicalId.toLowerCase()}-`;
  const stackName = stack.toLowerCase();
  const matches: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListBucketsCommand({ ...(token ? { ContinuationToken: token } : {}) }));
    for (const bucket of page.Buckets ?? []) {
      const name = bucket.Name ?? '';
      const at = name.lastIndexOf(infix);
      if (at <= 0 || !/^[a-z0-9]+$/.test(name.slice(at + infix.length))) continue;
      const head = name.slice(0, at);
      // A shorter head only where the stack name was cut to fit: the name then has S3's full length.
      const cut = stackName.startsWith(head) && name.length === BUCKET_NAME_LIMIT;
      if (head === stackName || cut) matches.push(name);
    }
    token = page.ContinuationToken;
  } while (token);
  if (matches.length === 0) return { state: 'absent' };
  if (matches.length > 1) {
    return {
      state: 'unknown',
      problem: `several buckets match ${stackName}${infix}…: ${matches.join(', ')}; empty and delete the right one yourself`,
    };
  }
  const name = matches[0] as string;
  const objects = await s3.send(new ListObjectsV2Command({ Bucket: name, MaxKeys: 1000 }));
  const count = objects.KeyCount ?? 0;
  return {
    state: 'exists',
    physicalName: name,
    contents: objects.IsTruncated ? `${count}+ objects` : plural(count, 'object'),
  };
}
