import { streamNameOf } from '../aws/arn.js';
import { type CfnOutputs, getAtt, ref } from './cfn.js';
import { logicalIds } from './ids.js';
import { sourceStreamArn } from './source.js';
import type { StackContext } from './types.js';

/**
 * What an operator needs after a deploy (`serverless info --verbose` prints these): where producers write,
 * which functions run, and the URLs of the queues to inspect and replay from.
 */
export function stackOutputs(context: StackContext): CfnOutputs {
  const { config, names } = context;
  const outputs: CfnOutputs = {
    SourceStreamName: {
      Description: 'Kinesis stream the fan-out reads (producers write here)',
      Value: config.source.create ? ref(logicalIds.sourceStream) : streamNameOf(config.source.stream),
    },
    SourceStreamArn: { Description: 'ARN of the source stream', Value: sourceStreamArn(context) },
    DispatcherFunctionArn: {
      Description: `Dispatcher function ${names.dispatcherFunction()}`,
      Value: getAtt(logicalIds.dispatcherFunction, 'Arn'),
    },
    DispatcherFailureQueueUrl: {
      Description: `${names.dispatcherFailureQueue()}: shard and sequence ranges of batches the dispatcher gave up on`,
      Value: ref(logicalIds.dispatcherFailureQueue),
    },
    DispatcherFailureQueueArn: {
      Description: `ARN of ${names.dispatcherFailureQueue()}`,
      Value: getAtt(logicalIds.dispatcherFailureQueue, 'Arn'),
    },
    IdempotencyTableName: {
      Description: 'DynamoDB table of delivered idempotency keys',
      Value: ref(logicalIds.idempotencyTable),
    },
    IdempotencyTableArn: {
      Description: `ARN of ${names.idempotencyTable()}`,
      Value: getAtt(logicalIds.idempotencyTable, 'Arn'),
    },
  };
  if (config.source.enhancedFanOut) {
    outputs.SourceConsumerArn = {
      Description: `Enhanced fan-out consumer ${names.sourceConsumer()}`,
      Value: getAtt(logicalIds.sourceConsumer, 'ConsumerARN'),
    };
  }
  if (config.claimCheck && !config.claimCheck.bucket) {
    outputs.ClaimCheckBucketName = {
      Description: `Bucket of claim-checked records (expire after ${config.claimCheck.expireDays} days)`,
      Value: ref(logicalIds.claimCheckBucket),
    };
  }
  for (const target of config.targets) {
    const prefix = logicalIds.target(target.name);
    outputs[`${prefix}WorkerFunctionArn`] = {
      Description: `Worker of target ${target.name} (${target.type}, via ${target.via}): ${names.workerFunction(target.name)}`,
      Value: getAtt(logicalIds.workerFunction(target.name), 'Arn'),
    };
    outputs[`${prefix}DlqUrl`] = {
      Description: `DLQ of target ${target.name}: ${names.targetDlq(target)}`,
      Value: ref(logicalIds.targetDlq(target.name)),
    };
    outputs[`${prefix}DlqArn`] = {
      Description: `ARN of ${names.targetDlq(target)}`,
      Value: getAtt(logicalIds.targetDlq(target.name), 'Arn'),
    };
    if (target.via === 'queue') {
      outputs[`${prefix}QueueUrl`] = {
        Description: `Hand-off queue of target ${target.name}: ${names.targetQueue(target)}`,
        Value: ref(logicalIds.targetQueue(target.name)),
      };
    }
  }
  return outputs;
}
