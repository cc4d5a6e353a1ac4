/**
 * The example stack deployed for real: `serverless deploy` of fanout.yml against moto's CloudFormation engine,
 * read back from the AWS APIs, operated with the project's own CLI, removed, and what it retained deleted on
 * purpose with `fanout destroy`. Expectations come from the parsed config and the generator (lib/deploy), so
 * they follow fanout.yml. What moto cannot do is listed in docs/deploy.md with what covers it instead.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, GetDashboardCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import {
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import {
  GetFunctionCommand,
  GetFunctionConcurrencyCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  ListFunctionsCommand,
} from '@aws-sdk/client-lambda';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { streamNameOf } from '../../lib/aws/arn.js';
import { ClientPool } from '../../lib/aws/clients.js';
import { main } from '../../lib/cli/main.js';
import { type FanoutConfig, loadConfigFile, type TargetConfig } from '../../lib/config/index.js';
import {
  buildStack,
  type DeployNames,
  dashboardName,
  dashboardUrl,
  deployNames,
  logicalIds,
  type RetainedResource,
  retainedResources,
  type Stack,
} from '../../lib/deploy/index.js';
import { metricsServiceName } from '../../lib/observability/telemetry.js';
import type { AwsPipelineStatus, ReplayReport, SourceReplayReport } from '../../lib/operate/index.js';
import { captureIo } from '../cli/support.js';
import { destinationRecordFactory, envelopeFactory } from '../operate/factories.js';
import {
  allowedActions,
  DUMMY_CREDENTIALS,
  functionNameOf,
  policyDocument,
  queueAttributes,
  resolveArn,
  resourcesOf,
  retainedExists,
  stackBucket,
} from './live-stack.js';
import { type MotoServer, motoUnavailable, startMoto } from './moto.js';
import { isolatedServiceDir, runServerless, SERVICE_DIR } from './support.js';

const STAGE = 'moto';
const CALLER_AWS_ENV = /^AWS_(ENDPOINT_URL.*|PROFILE|DEFAULT_PROFILE|SESSION_TOKEN|REGION|DEFAULT_REGION)$/;
const REGION = 'us-east-1';
const skipped = motoUnavailable();
if (skipped) console.warn(`deploy test skipped: ${skipped}`);

describe.skipIf(skipped !== undefined)(
  `deploy cycle of fanout.yml against moto${skipped ? ` (skipped: ${skipped})` : ''}`,
  // osls polls CloudFormation every few seconds; on a loaded machine a deploy or remove takes a while.
  { timeout: 120_000 },
  () => {
    let work: string;
    let configFile: string;
    let moto: MotoServer | undefined;
    let serviceDir: string;
    let config: FanoutConfig;
    let names: DeployNames;
    let stack: Stack;
    let retained: RetainedResource[];
    let clients: ClientPool;
    const osls = (command: string) =>
      runServerless([command, '--stage', STAGE, '--region', REGION], configFile, serviceDir, {
        AWS_ENDPOINT_URL: moto?.endpoint,
        AWS_REGION: REGION,
        ...DUMMY_CREDENTIALS,
      });
    /** The project's CLI, in this process (bin/fanout.js calls the same main), talking to moto. */
    const fanout = async (...args: string[]) => {
      const c = captureIo();
      const code = await main(['node', 'fanout', ...args, '--region', REGION, '--stage', STAGE], c.io);
      return { code, out: c.out.join('\n'), err: c.err.join('\n') };
    };
    const targetVia = (via: TargetConfig['via']): TargetConfig => {
      const target = config.targets.find((t) => t.via === via);
      if (!target)
        throw new Error(`fanout.yml has no target with via: ${via}; the deploy test operates one of each`);
      return target;
    };

    beforeAll(async () => {
      work = mkdtempSync(join(tmpdir(), 'fanout-moto-'));
      // A copy: `fanout concurrency` edits the file it is given.
      configFile = join(work, 'fanout.yml');
      copyFileSync(join(SERVICE_DIR, 'fanout.yml'), configFile);
      config = loadConfigFile(configFile, {});
      names = deployNames(config.service, STAGE, REGION);
      stack = buildStack(config, { stage: STAGE, region: REGION });
      retained = retainedResources(config, names);
      moto = await startMoto(work);
      // Nothing of the developer's own AWS set-up (profile, session, endpoints) may reach these calls.
      for (const name of Object.keys(process.env).filter((n) => CALLER_AWS_ENV.test(n))) {
        vi.stubEnv(name, undefined);
      }
      for (const [name, value] of Object.entries({ ...DUMMY_CREDENTIALS, AWS_ENDPOINT_URL: moto.endpoint })) {
        vi.stubEnv(name, value);
      }
      clients = new ClientPool({ region: REGION, maxAttempts: 3 });
      serviceDir = isolatedServiceDir(join(work, 'service'));
      const { code, output } = await osls('deploy');
      if (code !== 0)
        throw new Error(`serverless deploy failed (${code}):\n${output}\nmoto's last output:\n${moto.log()}`);
    }, 240_000);

    afterAll(async () => {
      await moto?.stop();
      vi.unstubAllEnvs();
      if (work) rmSync(work, { recursive: true, force: true });
    }, 30_000);

    it('creates every function with its handler, sizes, environment, own role and reserved concurrency', async () => {
      const lambda = clients.get(LambdaClient);
      const provider = (
        parse(readFileSync(join(SERVICE_DIR, 'serverless.yml'), 'utf8')) as {
          provider: { runtime: string };
        }
      ).provider;
      const listed = (await lambda.send(new ListFunctionsCommand({}))).Functions ?? [];
      expect(listed.map((f) => f.FunctionName).sort()).toEqual(
        Object.values(stack.functions)
          .map((f) => f.name)
          .sort(),
      );
      for (const fn of Object.values(stack.functions)) {
        const out = await lambda.send(new GetFunctionCommand({ FunctionName: fn.name }));
        expect(out.Configuration, fn.name).toMatchObject({
          Handler: fn.handler,
          MemorySize: fn.memorySize,
          Timeout: fn.timeout,
          Runtime: provider.runtime,
          // Not Architectures: moto ignores it (x86_64 always; docs/deploy.md).
        });
        const literals = Object.entries(fn.environment).filter(([, v]) => typeof v === 'string');
        expect(out.Configuration?.Environment?.Variables).toMatchObject(Object.fromEntries(literals));
        const role = String(stack.resources[fn.role]?.Properties.RoleName);
        expect(out.Configuration?.Role).toBe(
          (await clients.get(IAMClient).send(new GetRoleCommand({ RoleName: role }))).Role?.Arn,
        );
        const reserved = await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: fn.name }));
        expect(reserved.ReservedConcurrentExecutions, `${fn.name} reserved concurrency`).toBe(
          fn.reservedConcurrency,
        );
      }
    });

    it('maps the stream to the dispatcher and each queue to its worker, with every setting and on-failure queue', async () => {
      const mappings = resourcesOf(stack.resources, 'AWS::Lambda::EventSourceMapping');
      expect(mappings.length).toBe(1 + config.targets.filter((t) => t.via === 'queue').length);
      for (const [id, mapping] of mappings) {
        const { FunctionName, EventSourceArn, Enabled, DestinationConfig, ...settings } = mapping.Properties;
        const functionName = functionNameOf(stack, (FunctionName as { Ref: string }).Ref);
        const live =
          (
            await clients
              .get(LambdaClient)
              .send(new ListEventSourceMappingsCommand({ FunctionName: functionName }))
          ).EventSourceMappings ?? [];
        expect(live, `${id}: mappings of ${functionName}`).toHaveLength(1);
        expect(live[0], id).toMatchObject({
          ...settings,
          EventSourceArn: await resolveArn(EventSourceArn, stack.resources, clients),
          State: Enabled ? 'Enabled' : 'Disabled',
        });
        const onFailure = (DestinationConfig as { OnFailure?: { Destination: unknown } } | undefined)
          ?.OnFailure;
        expect(live[0]?.DestinationConfig?.OnFailure?.Destination, `${id} on-failure`).toBe(
          onFailure ? await resolveArn(onFailure.Destination, stack.resources, clients) : undefined,
        );
      }
    });

    it('creates every queue with its retention, visibility, size limit and redrive to its DLQ', async () => {
      const queues = resourcesOf(stack.resources, 'AWS::SQS::Queue');
      expect(queues.length).toBe(retained.filter((r) => r.kind === 'queue').length);
      for (const [id, queue] of queues) {
        const p = queue.Properties;
        const live = await queueAttributes(clients.get(SQSClient), String(p.QueueName));
        expect(live, id).toMatchObject({
          MessageRetentionPeriod: String(p.MessageRetentionPeriod),
          MaximumMessageSize: String(p.MaximumMessageSize),
          ...(p.VisibilityTimeout !== undefined ? { VisibilityTimeout: String(p.VisibilityTimeout) } : {}),
          ...(p.FifoQueue ? { FifoQueue: 'true' } : {}),
        });
        const redrive = p.RedrivePolicy as
          | { deadLetterTargetArn: unknown; maxReceiveCount: number }
          | undefined;
        const liveRedrive = live.RedrivePolicy ? JSON.parse(live.RedrivePolicy) : undefined;
        expect(
          liveRedrive && { ...liveRedrive, maxReceiveCount: Number(liveRedrive.maxReceiveCount) },
          id,
        ).toEqual(
          redrive && {
            deadLetterTargetArn: await resolveArn(redrive.deadLetterTargetArn, stack.resources, clients),
            maxReceiveCount: redrive.maxReceiveCount,
          },
        );
      }
    });

    it("creates the idempotency table with the generator's key schema, on demand", async () => {
      const p = stack.resources[logicalIds.idempotencyTable]?.Properties ?? {};
      const dynamodb = clients.get(DynamoDBClient);
      const table = (await dynamodb.send(new DescribeTableCommand({ TableName: String(p.TableName) }))).Table;
      const byName = (a: { AttributeName?: string }, b: { AttributeName?: string }) =>
        String(a.AttributeName).localeCompare(String(b.AttributeName));
      expect(table?.KeySchema).toEqual(p.KeySchema);
      expect([...(table?.AttributeDefinitions ?? [])].sort(byName)).toEqual(
        [...(p.AttributeDefinitions as Array<{ AttributeName: string }>)].sort(byName),
      );
      expect(table?.BillingModeSummary?.BillingMode).toBe(p.BillingMode);
      // Not its TTL: moto's CloudFormation does not apply TimeToLiveSpecification (docs/deploy.md).
    });

    it('creates the source stream and one role per function allowing exactly the actions of the template', async () => {
      if (config.source.create) {
        const p = stack.resources[logicalIds.sourceStream]?.Properties ?? {};
        const out = await clients
          .get(KinesisClient)
          .send(new DescribeStreamSummaryCommand({ StreamName: String(p.Name) }));
        expect(out.StreamDescriptionSummary).toMatchObject({
          OpenShardCount: p.ShardCount,
          RetentionPeriodHours: p.RetentionPeriodHours,
          // Not EncryptionType: moto's CloudFormation ignores StreamEncryption (docs/deploy.md).
        });
      }
      const iam = clients.get(IAMClient);
      const roles = resourcesOf(stack.resources, 'AWS::IAM::Role');
      expect(roles.length).toBe(Object.keys(stack.functions).length);
      for (const [id, role] of roles) {
        const RoleName = String(role.Properties.RoleName);
        const policies = role.Properties.Policies as Array<{ PolicyName: string; PolicyDocument: unknown }>;
        expect((await iam.send(new ListRolePoliciesCommand({ RoleName }))).PolicyNames, id).toEqual(
          policies.map((p) => p.PolicyName),
        );
        for (const policy of policies) {
          const live = await iam.send(new GetRolePolicyCommand({ RoleName, PolicyName: policy.PolicyName }));
          const document = policyDocument(live.PolicyDocument ?? '');
          expect(allowedActions(document), `${id} ${policy.PolicyName}`).toEqual(
            allowedActions(policy.PolicyDocument),
          );
        }
      }
    });

    it('creates the dashboard with a row per target and a log group per function', async () => {
      const out = await clients
        .get(CloudWatchClient)
        .send(new GetDashboardCommand({ DashboardName: dashboardName(names.prefix) }));
      const body = out.DashboardBody ?? '';
      expect(body).not.toContain('${');
      const metrics = (
        JSON.parse(body) as { widgets: Array<{ properties: { metrics?: unknown[][] } }> }
      ).widgets.flatMap((w) => w.properties.metrics ?? []);
      for (const t of config.targets) {
        expect(metrics, t.name).toContainEqual(
          expect.arrayContaining([
            'RecordsDelivered',
            'service',
            metricsServiceName(names.prefix, t.name),
            'target',
            t.name,
          ]),
        );
        expect(metrics, t.name).toContainEqual(expect.arrayContaining(['AWS/SQS', names.targetDlq(t)]));
      }
      const logs = clients.get(CloudWatchLogsClient);
      const retention = (
        parse(readFileSync(join(SERVICE_DIR, 'serverless.yml'), 'utf8')) as {
          provider: { logRetentionInDays: number };
        }
      ).provider.logRetentionInDays;
      for (const group of retained.filter((r) => r.kind === 'log group')) {
        const found = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group.name })))
          .logGroups;
        expect(found?.find((g) => g.logGroupName === group.name)?.retentionInDays, group.name).toBe(
          retention,
        );
      }
    });

    it('fanout status --json reads the live stack: concurrency as configured, empty queues, the dashboard', async () => {
      const { code, out, err } = await fanout('status', '--json', '-c', configFile);
      expect(code, err).toBe(0);
      const status = JSON.parse(out) as AwsPipelineStatus;
      expect(status).toMatchObject({
        mode: 'aws',
        stage: STAGE,
        region: REGION,
        problems: [],
        dashboard: {
          name: dashboardName(names.prefix),
          url: dashboardUrl(REGION, dashboardName(names.prefix)),
        },
      });
      expect(status.targets.map((t) => [t.name, t.concurrency.live, t.dlqMessages])).toEqual(
        config.targets.map((t) => [t.name, t.concurrency, 0]),
      );
    });

    it('fanout concurrency <target> 7 --apply changes the live setting of an invoke and of a queue target', async () => {
      for (const target of [targetVia('invoke'), targetVia('queue')]) {
        const { code, out, err } = await fanout('concurrency', target.name, '7', '--apply', '-c', configFile);
        expect(code, err).toBe(0);
        expect(out).toMatch(/live \[aws, stage moto\]: .* -> 7/);
      }
      const lambda = clients.get(LambdaClient);
      const invoked = names.workerFunction(targetVia('invoke').name);
      expect(
        (await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: invoked })))
          .ReservedConcurrentExecutions,
      ).toBe(7);
      const polled = names.workerFunction(targetVia('queue').name);
      const [mapping] =
        (await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: polled })))
          .EventSourceMappings ?? [];
      expect(mapping?.ScalingConfig?.MaximumConcurrency).toBe(7);
      const edited = loadConfigFile(configFile, {});
      expect(edited.targets.filter((t) => t.concurrency === 7).map((t) => t.name)).toEqual(
        expect.arrayContaining([targetVia('invoke').name, targetVia('queue').name]),
      );
    });

    it('fanout replay <target> --dry-run classifies a dead-lettered envelope and leaves it in the DLQ', async () => {
      const target = targetVia('invoke');
      const dlq = names.targetDlq(target);
      const sqs = clients.get(SQSClient);
      const url = (await sqs.send(new GetQueueUrlCommand({ QueueName: dlq }))).QueueUrl;
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: url,
          MessageBody: destinationRecordFactory(envelopeFactory(target.name, 3)),
          ...(dlq.endsWith('.fifo') ? { MessageGroupId: 'g', MessageDeduplicationId: 'd' } : {}),
        }),
      );
      const { code, out, err } = await fanout('replay', target.name, '--dry-run', '--json', '-c', configFile);
      expect(code, err).toBe(0);
      expect(JSON.parse(out) as ReplayReport).toMatchObject({
        target: target.name,
        dlq,
        dryRun: true,
        messages: { 'would-replay': 1, replayed: 0 },
        records: { wouldReplay: 3 },
        leftInPlace: 1,
      });
    });

    it('fanout replay --source --dry-run re-reads a failed batch from the stream for every target', async () => {
      const stream = streamNameOf(config.source.stream);
      const produced = await fanout('produce', '--stream', stream, '--count', '3');
      expect(produced.code, produced.err).toBe(0);
      const kinesis = clients.get(KinesisClient);
      const [shard] = (await kinesis.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? [];
      const iterator = await kinesis.send(
        new GetShardIteratorCommand({
          StreamName: stream,
          ShardId: shard?.ShardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      const records =
        (await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator.ShardIterator }))).Records ?? [];
      expect(records).toHaveLength(3);
      const streamArn = (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream })))
        .StreamDescriptionSummary?.StreamARN;
      const sqs = clients.get(SQSClient);
      const failures = (await sqs.send(new GetQueueUrlCommand({ QueueName: names.dispatcherFailureQueue() })))
        .QueueUrl;
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: failures,
          // What Lambda sends the dispatcher's on-failure queue: the shard and sequence range, not the records.
          MessageBody: JSON.stringify({
            requestContext: {
              requestId: 'r',
              functionArn: names.dispatcherFunction(),
              condition: 'RetryAttemptsExhausted',
              approximateInvokeCount: 1,
            },
            version: '1.0',
            timestamp: new Date().toISOString(),
            KinesisBatchInfo: {
              shardId: shard?.ShardId,
              startSequenceNumber: records[0]?.SequenceNumber,
              endSequenceNumber: records[2]?.SequenceNumber,
              batchSize: 3,
              streamArn,
            },
          }),
        }),
      );
      const { code, out, err } = await fanout('replay', '--source', '--dry-run', '--json', '-c', configFile);
      expect(code, err).toBe(0);
      const report = JSON.parse(out) as SourceReplayReport;
      expect(report).toMatchObject({
        dryRun: true,
        recordsRead: 3,
        batches: { 'would-redispatch': 1 },
        leftInPlace: 1,
      });
      const unfiltered = config.targets.filter((t) => t.enabled && !t.filter).map((t) => t.name);
      expect(report.targets.filter((t) => unfiltered.includes(t.target))).toEqual(
        unfiltered.map((target) =>
          expect.objectContaining({ target, alreadyDelivered: 0, routed: 3, handedOff: 0 }),
        ),
      );

      const status = JSON.parse(
        (await fanout('status', '--json', '-c', configFile)).out,
      ) as AwsPipelineStatus;
      expect(status.source.failureQueueMessages).toBe(1);
      expect(status.targets.find((t) => t.name === targetVia('invoke').name)?.dlqMessages).toBe(1);
    });

    it('serverless remove deletes the stack and keeps every retained resource, dead letters included', async () => {
      const refused = await fanout('destroy', '--yes', '-c', configFile);
      expect(refused.code).toBe(1);
      expect(refused.err).toContain('npx serverless remove');

      const { code, output } = await osls('remove');
      expect(code, output).toBe(0);
      await expect(
        clients.get(CloudFormationClient).send(new DescribeStacksCommand({ StackName: names.prefix })),
      ).rejects.toThrow(/does not exist/);
      expect((await clients.get(LambdaClient).send(new ListFunctionsCommand({}))).Functions ?? []).toEqual(
        [],
      );
      for (const resource of retained) {
        expect(
          await retainedExists(resource, names.prefix, clients),
          `${resource.kind} ${resource.logicalId}`,
        ).toBe(true);
      }
      const dlq = await queueAttributes(clients.get(SQSClient), names.targetDlq(targetVia('invoke')));
      expect(dlq.ApproximateNumberOfMessages).toBe('1');
    });

    it('fanout destroy lists what is retained, deletes nothing without --yes, and everything with it', async () => {
      const preview = await fanout('destroy', '--json', '-c', configFile);
      expect(preview.code).toBe(1);
      expect(preview.err).toContain(`fanout destroy --stage ${STAGE} --region ${REGION} --yes`);
      const plan = JSON.parse(preview.out) as {
        deleted: boolean;
        resources: Array<{ logicalId: string; state: string }>;
      };
      expect(plan.resources).toEqual(
        retained.map((r) => expect.objectContaining({ logicalId: r.logicalId, state: 'exists' })),
      );
      for (const resource of retained)
        expect(await retainedExists(resource, names.prefix, clients)).toBe(true);
      // A bucket is deleted only empty: leave a claim-checked record in the stack's bucket, if it has one.
      for (const resource of retained.filter((r) => r.kind === 'bucket')) {
        const Bucket = await stackBucket(resource, names.prefix, clients);
        await clients
          .get(S3Client)
          .send(new PutObjectCommand({ Bucket, Key: `${names.prefix}/record`, Body: 'data' }));
      }

      const done = await fanout('destroy', '--yes', '--json', '-c', configFile);
      expect(done.code, `${done.out}\n${done.err}`).toBe(0);
      const results = (JSON.parse(done.out) as { results: Array<{ outcome: string }> }).results;
      expect(results.map((r) => r.outcome)).toEqual(retained.map(() => 'deleted'));
      for (const resource of retained) {
        expect(
          await retainedExists(resource, names.prefix, clients),
          `${resource.kind} ${resource.logicalId}`,
        ).toBe(false);
      }
      expect((await fanout('destroy', '-c', configFile)).code).toBe(0);
    });
  },
);
