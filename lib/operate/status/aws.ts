import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { streamNameOf } from '../../aws/arn.js';
import { classifyError } from '../../aws/retry.js';
import type { Naming } from '../../config/naming.js';
import type { FanoutConfig, TargetConfig } from '../../config/schema.js';
import { dashboardName, dashboardUrl } from '../../deploy/dashboard.js';
import { readLiveConcurrency } from '../concurrency/live.js';
import { type QueueDepth, queueDepth, queueUrlOf } from '../queue.js';
import { type MetricSpec, readMetrics } from './metrics.js';
import type { AwsPipelineStatus, AwsTargetStatus } from './types.js';

export interface AwsStatusDeps {
  lambda: LambdaClient;
  sqs: SQSClient;
  cloudwatch: CloudWatchClient;
  now?: () => number;
}

export interface AwsStatusRequest {
  config: FanoutConfig;
  names: Naming;
  stage: string;
  region: string;
  /** Minutes of CloudWatch data the counters cover (default 15). */
  windowMinutes?: number;
}

const fn = (name: string) => ({ Name: 'FunctionName', Value: name });
const queue = (name: string) => ({ Name: 'QueueName', Value: name });

/** What is read of one target besides CloudWatch. */
interface TargetReadings {
  t: TargetConfig;
  live: number | null;
  dlq: QueueDepth;
  queue: QueueDepth | undefined;
}

/**
 * The deployed pipeline's numbers: live concurrency (GetFunctionConcurrency, or the SQS mapping), queue depths
 * (GetQueueAttributes), and from CloudWatch the DLQs' oldest message age, the workers' errors and throttles and
 * the source's iterator age over the last 15 minutes. What cannot be read is listed in `problems`.
 */
export async function collectAwsStatus(
  request: AwsStatusRequest,
  deps: AwsStatusDeps,
): Promise<AwsPipelineStatus> {
  const { config, names } = request;
  const now = (deps.now ?? Date.now)();
  const windowMinutes = request.windowMinutes ?? 15;
  const problems: string[] = [];
  const stream = streamNameOf(config.source.stream);
  const specs = [...sourceMetrics(names.dispatcherFunction(), stream), ...targetMetrics(config, names)];
  const depth = (name: string): Promise<QueueDepth> => depthOrProblem(deps.sqs, name, problems);
  const [metrics, failures, targets] = await Promise.all([
    readMetrics(deps.cloudwatch, specs, windowMinutes, now).catch((error: unknown) => {
      problems.push(`CloudWatch GetMetricData: ${classifyError(error).reason}`);
      return new Map<string, number>();
    }),
    depth(names.dispatcherFailureQueue()),
    Promise.all(
      config.targets.map(
        async (t): Promise<TargetReadings> => ({
          t,
          live: await liveOrProblem(deps.lambda, names, t, problems),
          dlq: await depth(names.targetDlq(t)),
          queue: t.via === 'queue' ? await depth(names.targetQueue(t)) : undefined,
        }),
      ),
    ),
  ]);
  const metric = (id: string): number => metrics.get(id) ?? 0;
  const optional = (id: string): number | null => metrics.get(id) ?? null;
  const dashboard = dashboardName(names.prefix);

  return {
    mode: 'aws',
    at: new Date(now).toISOString(),
    stage: request.stage,
    region: request.region,
    windowMinutes,
    source: {
      stream,
      iteratorAgeMs: optional('src_age'),
      getRecordsIteratorAgeMs: optional('src_getrecords_age'),
      dispatcherErrors: metric('d_errors'),
      dispatcherThrottles: metric('d_throttles'),
      failureQueueMessages: failures.visible + failures.inFlight,
    },
    targets: targets.map((readings, i) => targetStatus(readings, `t${i}`, metrics)),
    dashboard: { name: dashboard, url: dashboardUrl(request.region, dashboard) },
    problems,
  };
}

/** The source's iterator age (as the dispatcher and as GetRecords see it) and the dispatcher's failures. */
function sourceMetrics(dispatcher: string, stream: string): MetricSpec[] {
  return [
    {
      id: 'src_age',
      namespace: 'AWS/Lambda',
      metric: 'IteratorAge',
      dimension: fn(dispatcher),
      stat: 'Maximum',
    },
    {
      id: 'src_getrecords_age',
      namespace: 'AWS/Kinesis',
      metric: 'GetRecords.IteratorAgeMilliseconds',
      dimension: { Name: 'StreamName', Value: stream },
      stat: 'Maximum',
    },
    { id: 'd_errors', namespace: 'AWS/Lambda', metric: 'Errors', dimension: fn(dispatcher), stat: 'Sum' },
    {
      id: 'd_throttles',
      namespace: 'AWS/Lambda',
      metric: 'Throttles',
      dimension: fn(dispatcher),
      stat: 'Sum',
    },
  ];
}

/** Per target (ids `t<i>_...`): its worker's invocations, errors and throttles, its DLQ's oldest message. */
function targetMetrics(config: FanoutConfig, names: Naming): MetricSpec[] {
  return config.targets.flatMap((t, i): MetricSpec[] => {
    const worker = fn(names.workerFunction(t.name));
    return [
      {
        id: `t${i}_invocations`,
        namespace: 'AWS/Lambda',
        metric: 'Invocations',
        dimension: worker,
        stat: 'Sum',
      },
      { id: `t${i}_errors`, namespace: 'AWS/Lambda', metric: 'Errors', dimension: worker, stat: 'Sum' },
      { id: `t${i}_throttles`, namespace: 'AWS/Lambda', metric: 'Throttles', dimension: worker, stat: 'Sum' },
      {
        id: `t${i}_dlq_age`,
        namespace: 'AWS/SQS',
        metric: 'ApproximateAgeOfOldestMessage',
        dimension: queue(names.targetDlq(t)),
        stat: 'Maximum',
      },
    ];
  });
}

/** A queue's depth by name; one that cannot be read counts as empty, and is listed in `problems`. */
async function depthOrProblem(sqs: SQSClient, name: string, problems: string[]): Promise<QueueDepth> {
  try {
    return await queueDepth(sqs, await queueUrlOf(sqs, name));
  } catch (error) {
    problems.push(`queue ${name}: ${classifyError(error).reason}`);
    return { visible: 0, inFlight: 0 };
  }
}

/** A target's live concurrency setting; null when it cannot be read, which is listed in `problems`. */
async function liveOrProblem(
  lambda: LambdaClient,
  names: Naming,
  target: TargetConfig,
  problems: string[],
): Promise<number | null> {
  try {
    return (await readLiveConcurrency(lambda, names, target)).value;
  } catch (error) {
    problems.push(`concurrency of ${target.name}: ${(error as Error).message}`);
    return null;
  }
}

/** One target's row: what was read of it, and its metrics (ids `<id>_...`). */
function targetStatus(
  { t, live, dlq, queue }: TargetReadings,
  id: string,
  metrics: ReadonlyMap<string, number>,
): AwsTargetStatus {
  return {
    name: t.name,
    type: t.type,
    via: t.via,
    enabled: t.enabled,
    concurrency: {
      configured: t.concurrency,
      live,
      setting: t.via === 'queue' ? 'maximum concurrency' : 'reserved concurrency',
    },
    ...(queue ? { queueMessages: queue.visible + queue.inFlight } : {}),
    dlqMessages: dlq.visible,
    dlqMessagesInFlight: dlq.inFlight,
    dlqOldestAgeSeconds: metrics.get(`${id}_dlq_age`) ?? null,
    invocations: metrics.get(`${id}_invocations`) ?? 0,
    errors: metrics.get(`${id}_errors`) ?? 0,
    throttles: metrics.get(`${id}_throttles`) ?? 0,
  };
}
