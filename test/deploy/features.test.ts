/**
 * The stack of the breadth features (fixtures/features.yml): FIFO queues of an ordered target, the claim-check
 * bucket, an assumed-role target, a cross-region one and a discovered one; each role's permissions action by
 * action, and the packaged template against CloudFormation's resource schemas.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config/index.js';
import { buildStack } from '../../lib/deploy/stack.js';
import { checkTemplate, loadCfnSpec } from './cfn-schema.js';
import { type Permissions, permissionsOf } from './iam-expectations.js';
import { arnOf, fixture, loadFixtureConfig, type Packaged, packageService, resource } from './support.js';

const WHERE = { stage: 'test', region: 'us-east-1' };
const config = loadFixtureConfig(fixture('features.yml'));
const { resources, functions, outputs } = buildStack(config, WHERE);
const key = (value: unknown): string => JSON.stringify(value);
const sub = (text: string) => ({ 'Fn::Sub': text });
const permissions = (logicalId: string): Permissions =>
  permissionsOf(resources[logicalId] as unknown as Parameters<typeof permissionsOf>[0]);
const CLAIMS = sub(`\${ClaimCheckBucket.Arn}/fanout-feat-test/*`);

describe('ordered target', () => {
  it('hands off through a FIFO queue that redrives to a FIFO DLQ', () => {
    expect(resources.TargetLedgerQueue?.Properties).toMatchObject({
      QueueName: 'fanout-feat-test-ledger-queue.fifo',
      FifoQueue: true,
      ContentBasedDeduplication: false,
      RedrivePolicy: { deadLetterTargetArn: arnOf('TargetLedgerDlq'), maxReceiveCount: 5 },
    });
    expect(resources.TargetLedgerDlq?.Properties).toMatchObject({
      QueueName: 'fanout-feat-test-ledger-dlq.fifo',
      FifoQueue: true,
    });
    const mapping = resources.TargetLedgerQueueEventSourceMapping?.Properties;
    expect(mapping).toMatchObject({ BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'] });
    // Lambda refuses a batching window on a FIFO queue.
    expect(mapping?.MaximumBatchingWindowInSeconds).toBeUndefined();
    expect(resources.TargetLedgerDlqAlarm?.Properties.Dimensions).toEqual([
      { Name: 'QueueName', Value: 'fanout-feat-test-ledger-dlq.fifo' },
    ]);
  });
});

describe('claim check', () => {
  it('creates an encrypted, private, TLS-only bucket whose objects expire, and tells the functions its name', () => {
    expect(resources.ClaimCheckBucket?.Properties).toEqual({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      LifecycleConfiguration: {
        Rules: [
          {
            Id: 'expire-claim-checks',
            Status: 'Enabled',
            Prefix: 'fanout-feat-test/',
            ExpirationInDays: 10,
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          },
        ],
      },
    });
    expect(key(resources.ClaimCheckBucketPolicy?.Properties)).toContain('"aws:SecureTransport":"false"');
    for (const fn of Object.values(functions)) {
      expect(fn.environment.FANOUT_CLAIM_CHECK_BUCKET, fn.name).toEqual({ Ref: 'ClaimCheckBucket' });
    }
    expect(outputs.ClaimCheckBucketName?.Value).toEqual({ Ref: 'ClaimCheckBucket' });
  });

  it('with a bucket of the user’s, creates none and grants only this stack’s prefix of it', () => {
    const own = parseConfig({
      ...config,
      targets: config.targets.filter((t) => t.name !== 'discovered'),
      claimCheck: { bucket: 'shared-claims' },
      discover: undefined,
    });
    const stack = buildStack(own, WHERE);
    expect(stack.resources.ClaimCheckBucket).toBeUndefined();
    expect(stack.functions.dispatcher?.environment.FANOUT_CLAIM_CHECK_BUCKET).toBeUndefined();
    expect(key(stack.resources.DispatcherRole)).toContain(
      key(sub(`arn:\${AWS::Partition}:s3:::shared-claims/fanout-feat-test/*`)),
    );
  });
});

describe('roles', () => {
  it('lets the dispatcher store claim checks and list streams, and nothing more than before', () => {
    const dispatcher = permissions('DispatcherRole');
    expect(dispatcher['s3:PutObject']).toEqual([key(CLAIMS)]);
    expect(dispatcher['kinesis:ListStreams']).toEqual([key('*')]);
    // ListStreams is the one action on "*": IAM has no resource type for it.
    const onStar = Object.entries(dispatcher).filter(([, r]) => r.includes(key('*')));
    expect(onStar.map(([action]) => action)).toEqual(['kinesis:ListStreams']);
    expect(dispatcher['kinesis:PutRecords']).toBeUndefined();
  });

  it('lets the discovered worker put records on the prefix’s streams only', () => {
    const worker = permissions('TargetDiscoveredWorkerRole');
    expect(worker['kinesis:PutRecords']).toEqual([
      key(sub(`arn:\${AWS::Partition}:kinesis:\${AWS::Region}:\${AWS::AccountId}:stream/app-output-*`)),
    ]);
    expect(worker['s3:GetObject']).toEqual([key(CLAIMS)]);
  });

  it('lets a role target’s worker assume exactly that role, with no destination permission of its own', () => {
    const worker = permissions('TargetPartnerWorkerRole');
    expect(worker['sts:AssumeRole']).toEqual([key('arn:aws:iam::210987654321:role/fanout-writer')]);
    expect(worker['kinesis:PutRecords']).toBeUndefined();
    expect(Object.keys(worker).filter((a) => a.startsWith('kinesis:'))).toEqual([]);
  });

  it('scopes a cross-region target’s destination to its region', () => {
    expect(permissions('TargetReplicaWorkerRole')['kinesis:PutRecords']).toEqual([
      key(sub(`arn:\${AWS::Partition}:kinesis:us-west-2:\${AWS::AccountId}:stream/clicks-replica`)),
    ]);
    expect(permissions('TargetReplicaWorkerRole')['sts:AssumeRole']).toBeUndefined();
  });
});

describe('serverless package of fixtures/features.yml', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'fanout-features-'));
  let packaged: Packaged;
  beforeAll(async () => {
    packaged = await packageService(fixture('features.yml'), WHERE.stage, tmp);
  }, 120_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it("leaves no folder of serverless-esbuild's in the temporary directory (it fails to remove them itself)", () => {
    expect(readdirSync(packaged.tmp).filter((name) => /-\d+-\d+-[0-9a-f]{8}$/.test(name))).toEqual([]);
  });

  it("conforms to CloudFormation's resource schemas and carries the features' resources", async () => {
    const spec = await loadCfnSpec();
    expect(checkTemplate(spec, packaged.template)).toEqual([]);
    expect(resource(packaged.template, 'ClaimCheckBucket').Type).toBe('AWS::S3::Bucket');
    expect(resource(packaged.template, 'TargetLedgerQueue').Properties.FifoQueue).toBe(true);
    expect(resource(packaged.template, 'DiscoveredDashworkerLambdaFunction').Properties).toMatchObject({
      Environment: {
        Variables: { FANOUT_TARGET: 'discovered', FANOUT_CLAIM_CHECK_BUCKET: { Ref: 'ClaimCheckBucket' } },
      },
    });
  });
});
