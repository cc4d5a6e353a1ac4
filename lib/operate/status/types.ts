/**
 * What `fanout status` shows. Against AWS ({@link AwsPipelineStatus}): counters are CloudWatch sums over the last
 * `windowMinutes`, gauges are read live from the APIs. In local mode ({@link PipelineStatus}, collected by
 * lib/local/status-collector.ts): counters since local mode started, from the functions' own EMF metrics.
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

/** How one of local mode's emulators is doing (lib/local/emulator-set.ts supervises them). */
export interface EmulatorHealth {
  /** kinesis, sqs or dynamodb. */
  kind: string;
  program: string;
  pid: number;
  port: number;
  state: 'running' | 'restarting' | 'stopped' | 'failed';
  /** Times it died and was started again. */
  restarts: number;
  /** The last time it died: how and when, and what it cost. */
  lastFailure?: string;
}

/** One target's numbers, as the live view and `fanout status` show them. */
export interface TargetStatus {
  name: string;
  type: string;
  via: 'invoke' | 'queue';
  destination: string;
  /** Why the target is off (local mode: a type no emulator provides). */
  disabled?: string;
  /** How it was made to fail (`fanout local fail`): `HTTP 503`, `LocalTargetFailure`. */
  failing?: string;
  concurrency: number;
  /** Records the dispatcher routed to the target. */
  routed: number;
  /** Records inside envelopes the dispatcher handed off. */
  handedOff: number;
  delivered: number;
  /** Records skipped as already delivered (retries, replays). */
  skipped: number;
  /** Handed off, not yet delivered, skipped or dead-lettered (records of DLQ envelopes are never in flight). */
  inFlight: number;
  /** Retried destination calls, hand-off calls and worker invocations. */
  retried: number;
  throttled: number;
  /** Worker invocations that failed. */
  errors: number;
  /** Records waiting in the target's DLQ: those of its envelopes, and one per oversize notice. */
  dlqRecords: number;
  /** Messages (envelopes or notices) waiting in the target's DLQ, and the oldest one's age. */
  dlqMessages: number;
  dlqOldestAgeSeconds?: number;
  latencyP50Ms?: number;
  latencyP99Ms?: number;
}

export interface SourceStatus {
  stream: string;
  recordsIn: number;
  /** Milliseconds between the newest record read and now, when read (Kinesis IteratorAge). */
  iteratorAgeMs: number;
  /** Batches the dispatcher gave up on (on-failure records in its failure queue). */
  failureQueueMessages: number;
}

export interface PipelineStatus {
  mode: 'local' | 'aws';
  at: string;
  source: SourceStatus;
  targets: TargetStatus[];
  /** The emulators of local mode: running, restarting after they died, or failed. */
  emulators?: EmulatorHealth[];
  /** The last things the user should know of (an emulator died and came back), oldest first. */
  notices?: string[];
  /** Where local mode keeps its state (`--data-dir`); absent: in memory only. */
  dataDir?: string;
}
