import { idempotencyModeOf, type TargetConfig } from '../config/index.js';
import { type CfnResource, type CfnValue, getAtt, localArn } from './cfn.js';
import { claimCheckObjectsArn } from './claim-check.js';
import { destinationActions, destinationArns } from './destination.js';
import { logicalIds } from './ids.js';
import { signingGrant } from './signing.js';
import { sourceStreamArn } from './source.js';
import type { StackContext } from './types.js';

/** A type alias, not an interface, so that it is assignable to {@link CfnValue}. */
export type PolicyStatement = {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: CfnValue[];
};

/** A statement that allows `actions` on `resources`. */
const allow = (sid: string, actions: string[], resources: CfnValue[]): PolicyStatement => ({
  Sid: sid,
  Effect: 'Allow',
  Action: actions,
  Resource: resources,
});

/**
 * What the worker's idempotency ledger (lib/ledger/dynamo.ts) calls on the table: `Query` to read the pages that
 * cover an envelope, conditional `PutItem` to write a page (leases, deliveries, releases), `GetItem` to read a page
 * again after a refused write when the refusal did not return it, and TransactWriteItems of two puts to close a
 * page and open the next (no IAM action of its own: each item is authorised as the action it performs; docs:
 * "Using IAM with DynamoDB transactions").
 */
export const IDEMPOTENCY_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'];

/** What Lambda's Kinesis poller calls with the function's role (plus the two EFO calls when reading a consumer). */
const STREAM_READ_ACTIONS = [
  'kinesis:DescribeStream',
  'kinesis:DescribeStreamSummary',
  'kinesis:GetRecords',
  'kinesis:GetShardIterator',
  'kinesis:ListShards',
];
const CONSUMER_READ_ACTIONS = ['kinesis:DescribeStreamConsumer', 'kinesis:SubscribeToShard'];
/** What Lambda's SQS poller calls with the worker's role. */
const QUEUE_CONSUME_ACTIONS = [
  'sqs:ReceiveMessage',
  'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibility',
  'sqs:GetQueueAttributes',
];
/** Sending to a queue the code knows by name: it resolves the URL with GetQueueUrl first. */
const QUEUE_SEND_ACTIONS = ['sqs:SendMessage', 'sqs:GetQueueUrl'];

function logStatement(functionName: string): PolicyStatement {
  return allow(
    'WriteOwnLogs',
    ['logs:CreateLogStream', 'logs:PutLogEvents'],
    [localArn('logs', `log-group:/aws/lambda/${functionName}:*`)],
  );
}

function role(name: string, statements: PolicyStatement[]): CfnResource {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      RoleName: name,
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
        ],
      },
      Policies: [
        {
          PolicyName: 'least-privilege',
          PolicyDocument: {
            Version: '2012-10-17',
            // A statement without resources is invalid IAM: e.g. no `via: invoke` target means nothing to invoke.
            Statement: statements.filter((s) => s.Resource.length > 0 && s.Action.length > 0),
          },
        },
      ],
    },
  };
}

/**
 * The dispatcher reads the source, invokes only the workers of `via: invoke` targets, sends only to the
 * hand-off queues of `via: queue` targets and to every target's DLQ (oversize-record notices go straight
 * there), sends its own given-up batches to its failure queue (Lambda does that with this role), stores
 * claim-checked records under this stack's prefix, and lists streams when `discover` is set.
 */
export function dispatcherRole(context: StackContext): CfnResource {
  const { config, names } = context;
  const invoked = config.targets.filter((t) => t.via === 'invoke');
  const queued = config.targets.filter((t) => t.via === 'queue');
  const statements: PolicyStatement[] = [
    logStatement(names.dispatcherFunction()),
    allow('ReadSourceStream', STREAM_READ_ACTIONS, [sourceStreamArn(context)]),
  ];
  if (config.source.enhancedFanOut) {
    statements.push(
      allow('ReadSourceConsumer', CONSUMER_READ_ACTIONS, [getAtt(logicalIds.sourceConsumer, 'ConsumerARN')]),
    );
  }
  statements.push(
    allow(
      'InvokeWorkers',
      ['lambda:InvokeFunction'],
      invoked.map((t) => localArn('lambda', `function:${names.workerFunction(t.name)}`)),
    ),
    allow('SendToTargetQueues', QUEUE_SEND_ACTIONS, [
      ...queued.map((t) => getAtt(logicalIds.targetQueue(t.name), 'Arn')),
      ...config.targets.map((t) => getAtt(logicalIds.targetDlq(t.name), 'Arn')),
    ]),
    // Lambda's on-failure records, and the dispatcher's own for a record whose hand-off and DLQ notice were
    // refused (it finds the queue by name: GetQueueUrl).
    allow('SendToFailureQueue', QUEUE_SEND_ACTIONS, [getAtt(logicalIds.dispatcherFailureQueue, 'Arn')]),
  );
  const claimCheckObjects = claimCheckObjectsArn(context);
  if (claimCheckObjects) {
    statements.push(allow('StoreClaimChecks', ['s3:PutObject'], [claimCheckObjects]));
  }
  if (config.discover) {
    // ListStreams has no resource type: IAM takes it only on "*". It lists names; writes stay scoped to the
    // prefix (the discovered target's worker may put records on `stream/<prefix>*` only).
    statements.push(allow('DiscoverStreams', ['kinesis:ListStreams'], ['*']));
  }
  return role(names.dispatcherRole(), statements);
}

/**
 * A worker writes only to its own destination (or assumes only its `role`) and its own DLQ (also Lambda's
 * on-failure destination of its async invocations), reads only this stack's claim-check objects, consumes only
 * its own hand-off queue, reads only its own signing secret (http targets
 * with `http.signing`), and touches the idempotency table only when the target keeps delivered keys there
 * (`idempotency: store`).
 */
export function workerRole(context: StackContext, target: TargetConfig): CfnResource {
  const { names } = context;
  const statements: PolicyStatement[] = [
    logStatement(names.workerFunction(target.name)),
    // With `role`, the destination's account grants the writes to that role: this account grants none, only
    // the AssumeRole of exactly that role.
    target.role
      ? allow('AssumeDestinationRole', ['sts:AssumeRole'], [target.role])
      : allow('WriteDestination', destinationActions(target.type), destinationArns(target)),
    allow('SendToOwnDlq', QUEUE_SEND_ACTIONS, [getAtt(logicalIds.targetDlq(target.name), 'Arn')]),
  ];
  if (target.via === 'queue') {
    statements.push(
      allow('ConsumeOwnQueue', QUEUE_CONSUME_ACTIONS, [getAtt(logicalIds.targetQueue(target.name), 'Arn')]),
    );
  }
  const claimCheckObjects = claimCheckObjectsArn(context);
  if (claimCheckObjects) {
    statements.push(allow('ReadClaimChecks', ['s3:GetObject'], [claimCheckObjects]));
  }
  const signing = signingGrant(target);
  if (signing) {
    statements.push(allow('ReadSigningSecret', signing.actions, signing.resources));
  }
  if (idempotencyModeOf(target) === 'store') {
    statements.push(
      allow('UseIdempotencyTable', IDEMPOTENCY_ACTIONS, [getAtt(logicalIds.idempotencyTable, 'Arn')]),
    );
  }
  return role(names.workerRole(target.name), statements);
}
