/**
 * Reading a deployed stack back from the AWS APIs, and what the generator (lib/deploy) says it should be:
 * the deploy test compares the two, so its expectations follow fanout.yml and the generator, not literals.
 */
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { ClientPool } from '../../lib/aws/clients.js';
import type { CfnResource, CfnResources, RetainedResource, Stack } from '../../lib/deploy/index.js';

export const DUMMY_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' };

export function resourcesOf(resources: CfnResources, type: string): Array<[string, CfnResource]> {
  return Object.entries(resources).filter(([, r]) => r.Type === type);
}

/** The function name of a function logical id (`<Key>LambdaFunction`, as osls names it). */
export function functionNameOf(stack: Stack, logicalId: string): string {
  const fn = Object.entries(stack.functions).find(
    ([key]) =>
      `${key.replace(/-/g, 'Dash').replace(/^./, (c) => c.toUpperCase())}LambdaFunction` === logicalId,
  );
  if (!fn) throw new Error(`no function with logical id ${logicalId}`);
  return fn[1].name;
}

/** All attributes of a queue, by name. */
export async function queueAttributes(sqs: SQSClient, name: string): Promise<Record<string, string>> {
  const url = (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
  const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }));
  return out.Attributes ?? {};
}

/**
 * The live ARN of `{ Fn::GetAtt: [id, 'Arn'] }`: the queue or stream the stack created under that logical id.
 * Anything else (a literal ARN) is returned as it is.
 */
export async function resolveArn(
  value: unknown,
  resources: CfnResources,
  clients: ClientPool,
): Promise<string> {
  const getAtt = (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
  if (!getAtt) return String(value);
  const resource = resources[getAtt[0]];
  if (resource?.Type === 'AWS::SQS::Queue') {
    return (
      (await queueAttributes(clients.get(SQSClient), String(resource.Properties.QueueName))).QueueArn ?? ''
    );
  }
  if (resource?.Type === 'AWS::Kinesis::Stream') {
    const out = await clients
      .get(KinesisClient)
      .send(new DescribeStreamSummaryCommand({ StreamName: String(resource.Properties.Name) }));
    return out.StreamDescriptionSummary?.StreamARN ?? '';
  }
  throw new Error(`cannot resolve ${JSON.stringify(value)} against the live stack`);
}

/**
 * A role policy as GetRolePolicy returns it: URL-encoded JSON from IAM; moto answers for a policy its
 * CloudFormation created with the Python form of the document (single quotes), read here as JSON too.
 */
export function policyDocument(text: string): unknown {
  const decoded = decodeURIComponent(text);
  return JSON.parse(decoded.startsWith("{'") ? decoded.replace(/'/g, '"') : decoded);
}

/** Every action an IAM policy document allows, sorted. */
export function allowedActions(document: unknown): string[] {
  const statements = (document as { Statement: Array<{ Action: string | string[] }> }).Statement;
  return statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])).sort();
}

/** Whether a retained resource is there, asked of its own API (independent of `fanout destroy`'s lookup). */
export async function retainedExists(
  resource: RetainedResource,
  prefix: string,
  clients: ClientPool,
): Promise<boolean> {
  const name = resource.name ?? '';
  const gone = (error: unknown): false => {
    if (/NotFound|NonExistent|DoesNotExist/.test((error as Error).name)) return false;
    throw error;
  };
  switch (resource.kind) {
    case 'queue':
      return clients
        .get(SQSClient)
        .send(new GetQueueUrlCommand({ QueueName: name }))
        .then(() => true, gone);
    case 'table':
      return clients
        .get(DynamoDBClient)
        .send(new DescribeTableCommand({ TableName: name }))
        .then(() => true, gone);
    case 'stream':
      return clients
        .get(KinesisClient)
        .send(new DescribeStreamSummaryCommand({ StreamName: name }))
        .then(() => true, gone);
    case 'log group': {
      const out = await clients
        .get(CloudWatchLogsClient)
        .send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name }));
      return (out.logGroups ?? []).some((g) => g.logGroupName === name);
    }
    case 'bucket':
      return (await stackBucket(resource, prefix, clients)) !== undefined;
  }
}

/** The bucket CloudFormation named for a logical id of the stack (`<stack>-<logical id>-<random>`), if any. */
export async function stackBucket(
  resource: RetainedResource,
  prefix: string,
  clients: ClientPool,
): Promise<string | undefined> {
  const out = await clients.get(S3Client).send(new ListBucketsCommand({}));
  const head = `${prefix}-${resource.logicalId}-`.toLowerCase();
  return out.Buckets?.find((b) => b.Name?.startsWith(head))?.Name;
}
