/**
 * The permissions each role of the stack must have, written out from the rules (not from lib/deploy),
 * as a map from action to the resources it is allowed on. A role that may do more, or less, fails the test.
 */
import { type FanoutConfig, idempotencyModeOf, type TargetConfig } from '../../lib/config/index.js';
import type { DeployNames } from '../../lib/deploy/names.js';
import { id, type TemplateResource } from './support.js';

export type Permissions = Record<string, string[]>;

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

const sub = (text: string) => ({ 'Fn::Sub': text });
const arn = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });
const local = (service: string, resource: string) =>
  sub(`arn:\${AWS::Partition}:${service}:\${AWS::Region}:\${AWS::AccountId}:${resource}`);
const key = (value: unknown): string => JSON.stringify(value);

/** Action → sorted resources (as JSON) of a role's inline policies. */
export function permissionsOf(role: TemplateResource): Permissions {
  const permissions: Permissions = {};
  const policies = role.Properties.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }>;
  for (const policy of policies) {
    for (const statement of policy.PolicyDocument.Statement) {
      if (statement.Effect !== 'Allow') throw new Error(`unexpected ${statement.Effect} statement`);
      const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
      for (const action of [statement.Action].flat()) {
        permissions[action] = [...(permissions[action] ?? []), ...resources.map(key)].sort();
      }
    }
  }
  return permissions;
}

function grant(permissions: Permissions, actions: string[], resources: unknown[]): void {
  if (resources.length === 0) return;
  for (const action of actions) {
    permissions[action] = [...(permissions[action] ?? []), ...resources.map(key)].sort();
  }
}

const logGroup = (fn: string) => local('logs', `log-group:/aws/lambda/${fn}:*`);

export function expectedDispatcher(config: FanoutConfig, names: DeployNames): Permissions {
  const permissions: Permissions = {};
  const { source } = config;
  grant(permissions, ['logs:CreateLogStream', 'logs:PutLogEvents'], [logGroup(names.dispatcherFunction())]);
  const stream = source.create
    ? arn('SourceStream')
    : source.stream.startsWith('arn:')
      ? source.stream
      : local('kinesis', `stream/${source.stream}`);
  grant(
    permissions,
    [
      'kinesis:DescribeStream',
      'kinesis:DescribeStreamSummary',
      'kinesis:GetRecords',
      'kinesis:GetShardIterator',
      'kinesis:ListShards',
    ],
    [stream],
  );
  if (source.enhancedFanOut) {
    grant(
      permissions,
      ['kinesis:DescribeStreamConsumer', 'kinesis:SubscribeToShard'],
      [{ 'Fn::GetAtt': ['SourceStreamConsumer', 'ConsumerARN'] }],
    );
  }
  const invoked = config.targets.filter((t) => t.via === 'invoke');
  const queued = config.targets.filter((t) => t.via === 'queue');
  grant(
    permissions,
    ['lambda:InvokeFunction'],
    invoked.map((t) => local('lambda', `function:${names.workerFunction(t.name)}`)),
  );
  const queues = [
    ...queued.map((t) => arn(`Target${id(t.name)}Queue`)),
    ...config.targets.map((t) => arn(`Target${id(t.name)}Dlq`)),
  ];
  grant(permissions, ['sqs:SendMessage', 'sqs:GetQueueUrl'], queues);
  grant(permissions, ['s3:PutObject'], claimObjects(config, names));
  // Lambda's on-failure records, and the dispatcher's own for a record its target's DLQ refused (by name).
  grant(permissions, ['sqs:SendMessage', 'sqs:GetQueueUrl'], [arn('DispatcherFailureQueue')]);
  return permissions;
}

/** A target's destination, as the test expects it granted: actions and resources. */
export interface DestinationGrant {
  actions: string[];
  resources: unknown[];
}

/** The claim check's objects of this stack (on unless `claimCheck: false`): its own prefix only. */
function claimObjects(config: FanoutConfig, names: DeployNames): unknown[] {
  if (!config.claimCheck) return [];
  return config.claimCheck.bucket
    ? [sub(`arn:\${AWS::Partition}:s3:::${config.claimCheck.bucket}/${names.prefix}/*`)]
    : [sub(`\${ClaimCheckBucket.Arn}/${names.prefix}/*`)];
}

export function expectedWorker(
  target: TargetConfig,
  names: DeployNames,
  destination: DestinationGrant,
  config?: FanoutConfig,
): Permissions {
  const permissions: Permissions = {};
  grant(
    permissions,
    ['logs:CreateLogStream', 'logs:PutLogEvents'],
    [logGroup(names.workerFunction(target.name))],
  );
  grant(permissions, destination.actions, destination.resources);
  const signing = SIGNING_GRANTS[target.name];
  if (signing) grant(permissions, signing.actions, signing.resources);
  grant(permissions, ['sqs:SendMessage', 'sqs:GetQueueUrl'], [arn(`Target${id(target.name)}Dlq`)]);
  if (target.via === 'queue') {
    grant(
      permissions,
      ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'],
      [arn(`Target${id(target.name)}Queue`)],
    );
  }
  if (config) grant(permissions, ['s3:GetObject'], claimObjects(config, names));
  if (idempotencyModeOf(target) === 'store') {
    grant(permissions, ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'], [arn('IdempotencyTable')]);
  }
  return permissions;
}

const KINESIS = ['kinesis:PutRecord', 'kinesis:PutRecords'];
const SQS = ['sqs:SendMessage', 'sqs:GetQueueUrl'];

/** Destination grants of every target of fanout.yml and fixtures/large.yml, written out by hand. */
export const DESTINATION_GRANTS: Record<string, DestinationGrant> = {
  output1: { actions: KINESIS, resources: [local('kinesis', 'stream/output1')] },
  output2: { actions: KINESIS, resources: [local('kinesis', 'stream/output2')] },
  audit: { actions: SQS, resources: [local('sqs', 'audit')] },
  webhook: { actions: [], resources: [] },
  analytics: { actions: KINESIS, resources: ['arn:aws:kinesis:eu-west-1:123456789012:stream/analytics'] },
  replica: { actions: KINESIS, resources: [local('kinesis', 'stream/replica-stream')] },
  orders: { actions: SQS, resources: ['arn:aws:sqs:us-east-1:123456789012:orders.fifo'] },
  alerts: { actions: ['sns:Publish'], resources: ['arn:aws:sns:us-east-1:123456789012:alerts'] },
  lake: {
    actions: ['firehose:PutRecord', 'firehose:PutRecordBatch'],
    resources: [local('firehose', 'deliverystream/lake-delivery')],
  },
  bus: { actions: ['events:PutEvents'], resources: [local('events', 'event-bus/default')] },
  enricher: {
    actions: ['lambda:InvokeFunction'],
    resources: ['arn:aws:lambda:us-east-1:123456789012:function:enrich:live'],
  },
  'partner-hook': { actions: [], resources: [] },
  legacy: {
    actions: ['lambda:InvokeFunction'],
    resources: [local('lambda', 'function:legacy-consumer'), local('lambda', 'function:legacy-consumer:*')],
  },
};

/** Signing secrets of the fixtures' http targets (http.signing.secret), written out by hand: one read action on one ARN. */
export const SIGNING_GRANTS: Record<string, DestinationGrant> = {
  'partner-hook': {
    actions: ['ssm:GetParameter'],
    resources: [local('ssm', 'parameter/fanout-large/partner-hook/signing')],
  },
};
