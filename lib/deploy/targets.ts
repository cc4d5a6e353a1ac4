import type { TargetConfig } from '../config/index.js';
import { type CfnResources, type CfnValue, getAtt, ref } from './cfn.js';
import { logicalIds } from './ids.js';
import { deadLetterQueue, handoffQueue } from './queues.js';
import type { StackContext } from './types.js';

/** Lambda requires a batching window of at least 1 s when an SQS event source batches more than 10 messages. */
const SQS_LARGE_BATCH = 10;

/**
 * A target's hand-off plumbing besides its worker function (which osls generates from `functions`):
 * - always a DLQ;
 * - `via: invoke`: an EventInvokeConfig that bounds Lambda's own async retries and sends what is left to the DLQ;
 * - `via: queue`: the hand-off queue (redrive to the DLQ) and the SQS event source mapping of the worker;
 *   FIFO queues (and a FIFO DLQ: SQS redrives only to the same type) for an ordered target.
 */
export function targetResources(context: StackContext, target: TargetConfig): CfnResources {
  const { names } = context;
  const dlq = logicalIds.targetDlq(target.name);
  const worker = logicalIds.workerFunction(target.name);
  const resources: CfnResources = { [dlq]: deadLetterQueue(names.targetDlq(target), target.ordered) };

  if (target.via === 'invoke') {
    resources[logicalIds.workerInvokeConfig(target.name)] = {
      Type: 'AWS::Lambda::EventInvokeConfig',
      Properties: {
        FunctionName: ref(worker),
        Qualifier: '$LATEST',
        MaximumRetryAttempts: target.retries,
        MaximumEventAgeInSeconds: target.maxEventAge,
        // Lambda sends the whole invocation record (request payload included) with the worker's role.
        DestinationConfig: { OnFailure: { Destination: getAtt(dlq, 'Arn') } },
      },
    };
    return resources;
  }

  const queue = logicalIds.targetQueue(target.name);
  resources[queue] = handoffQueue(names.targetQueue(target), target, dlq);
  const mapping: Record<string, CfnValue> = {
    EventSourceArn: getAtt(queue, 'Arn'),
    FunctionName: ref(worker),
    Enabled: true,
    BatchSize: target.batchSize,
    // The worker reports the messages it could not deliver; only those come back after the visibility timeout.
    FunctionResponseTypes: ['ReportBatchItemFailures'],
    ScalingConfig: { MaximumConcurrency: target.concurrency },
  };
  if (target.batchSize > SQS_LARGE_BATCH) mapping.MaximumBatchingWindowInSeconds = 1;
  resources[logicalIds.workerEventSourceMapping(target.name)] = {
    Type: 'AWS::Lambda::EventSourceMapping',
    Properties: mapping,
    DependsOn: [logicalIds.workerRole(target.name)],
  };
  return resources;
}
