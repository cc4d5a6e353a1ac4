import { streamNameOf } from '../aws/arn.js';
import { LEDGER_TABLE_SCHEMA, ledgerTableKeys } from '../ledger/item.js';
import { type CfnResources, type CfnValue, getAtt, localArn, ref } from './cfn.js';
import { logicalIds } from './ids.js';
import { deadLetterQueue } from './queues.js';
import type { StackContext } from './types.js';

/** The attribute holding a ledger page's expiry (DynamoDB TTL). */
export const IDEMPOTENCY_TTL_ATTRIBUTE = LEDGER_TABLE_SCHEMA.ttlAttribute;

/** ARN of the source stream: created by the stack, given as an ARN, or named in the stack's region. */
export function sourceStreamArn({ config }: StackContext): CfnValue {
  const { stream, create } = config.source;
  if (create) return getAtt(logicalIds.sourceStream, 'Arn');
  if (stream.startsWith('arn:')) return stream;
  return localArn('kinesis', `stream/${stream}`);
}

/** What the dispatcher's event source mapping reads: the stream, or its enhanced fan-out consumer. */
export function sourceEventArn(context: StackContext): CfnValue {
  return context.config.source.enhancedFanOut
    ? getAtt(logicalIds.sourceConsumer, 'ConsumerARN')
    : sourceStreamArn(context);
}

/**
 * The source side: the stream (when created here), the enhanced fan-out consumer, the dispatcher's Kinesis
 * event source mapping with every setting of `source`, its on-failure queue, and the idempotency table.
 */
export function sourceResources(context: StackContext): CfnResources {
  const { config, names } = context;
  const { source } = config;
  const resources: CfnResources = {};
  if (source.create) {
    resources[logicalIds.sourceStream] = {
      Type: 'AWS::Kinesis::Stream',
      Properties: {
        Name: streamNameOf(source.stream),
        ShardCount: source.shards,
        RetentionPeriodHours: source.retentionHours,
        StreamModeDetails: { StreamMode: 'PROVISIONED' },
        // The AWS managed key: producers and the event source mapping need no KMS permissions for it.
        StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
      },
    };
  }
  if (source.enhancedFanOut) {
    resources[logicalIds.sourceConsumer] = {
      Type: 'AWS::Kinesis::StreamConsumer',
      Properties: { ConsumerName: names.sourceConsumer(), StreamARN: sourceStreamArn(context) },
    };
  }
  resources[logicalIds.dispatcherFailureQueue] = deadLetterQueue(names.dispatcherFailureQueue());

  const mapping: Record<string, CfnValue> = {
    EventSourceArn: sourceEventArn(context),
    FunctionName: ref(logicalIds.dispatcherFunction),
    Enabled: true,
    BatchSize: source.batchSize,
    MaximumBatchingWindowInSeconds: source.batchWindow,
    ParallelizationFactor: source.parallelizationFactor,
    StartingPosition: source.startingPosition,
    MaximumRetryAttempts: source.maxRetryAttempts,
    MaximumRecordAgeInSeconds: source.maxRecordAge,
    BisectBatchOnFunctionError: source.bisectOnError,
    // The dispatcher reports the records it could not hand off; Lambda retries from the lowest of them.
    FunctionResponseTypes: ['ReportBatchItemFailures'],
    // Gets shard and sequence ranges (metadata only) of batches given up on, for a replay from the stream.
    DestinationConfig: { OnFailure: { Destination: getAtt(logicalIds.dispatcherFailureQueue, 'Arn') } },
  };
  if (source.startingPosition === 'AT_TIMESTAMP' && source.startingPositionTimestamp !== undefined) {
    mapping.StartingPositionTimestamp = source.startingPositionTimestamp;
  }
  resources[logicalIds.dispatcherEventSourceMapping] = {
    Type: 'AWS::Lambda::EventSourceMapping',
    Properties: mapping,
    // The mapping is checked against the role when it is created: its policy must be in place first.
    DependsOn: [logicalIds.dispatcherRole],
  };

  resources[logicalIds.idempotencyTable] = {
    Type: 'AWS::DynamoDB::Table',
    Properties: {
      TableName: names.idempotencyTable(),
      BillingMode: 'PAY_PER_REQUEST',
      ...ledgerTableKeys(),
      TimeToLiveSpecification: { AttributeName: IDEMPOTENCY_TTL_ATTRIBUTE, Enabled: true },
      SSESpecification: { SSEEnabled: true },
    },
  };
  return resources;
}
