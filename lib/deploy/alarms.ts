import type { CfnResource, CfnResources } from './cfn.js';
import { logicalIds } from './ids.js';
import type { StackContext } from './types.js';

/**
 * Iterator age (ms) above which the dispatcher is falling behind. One minute on top of the batching window:
 * a window of N seconds alone makes records wait up to N seconds on purpose.
 */
export function iteratorAgeThresholdMs(batchWindowSeconds: number): number {
  return 60_000 + batchWindowSeconds * 1000;
}

interface AlarmSpec {
  name: string;
  description: string;
  namespace: 'AWS/Lambda' | 'AWS/SQS';
  metric: string;
  dimension: { Name: string; Value: string };
  statistic: 'Sum' | 'Maximum';
  period: number;
  evaluationPeriods: number;
  threshold: number;
}

/** No data means no traffic (no errors, an empty queue): not a reason to alarm. */
function alarm(spec: AlarmSpec): CfnResource {
  return {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmName: spec.name,
      AlarmDescription: spec.description,
      Namespace: spec.namespace,
      MetricName: spec.metric,
      Dimensions: [spec.dimension],
      Statistic: spec.statistic,
      Period: spec.period,
      EvaluationPeriods: spec.evaluationPeriods,
      Threshold: spec.threshold,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    },
  };
}

const fn = (name: string) => ({ Name: 'FunctionName', Value: name });
const queue = (name: string) => ({ Name: 'QueueName', Value: name });

/**
 * The stack's alarms, without actions (subscribe a topic to them per account). Every DLQ alarms on its first
 * message: anything there is data that was not delivered.
 */
export function alarmResources({ config, names }: StackContext): CfnResources {
  const dispatcher = names.dispatcherFunction();
  const resources: CfnResources = {
    SourceIteratorAgeAlarm: alarm({
      name: names.sourceIteratorAgeAlarm(),
      description: `Records of the source stream wait longer than expected before ${dispatcher} hands them off`,
      namespace: 'AWS/Lambda',
      metric: 'IteratorAge',
      dimension: fn(dispatcher),
      statistic: 'Maximum',
      period: 60,
      evaluationPeriods: 5,
      threshold: iteratorAgeThresholdMs(config.source.batchWindow),
    }),
    DispatcherErrorsAlarm: alarm({
      name: names.dispatcherErrorsAlarm(),
      description: `${dispatcher} failed whole batches (Kinesis retries them; the shard waits)`,
      namespace: 'AWS/Lambda',
      metric: 'Errors',
      dimension: fn(dispatcher),
      statistic: 'Sum',
      period: 300,
      evaluationPeriods: 1,
      threshold: 0,
    }),
    DispatcherFailureQueueAlarm: alarm({
      name: names.dispatcherFailureQueueAlarm(),
      description: `The dispatcher gave up on a batch: ${names.dispatcherFailureQueue()} holds its shard and sequence range`,
      namespace: 'AWS/SQS',
      metric: 'ApproximateNumberOfMessagesVisible',
      dimension: queue(names.dispatcherFailureQueue()),
      statistic: 'Maximum',
      period: 60,
      evaluationPeriods: 1,
      threshold: 0,
    }),
  };
  for (const target of config.targets) {
    const prefix = logicalIds.target(target.name);
    const worker = names.workerFunction(target.name);
    resources[`${prefix}DlqAlarm`] = alarm({
      name: names.dlqAlarm(target.name),
      description: `Envelopes for target ${target.name} were not delivered: see ${names.targetDlq(target)}`,
      namespace: 'AWS/SQS',
      metric: 'ApproximateNumberOfMessagesVisible',
      dimension: queue(names.targetDlq(target)),
      statistic: 'Maximum',
      period: 60,
      evaluationPeriods: 1,
      threshold: 0,
    });
    resources[`${prefix}WorkerErrorsAlarm`] = alarm({
      name: names.workerErrorsAlarm(target.name),
      description: `${worker} failed invocations (they are retried, then dead-lettered)`,
      namespace: 'AWS/Lambda',
      metric: 'Errors',
      dimension: fn(worker),
      statistic: 'Sum',
      period: 300,
      evaluationPeriods: 1,
      threshold: 0,
    });
    resources[`${prefix}WorkerThrottlesAlarm`] = alarm({
      name: names.workerThrottlesAlarm(target.name),
      description: `${worker} was throttled at its concurrency (${target.concurrency}); deliveries are delayed`,
      namespace: 'AWS/Lambda',
      metric: 'Throttles',
      dimension: fn(worker),
      statistic: 'Sum',
      period: 300,
      evaluationPeriods: 1,
      threshold: 0,
    });
  }
  return resources;
}
