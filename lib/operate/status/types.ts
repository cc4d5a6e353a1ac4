/**
 * `fanout status` against AWS. Counters are CloudWatch sums over the last `windowMinutes` (local mode's
 * PipelineStatus counts since start instead), gauges are read live from the APIs.
 */

export interface AwsTargetStatus {
  name: string;
  type: string;
  via: 'invoke' | 'queue';
  enabled: boolean;
  concurrency: {
    /** fanout.yml's value (what the next deploy sets). */
    configured: number;
    /** The live value: reserved concurrency, or the SQS mapping's maximum concurrency; null when unset or unknown. */
    live: number | null;
    setting: 'reserved concurrency' | 'maximum concurrency';
  };
  /** `via: queue`: envelopes waiting in the target's queue (visible + in flight). */
  queueMessages?: number;
  /** Messages waiting in the DLQ, and received by someone (a replay in progress). */
  dlqMessages: number;
  dlqMessagesInFlight: number;
  /** CloudWatch ApproximateAgeOfOldestMessage of the DLQ (maximum over the window); null without data. */
  dlqOldestAgeSeconds: number | null;
  /** Worker Invocations, Errors and Throttles (AWS/Lambda) over the window. */
  invocations: number;
  errors: number;
  throttles: number;
}

export interface AwsSourceStatus {
  stream: string;
  /** The dispatcher's IteratorAge maximum (AWS/Lambda, what the iterator-age alarm watches); null without data. */
  iteratorAgeMs: number | null;
  /** The stream's GetRecords.IteratorAgeMilliseconds maximum (AWS/Kinesis, every consumer); null without data. */
  getRecordsIteratorAgeMs: number | null;
  dispatcherErrors: number;
  dispatcherThrottles: number;
  /** Batches the dispatcher gave up on, waiting in its failure queue (`fanout replay --source`). */
  failureQueueMessages: number;
}

export interface AwsPipelineStatus {
  mode: 'aws';
  at: string;
  stage: string;
  region: string;
  windowMinutes: number;
  source: AwsSourceStatus;
  targets: AwsTargetStatus[];
  /** The stack's CloudWatch dashboard (lib/deploy/dashboard.ts) and its console URL. */
  dashboard: { name: string; url: string };
  /** What could not be read (a missing mapping, a denied call), so the numbers above are not taken for zeros. */
  problems: string[];
}
