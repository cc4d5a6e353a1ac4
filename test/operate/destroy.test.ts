/**
 * `fanout destroy`: the retained resources are looked up one by one (a denied call says so, never counts as
 * "not there"), nothing is deleted without --yes or under a deployed stack, and each deletion reports its own
 * outcome. The whole command runs against moto in test/deploy/moto.test.ts.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  CloudWatchLogsClient,
  DeleteLogGroupCommand,
  DescribeLogGroupsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { DeleteTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteStreamCommand, DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import {
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ClientPool } from '../../lib/aws/clients.js';
import { destroyCommand } from '../../lib/cli/destroy.js';
import type { RetainedResource } from '../../lib/deploy/retained.js';
import { deleteRetained } from '../../lib/operate/destroy/delete.js';
import { type DestroyClients, stackState, takeInventory } from '../../lib/operate/destroy/inventory.js';
import { CONFIG_YML, captureIo, folderWith } from '../cli/support.js';

const cloudformation = mockClient(CloudFormationClient);
const sqs = mockClient(SQSClient);
const dynamodb = mockClient(DynamoDBClient);
const kinesis = mockClient(KinesisClient);
const logs = mockClient(CloudWatchLogsClient);
const s3 = mockClient(S3Client);
const clients = (): DestroyClients => ({
  cloudformation: new CloudFormationClient({ region: 'eu-west-1' }),
  sqs: new SQSClient({ region: 'eu-west-1' }),
  dynamodb: new DynamoDBClient({ region: 'eu-west-1' }),
  kinesis: new KinesisClient({ region: 'eu-west-1' }),
  logs: new CloudWatchLogsClient({ region: 'eu-west-1' }),
  s3: new S3Client({ region: 'eu-west-1' }),
});
const named = (name: string) => Object.assign(new Error(`${name} here`), { name });
const queue = (name: string): RetainedResource => ({ kind: 'queue', logicalId: name, name, holds: 'x' });
const bucket: RetainedResource = { kind: 'bucket', logicalId: 'ClaimCheckBucket', holds: 'records' };
const buckets = (...names: string[]) =>
  s3.on(ListBucketsCommand).resolves({ Buckets: names.map((Name) => ({ Name })) });

beforeEach(() => {
  for (const mock of [cloudformation, sqs, dynamodb, kinesis, logs, s3]) mock.reset();
  sqs.on(GetQueueUrlCommand).callsFake(({ QueueName }: { QueueName: string }) => {
    if (QueueName.includes('gone')) throw named('QueueDoesNotExist');
    if (QueueName.includes('denied')) throw named('AccessDenied');
    return { QueueUrl: `https://sqs/${QueueName}` };
  });
  sqs.on(GetQueueAttributesCommand).resolves({
    Attributes: { ApproximateNumberOfMessages: '4', ApproximateNumberOfMessagesNotVisible: '1' },
  });
  s3.on(ListObjectsV2Command).resolves({ KeyCount: 2 });
});

describe('stackState', () => {
  it('tells a deployed stack from one that is gone', async () => {
    cloudformation.on(DescribeStacksCommand).resolvesOnce({
      Stacks: [{ StackName: 's', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date() }],
    });
    expect(await stackState(clients().cloudformation, 's')).toEqual({ name: 's', status: 'UPDATE_COMPLETE' });
    cloudformation
      .on(DescribeStacksCommand)
      .rejects(Object.assign(named('ValidationError'), { message: 'Stack with id s does not exist' }));
    expect(await stackState(clients().cloudformation, 's')).toEqual({ name: 's' });
  });

  it('does not take a denied call for a removed stack', async () => {
    cloudformation.on(DescribeStacksCommand).rejects(named('AccessDenied'));
    await expect(stackState(clients().cloudformation, 's')).rejects.toThrow('AccessDenied here');
  });
});

describe('takeInventory', () => {
  it('finds each resource with what it holds; a denied look-up is unknown, never "not there"', async () => {
    dynamodb.on(DescribeTableCommand).resolves({ Table: { ItemCount: 120 } });
    kinesis.on(DescribeStreamSummaryCommand).rejects(named('ResourceNotFoundException'));
    logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [{ logGroupName: '/aws/lambda/f-longer' }] });
    const found = await takeInventory(
      [
        queue('fanout-dev-a-dlq'),
        queue('fanout-dev-gone-dlq'),
        queue('fanout-dev-denied-dlq'),
        { kind: 'table', logicalId: 'T', name: 'fanout-dev-idempotency', holds: 'keys' },
        { kind: 'stream', logicalId: 'S', name: 'input', holds: 'records' },
        { kind: 'log group', logicalId: 'L', name: '/aws/lambda/f', holds: 'logs' },
      ],
      'fanout-dev',
      clients(),
    );
    expect(found.map((f) => [f.logicalId, f.state, f.contents ?? f.problem])).toEqual([
      ['fanout-dev-a-dlq', 'exists', '5 messages'],
      ['fanout-dev-gone-dlq', 'absent', undefined],
      ['fanout-dev-denied-dlq', 'unknown', 'AccessDenied: AccessDenied here'],
      ['T', 'exists', 'about 120 items'],
      ['S', 'absent', undefined],
      ['L', 'absent', undefined],
    ]);
  });

  it("finds the bucket CloudFormation named after the stack, even cut short, and not another stack's", async () => {
    buckets('fanout-dev2-claimcheckbucket-abc123', 'fanout-dev-claimcheckbucket-0a1b2c3d4e5f', 'other');
    expect(await takeInventory([bucket], 'fanout-dev', clients())).toEqual([
      expect.objectContaining({
        state: 'exists',
        physicalName: 'fanout-dev-claimcheckbucket-0a1b2c3d4e5f',
        contents: '2 objects',
      }),
    ]);
    const long = 'a-very-long-service-name-for-it-prod-eu';
    const suffix = '-claimcheckbucket-0a1b2c3d4e5f';
    const cut = `${long.slice(0, 63 - suffix.length)}${suffix}`;
    buckets(cut, `${long.slice(0, 20)}${suffix}`);
    expect((await takeInventory([bucket], long, clients()))[0]).toMatchObject({
      state: 'exists',
      physicalName: cut,
    });
  });

  it('does not guess between two matching buckets', async () => {
    buckets('fanout-dev-claimcheckbucket-aaa', 'fanout-dev-claimcheckbucket-bbb');
    const [found] = await takeInventory([bucket], 'fanout-dev', clients());
    expect(found).toMatchObject({
      state: 'unknown',
      problem: expect.stringContaining('several buckets match'),
    });
    expect((await deleteRetained([found!], clients()))[0]?.outcome).toBe('kept');
  });
});

describe('deleteRetained', () => {
  it('deletes each with its own API, empties a bucket first, and reports a failure without stopping', async () => {
    sqs.on(DeleteQueueCommand).resolves({});
    dynamodb.on(DeleteTableCommand).rejects(named('ResourceInUseException'));
    kinesis.on(DeleteStreamCommand).resolves({});
    logs.on(DeleteLogGroupCommand).resolves({});
    s3.on(ListObjectVersionsCommand)
      .resolvesOnce({
        Versions: [{ Key: 'k1', VersionId: 'v1' }],
        DeleteMarkers: [{ Key: 'k2', VersionId: 'v2' }],
      })
      .resolves({});
    s3.on(DeleteObjectsCommand).resolves({});
    s3.on(DeleteBucketCommand).resolves({});
    const found = [
      { ...queue('q'), state: 'exists' as const, queueUrl: 'https://sqs/q' },
      { ...queue('gone'), state: 'absent' as const },
      {
        kind: 'table' as const,
        logicalId: 'T',
        name: 't',
        physicalName: 't',
        holds: 'k',
        state: 'exists' as const,
      },
      {
        kind: 'stream' as const,
        logicalId: 'S',
        name: 's',
        physicalName: 's',
        holds: 'r',
        state: 'exists' as const,
      },
      {
        kind: 'log group' as const,
        logicalId: 'L',
        name: 'l',
        physicalName: 'l',
        holds: 'l',
        state: 'exists' as const,
      },
      { ...bucket, physicalName: 'b', state: 'exists' as const },
    ];
    const results = await deleteRetained(found, clients());
    expect(results.map((r) => [r.resource.logicalId, r.outcome, r.reason])).toEqual([
      ['q', 'deleted', undefined],
      ['gone', 'not there', undefined],
      ['T', 'failed', 'ResourceInUseException: ResourceInUseException here'],
      ['S', 'deleted', undefined],
      ['L', 'deleted', undefined],
      ['ClaimCheckBucket', 'deleted', undefined],
    ]);
    expect(kinesis.commandCalls(DeleteStreamCommand)[0]?.args[0].input).toEqual({
      StreamName: 's',
      EnforceConsumerDeletion: true,
    });
    expect(s3.commandCalls(DeleteObjectsCommand)[0]?.args[0].input.Delete?.Objects).toEqual([
      { Key: 'k1', VersionId: 'v1' },
      { Key: 'k2', VersionId: 'v2' },
    ]);
    expect(s3.commandCalls(DeleteBucketCommand)).toHaveLength(1);
  });
});

describe('fanout destroy', () => {
  const home = process.cwd();
  const dir = folderWith({ 'fanout.yml': CONFIG_YML });
  beforeAll(() => process.chdir(dir));
  afterAll(() => process.chdir(home));
  const run = async (...flags: string[]) => {
    const c = captureIo();
    const options = { region: 'eu-west-1', stage: 'dev', ...Object.fromEntries(flags.map((f) => [f, true])) };
    const code = await destroyCommand(options, c.io, new ClientPool({ region: 'eu-west-1' }));
    return { code, out: c.out.join('\n'), err: c.err.join('\n') };
  };
  const deletions = () =>
    sqs.commandCalls(DeleteQueueCommand).length + dynamodb.commandCalls(DeleteTableCommand).length;

  beforeEach(() => {
    dynamodb.on(DescribeTableCommand).resolves({ Table: { ItemCount: 3 } });
    kinesis.on(DescribeStreamSummaryCommand).resolves({ StreamDescriptionSummary: undefined });
    logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [] });
    sqs.on(DeleteQueueCommand).resolves({});
    dynamodb.on(DeleteTableCommand).resolves({});
    // The claim check is on by default: the stack's bucket, empty by now.
    buckets('fanout-dev-claimcheckbucket-0a1b2c3d4e5f');
    s3.on(ListObjectVersionsCommand).resolves({});
    s3.on(DeleteBucketCommand).resolves({});
  });

  it('lists what it would delete and deletes nothing without --yes', async () => {
    cloudformation
      .on(DescribeStacksCommand)
      .rejects(
        Object.assign(named('ValidationError'), { message: 'Stack with id fanout-dev does not exist' }),
      );
    const { code, out, err } = await run();
    expect(code).toBe(1);
    expect(out).toContain('fanout-dev-webhook-dlq');
    expect(out).toContain('fanout-dev-idempotency');
    expect(err).toContain('Nothing deleted');
    expect(err).toContain('fanout destroy --stage dev --region eu-west-1 --yes');
    expect(deletions()).toBe(0);
  });

  it('deletes nothing under a deployed stack, even with --yes', async () => {
    cloudformation.on(DescribeStacksCommand).resolves({
      Stacks: [{ StackName: 'fanout-dev', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date() }],
    });
    const { code, err } = await run('yes');
    expect(code).toBe(1);
    expect(err).toContain('npx serverless remove --stage dev --region eu-west-1');
    expect(deletions()).toBe(0);
  });

  it('deletes everything there with --yes once the stack is removed', async () => {
    cloudformation
      .on(DescribeStacksCommand)
      .rejects(
        Object.assign(named('ValidationError'), { message: 'Stack with id fanout-dev does not exist' }),
      );
    const { code, out } = await run('yes');
    expect(code).toBe(0);
    expect(out).toMatch(/queue .*fanout-dev-audit-queue .*deleted/);
    // Two DLQs, the audit queue, the dispatcher's failure queue, the table, and the claim-check bucket.
    expect(deletions()).toBe(5);
    expect(s3.commandCalls(DeleteBucketCommand).map((c) => c.args[0].input.Bucket)).toEqual([
      'fanout-dev-claimcheckbucket-0a1b2c3d4e5f',
    ]);
  });
});
