/**
 * Packages the example config (fanout.yml) and a larger one (fixtures/large.yml) with the real osls CLI,
 * offline, and checks the CloudFormation template it writes: every resource the issue asks for, the IAM
 * scoping, and every property against CloudFormation's resource schemas.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type FanoutConfig, idempotencyModeOf } from '../../lib/config/index.js';
import type { BundleSize } from '../../lib/deploy/bundle-report.js';
import { DASHBOARD_LOGICAL_ID } from '../../lib/deploy/dashboard.js';
import { deployNames } from '../../lib/deploy/names.js';
import { retainedResources } from '../../lib/deploy/retained.js';
import { DURATIONS, METRICS, metricsServiceName } from '../../lib/observability/telemetry.js';
import { cfnLint } from './cfn-lint.js';
import { type CfnSpec, checkTemplate, loadCfnSpec } from './cfn-schema.js';
import { DESTINATION_GRANTS, expectedDispatcher, expectedWorker, permissionsOf } from './iam-expectations.js';
import { cfnLintUnavailable } from './moto.js';
import {
  arnOf,
  fixture,
  id,
  loadFixtureConfig,
  type Packaged,
  packageService,
  readZip,
  resource,
  resourcesOfType,
  SERVICE_DIR,
} from './support.js';

const STAGE = 'test';
/**
 * Informational cfn-lint findings left as they are, each listed with its reason in docs/deploy.md. I1022: osls
 * writes its deployment bucket's policy with Fn::Join and an empty delimiter.
 */
const ACCEPTED_LINT_FINDINGS = [{ rule: 'I1022', resource: 'ServerlessDeploymentBucketPolicy' }];
/** Types of resources that hold records or delivery history. */
const DATA_TYPES = [
  'AWS::SQS::Queue',
  'AWS::DynamoDB::Table',
  'AWS::Kinesis::Stream',
  'AWS::S3::Bucket',
  'AWS::Logs::LogGroup',
];
const lintSkipped = cfnLintUnavailable();
if (lintSkipped) console.warn(`cfn-lint check skipped: ${lintSkipped}`);
const REGION = 'us-east-1';
const CASES = [
  { label: 'example config (fanout.yml)', file: join(SERVICE_DIR, 'fanout.yml') },
  { label: 'larger config (fixtures/large.yml)', file: fixture('large.yml') },
];

const tmp = mkdtempSync(join(tmpdir(), 'fanout-deploy-'));
const packaged = new Map<string, Packaged>();
let spec: CfnSpec;

beforeAll(async () => {
  const [loaded] = await Promise.all([
    loadCfnSpec(),
    ...CASES.map(async (c, i) => {
      packaged.set(c.file, await packageService(c.file, STAGE, join(tmp, `case-${i}`)));
    }),
  ]);
  spec = loaded;
}, 120_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.each(CASES)('serverless package of the $label', ({ file }) => {
  const config: FanoutConfig = loadFixtureConfig(file);
  const names = deployNames(config.service, STAGE, REGION);
  const get = () => packaged.get(file)!;
  const template = () => get().template;

  it("conforms to CloudFormation's resource schemas (names, types, required properties, references)", () => {
    expect(checkTemplate(spec, template())).toEqual([]);
  });

  it('reads the source stream with every setting of `source` in the event source mapping', () => {
    const { source } = config;
    const mapping = resource(template(), 'DispatcherKinesisEventSourceMapping').Properties;
    expect(mapping).toMatchObject({
      FunctionName: { Ref: 'DispatcherLambdaFunction' },
      BatchSize: source.batchSize,
      MaximumBatchingWindowInSeconds: source.batchWindow,
      ParallelizationFactor: source.parallelizationFactor,
      StartingPosition: source.startingPosition,
      MaximumRetryAttempts: source.maxRetryAttempts,
      MaximumRecordAgeInSeconds: source.maxRecordAge,
      BisectBatchOnFunctionError: source.bisectOnError,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: arnOf('DispatcherFailureQueue') } },
    });
    expect(mapping.StartingPositionTimestamp).toBe(source.startingPositionTimestamp);
    expect(mapping.EventSourceArn).toEqual(
      source.enhancedFanOut
        ? { 'Fn::GetAtt': ['SourceStreamConsumer', 'ConsumerARN'] }
        : source.create
          ? arnOf('SourceStream')
          : source.stream,
    );
    const streams = resourcesOfType(template(), 'AWS::Kinesis::Stream');
    if (source.create) {
      expect(resource(template(), 'SourceStream').Properties).toMatchObject({
        Name: source.stream,
        ShardCount: source.shards,
        RetentionPeriodHours: source.retentionHours,
        StreamEncryption: { EncryptionType: 'KMS' },
      });
    } else {
      expect(streams).toEqual([]);
    }
    const consumers = resourcesOfType(template(), 'AWS::Kinesis::StreamConsumer');
    expect(consumers.map(([, r]) => r.Properties)).toEqual(
      source.enhancedFanOut ? [{ ConsumerName: names.sourceConsumer(), StreamARN: source.stream }] : [],
    );
  });

  it('gives every function its own role, handler, sizes and the function environment contract', () => {
    const functions = resourcesOfType(template(), 'AWS::Lambda::Function');
    expect(functions).toHaveLength(config.targets.length + 1);
    expect(template().Resources.IamRoleLambdaExecution).toBeUndefined();
    const dispatcher = resource(template(), 'DispatcherLambdaFunction').Properties;
    expect(dispatcher).toMatchObject({
      FunctionName: names.dispatcherFunction(),
      Handler: 'functions/dispatcher.handler',
      Runtime: 'nodejs22.x',
      MemorySize: config.dispatcher.memory,
      Timeout: config.dispatcher.timeout,
      Role: arnOf('DispatcherRole'),
    });
    expect(dispatcher.Environment).toEqual({
      Variables: {
        FANOUT_STAGE: STAGE,
        FANOUT_IDEMPOTENCY_TABLE: names.idempotencyTable(),
        POWERTOOLS_SERVICE_NAME: config.service,
        POWERTOOLS_METRICS_NAMESPACE: 'KinesisFanout',
        NODE_OPTIONS: '--enable-source-maps',
        // The claim check is on by default: the stack's own bucket, named at deploy time.
        FANOUT_CLAIM_CHECK_BUCKET: { Ref: 'ClaimCheckBucket' },
      },
    });
    for (const target of config.targets) {
      const worker = resource(template(), `${id(target.name)}DashworkerLambdaFunction`).Properties;
      expect(worker).toMatchObject({
        FunctionName: names.workerFunction(target.name),
        Handler: 'functions/worker.handler',
        Runtime: 'nodejs22.x',
        MemorySize: target.memory,
        Timeout: target.timeout,
        Role: arnOf(`Target${id(target.name)}WorkerRole`),
        Environment: { Variables: { FANOUT_TARGET: target.name, FANOUT_STAGE: STAGE } },
      });
      // Reserved concurrency caps an invoked worker; a queue's worker is capped by its event source mapping.
      expect(worker.ReservedConcurrentExecutions).toBe(
        target.via === 'invoke' ? target.concurrency : undefined,
      );
    }
  });

  it('bounds async retries of `via: invoke` workers and dead-letters to the target DLQ', () => {
    const invoked = config.targets.filter((t) => t.via === 'invoke');
    expect(resourcesOfType(template(), 'AWS::Lambda::EventInvokeConfig')).toHaveLength(invoked.length);
    for (const target of invoked) {
      expect(resource(template(), `Target${id(target.name)}EventInvokeConfig`).Properties).toEqual({
        FunctionName: { Ref: `${id(target.name)}DashworkerLambdaFunction` },
        Qualifier: '$LATEST',
        MaximumRetryAttempts: target.retries,
        MaximumEventAgeInSeconds: target.maxEventAge,
        DestinationConfig: { OnFailure: { Destination: arnOf(`Target${id(target.name)}Dlq`) } },
      });
    }
  });

  it('gives `via: queue` targets a queue that redrives to the DLQ and an SQS event source mapping', () => {
    for (const target of config.targets.filter((t) => t.via === 'queue')) {
      const queue = resource(template(), `Target${id(target.name)}Queue`).Properties;
      expect(queue.QueueName).toBe(names.targetQueue(target));
      // An ordered target's queue is FIFO, in high-throughput mode (deduplication and quota per message group).
      expect(queue.FifoQueue ?? false, target.name).toBe(target.ordered);
      if (target.ordered) {
        expect(queue).toMatchObject({
          DeduplicationScope: 'messageGroup',
          FifoThroughputLimit: 'perMessageGroupId',
        });
      }
      expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * target.timeout);
      expect(queue.RedrivePolicy).toEqual({
        deadLetterTargetArn: arnOf(`Target${id(target.name)}Dlq`),
        maxReceiveCount: target.retries + 1,
      });
      expect(queue.SqsManagedSseEnabled).toBe(true);
      const mapping = resource(template(), `Target${id(target.name)}QueueEventSourceMapping`).Properties;
      expect(mapping).toMatchObject({
        EventSourceArn: arnOf(`Target${id(target.name)}Queue`),
        FunctionName: { Ref: `${id(target.name)}DashworkerLambdaFunction` },
        BatchSize: target.batchSize,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: target.concurrency },
      });
      // Lambda refuses an SQS batch above 10 without a batching window.
      if (target.batchSize > 10) expect(mapping.MaximumBatchingWindowInSeconds).toBeGreaterThanOrEqual(1);
    }
  });

  it('keeps dead letters 14 days, encrypted, and the idempotency keys in an on-demand table with TTL', () => {
    const dlqs = [
      ['DispatcherFailureQueue', names.dispatcherFailureQueue()],
      ...config.targets.map((t) => [`Target${id(t.name)}Dlq`, names.targetDlq(t)]),
    ];
    for (const [logicalId, name] of dlqs) {
      expect(resource(template(), logicalId!).Properties).toMatchObject({
        QueueName: name,
        MessageRetentionPeriod: 14 * 24 * 3600,
        SqsManagedSseEnabled: true,
      });
    }
    expect(resource(template(), 'IdempotencyTable').Properties).toEqual({
      TableName: names.idempotencyTable(),
      BillingMode: 'PAY_PER_REQUEST',
      // The ledger's pages: one partition per (target, stream, shard), a page per sort key.
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });

  it('encrypts every queue, stream and table of the template at rest, whatever created it', () => {
    const queues = resourcesOfType(template(), 'AWS::SQS::Queue');
    expect(queues.length).toBeGreaterThan(config.targets.length);
    for (const [logicalId, queue] of queues) {
      expect(
        queue.Properties.SqsManagedSseEnabled ?? queue.Properties.KmsMasterKeyId,
        logicalId,
      ).toBeTruthy();
    }
    for (const [logicalId, stream] of resourcesOfType(template(), 'AWS::Kinesis::Stream')) {
      expect(stream.Properties.StreamEncryption, logicalId).toEqual({
        EncryptionType: 'KMS',
        KeyId: 'alias/aws/kinesis',
      });
    }
    const tables = resourcesOfType(template(), 'AWS::DynamoDB::Table');
    expect(tables).toHaveLength(1);
    for (const [logicalId, table] of tables) {
      expect(table.Properties.SSESpecification, logicalId).toEqual({ SSEEnabled: true });
    }
  });

  it('grants each role exactly what the issue allows, and no data-plane action on "*"', () => {
    const roles = resourcesOfType(template(), 'AWS::IAM::Role');
    expect(roles).toHaveLength(config.targets.length + 1);
    for (const [, role] of roles) {
      for (const [action, resources] of Object.entries(permissionsOf(role))) {
        expect(action).not.toContain('*');
        expect(resources, action).not.toContain('"*"');
      }
    }
    expect(permissionsOf(resource(template(), 'DispatcherRole'))).toEqual(expectedDispatcher(config, names));
    for (const target of config.targets) {
      const grant = DESTINATION_GRANTS[target.name];
      if (!grant) throw new Error(`the test has no destination grant for target ${target.name}`);
      const role = resource(template(), `Target${id(target.name)}WorkerRole`);
      expect(role.Properties.RoleName).toBe(names.workerRole(target.name));
      expect(permissionsOf(role), target.name).toEqual(expectedWorker(target, names, grant, config));
    }
  });

  it('only workers of `store` targets may touch the idempotency table', () => {
    for (const target of config.targets) {
      const permissions = permissionsOf(resource(template(), `Target${id(target.name)}WorkerRole`));
      expect('dynamodb:PutItem' in permissions, target.name).toBe(idempotencyModeOf(target) === 'store');
    }
  });

  it('alarms on iterator age, every DLQ, and worker errors and throttles', () => {
    const alarms = resourcesOfType(template(), 'AWS::CloudWatch::Alarm').map(([, r]) => r.Properties);
    const find = (metric: string, dimension: string) =>
      alarms.filter(
        (a) => a.MetricName === metric && JSON.stringify(a.Dimensions).includes(`"${dimension}"`),
      );
    expect(find('IteratorAge', names.dispatcherFunction())).toHaveLength(1);
    for (const queue of [names.dispatcherFailureQueue(), ...config.targets.map((t) => names.targetDlq(t))]) {
      const [alarm] = find('ApproximateNumberOfMessagesVisible', queue);
      expect(alarm, queue).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    }
    for (const target of config.targets) {
      expect(find('Errors', names.workerFunction(target.name))).toHaveLength(1);
      expect(find('Throttles', names.workerFunction(target.name))).toHaveLength(1);
    }
  });

  it('outputs the stream, the functions, the queues and the table', () => {
    const outputs = template().Outputs;
    for (const key of [
      'SourceStreamName',
      'SourceStreamArn',
      'DispatcherFunctionArn',
      'DispatcherFailureQueueUrl',
    ]) {
      expect(outputs[key], key).toBeDefined();
    }
    expect(outputs.IdempotencyTableName?.Value).toEqual({ Ref: 'IdempotencyTable' });
    for (const target of config.targets) {
      const prefix = `Target${id(target.name)}`;
      expect(outputs[`${prefix}WorkerFunctionArn`]?.Value).toEqual(
        arnOf(`${id(target.name)}DashworkerLambdaFunction`),
      );
      expect(outputs[`${prefix}DlqUrl`]?.Value).toEqual({ Ref: `${prefix}Dlq` });
      expect(outputs[`${prefix}QueueUrl`] !== undefined).toBe(target.via === 'queue');
    }
  });

  it('bundles each function separately, minified, with a source map and the config compiled in', () => {
    const { dir } = get();
    const sizes = JSON.parse(readFileSync(join(dir, 'bundle-sizes.json'), 'utf8')) as BundleSize[];
    expect(sizes.map((s) => s.function).sort()).toEqual(
      ['dispatcher', ...config.targets.map((t) => `${t.name}-worker`)].sort(),
    );
    // The config document as JSON: the literal esbuild puts in place of process.env.FANOUT_CONFIG_JSON.
    const configJson = JSON.stringify(parse(readFileSync(file, 'utf8')));
    for (const size of sizes) {
      const zip = readZip(join(dir, `${size.function}.zip`));
      const handler = size.function === 'dispatcher' ? 'functions/dispatcher' : 'functions/worker';
      expect(zip.entries.map((e) => e.name).sort()).toEqual([`${handler}.mjs`, `${handler}.mjs.map`]);
      const code = zip.file(`${handler}.mjs`);
      expect(code.length / code.split('\n').length, 'average line length of minified code').toBeGreaterThan(
        500,
      );
      expect(code).toContain(configJson);
      expect(JSON.parse(zip.file(`${handler}.mjs.map`)).version).toBe(3);
      expect(size.codeBytes).toBe(Buffer.byteLength(code));
    }
  });
  it.skipIf(lintSkipped !== undefined)(
    `passes cfn-lint: no error, no warning, only the informational findings docs/deploy.md explains${lintSkipped ? ` (skipped: ${lintSkipped})` : ''}`,
    async () => {
      const findings = await cfnLint(join(get().dir, 'cloudformation-template-update-stack.json'));
      expect(findings.filter((f) => f.level !== 'Informational')).toEqual([]);
      const unexplained = findings.filter(
        (f) => !ACCEPTED_LINT_FINDINGS.some((a) => a.rule === f.rule && a.resource === f.resource),
      );
      expect(unexplained).toEqual([]);
      const docs = readFileSync(join(SERVICE_DIR, 'docs/deploy.md'), 'utf8');
      for (const { rule } of ACCEPTED_LINT_FINDINGS) {
        expect(docs.includes(rule), `docs/deploy.md explains ${rule}`).toBe(true);
      }
    },
    120_000,
  );

  it('retains every resource that holds records or delivery history: exactly what fanout destroy deletes', () => {
    const retainedIds = retainedResources(config, names)
      .map((r) => r.logicalId)
      .sort();
    const byPolicy = Object.entries(template().Resources)
      .filter(([, r]) => r.DeletionPolicy === 'Retain' && r.UpdateReplacePolicy === 'Retain')
      .map(([logicalId]) => logicalId)
      .sort();
    expect(byPolicy).toEqual(retainedIds);
    const dataHolding = Object.entries(template().Resources)
      .filter(([logicalId, r]) => DATA_TYPES.includes(r.Type) && logicalId !== 'ServerlessDeploymentBucket')
      .map(([logicalId]) => logicalId)
      .sort();
    expect(dataHolding).toEqual(retainedIds);
    // osls's deployment bucket holds only the packaged artifacts; `serverless remove` empties and deletes it.
    expect(resource(template(), 'ServerlessDeploymentBucket').DeletionPolicy).toBeUndefined();
  });

  it('has a dashboard <service>-<stage>: the alarms, the dispatcher, and a row per target', () => {
    const dashboard = resource(template(), DASHBOARD_LOGICAL_ID);
    expect(dashboard.Properties.DashboardName).toBe(names.prefix);
    const body = JSON.parse((dashboard.Properties.DashboardBody as { 'Fn::Sub': string })['Fn::Sub']) as {
      widgets: Array<{ type: string; properties: { alarms?: string[]; metrics?: unknown[][] } }>;
    };
    const alarms = body.widgets.flatMap((w) => w.properties.alarms ?? []);
    const alarmNames = resourcesOfType(template(), 'AWS::CloudWatch::Alarm').map(
      ([, a]) => a.Properties.AlarmName,
    );
    expect(alarms.map((arn) => arn.split(':alarm:')[1])).toEqual(alarmNames);
    const metrics = body.widgets.flatMap((w) => w.properties.metrics ?? []);
    const line = (...parts: unknown[]) => expect.arrayContaining(parts);
    const dispatcher = metricsServiceName(names.prefix);
    expect(metrics).toContainEqual(
      line('AWS/Lambda', 'IteratorAge', 'FunctionName', names.dispatcherFunction()),
    );
    expect(metrics).toContainEqual(
      line(DURATIONS.dispatch, 'service', dispatcher, expect.objectContaining({ stat: 'p99' })),
    );
    for (const t of config.targets) {
      const worker = ['service', metricsServiceName(names.prefix, t.name), 'target', t.name];
      expect(metrics).toContainEqual(line(METRICS.handoffFailures, 'service', dispatcher, 'target', t.name));
      for (const metric of [METRICS.delivered, METRICS.deliveryFailed, METRICS.duplicatesSkipped]) {
        expect(metrics, `${t.name} ${metric}`).toContainEqual(line(metric, ...worker));
      }
      for (const stat of ['p50', 'p99']) {
        expect(metrics).toContainEqual(
          line(DURATIONS.deliveryLatency, ...worker, expect.objectContaining({ stat })),
        );
      }
      for (const metric of ['ApproximateNumberOfMessagesVisible', 'ApproximateAgeOfOldestMessage']) {
        expect(metrics).toContainEqual(line('AWS/SQS', metric, 'QueueName', names.targetDlq(t)));
      }
    }
  });
});
