/**
 * What the core reports: counters per target and a structured log. The functions back it with Powertools
 * Logger and Metrics (EMF); tests use {@link recordingTelemetry}. Keeps lib/ free of Powertools wiring.
 */
export interface Telemetry {
  /** Adds `value` to counter `name` (per target when `target` is given). */
  count(name: MetricName, value: number, target?: string): void;
  /** Records a duration in milliseconds. */
  duration(name: DurationName, ms: number, target?: string): void;
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

/** The union of an `as const` name table's values: `ValueOf<typeof METRICS>` is every metric name. */
export type ValueOf<T> = T[keyof T];

export const METRICS = {
  recordsIn: 'RecordsIn',
  recordsRouted: 'RecordsRouted',
  recordsUnrouted: 'RecordsUnrouted',
  /** Records whose data is not JSON while a target has a filter: they match no filter. */
  recordsNotJson: 'RecordsNotJson',
  /** KPL-aggregated Kinesis records split into user records. */
  aggregatedRecords: 'AggregatedRecords',
  /** KPL-aggregated records with a bad checksum or body, handed on whole. */
  aggregatedRecordsCorrupt: 'AggregatedRecordsCorrupt',
  recordsHandedOff: 'RecordsHandedOff',
  handoffCalls: 'HandoffCalls',
  handoffBytes: 'HandoffBytes',
  handoffRetries: 'HandoffRetries',
  handoffFailures: 'HandoffFailedRecords',
  /** Records whose hand-off was refused for good (invalid contents, access denied): sent to the target's DLQ. */
  handoffRefused: 'HandoffRefusedRecords',
  oversizeRecords: 'OversizeRecords',
  /** Records above the hand-off limit stored in S3, their envelopes carrying a pointer (claim check). */
  claimCheckedRecords: 'RecordsClaimChecked',
  claimCheckedBytes: 'ClaimCheckedBytes',
  /** Streams the dispatcher found by `discover.kinesisStreamPrefix` (counted at each refresh). */
  discoveredStreams: 'DiscoveredStreams',
  delivered: 'RecordsDelivered',
  deliveryFailed: 'RecordsFailed',
  duplicatesSkipped: 'DuplicatesSkipped',
  deliveryRetries: 'DeliveryRetries',
  storeReads: 'IdempotencyStoreReads',
  storeWrites: 'IdempotencyStoreWrites',
} as const;
export type MetricName = ValueOf<typeof METRICS>;

export const DURATIONS = {
  dispatch: 'DispatchDuration',
  /** Source arrival to delivered: the latency a consumer sees. */
  deliveryLatency: 'DeliveryLatency',
} as const;
export type DurationName = ValueOf<typeof DURATIONS>;

/**
 * The CloudWatch namespace of every metric: the functions' `POWERTOOLS_METRICS_NAMESPACE`, deployed and in local
 * mode, and where the stack's dashboard reads them.
 */
export const METRICS_NAMESPACE = 'KinesisFanout';

/**
 * The `service` dimension of a function's metrics (Powertools' default dimension): `<prefix>-dispatcher` for
 * the dispatcher, `<prefix>-<target>` for a target's worker. A per-target metric also carries `target`. The
 * stack's dashboard (lib/deploy/dashboard.ts) reads the metrics by exactly these dimensions.
 */
export function metricsServiceName(prefix: string, worker?: string): string {
  return `${prefix}-${worker ?? 'dispatcher'}`;
}

export interface RecordedTelemetry extends Telemetry {
  counters: Map<string, number>;
  durations: Array<{ name: string; ms: number; target?: string }>;
  logs: Array<{ level: 'info' | 'warn' | 'error'; message: string; details?: Record<string, unknown> }>;
  /** Counter value; `target` omitted sums the global counter only. */
  counter(name: MetricName, target?: string): number;
}

/** In-memory telemetry for tests and the local runtime's live view. */
export function recordingTelemetry(): RecordedTelemetry {
  const counters = new Map<string, number>();
  const durations: RecordedTelemetry['durations'] = [];
  const logs: RecordedTelemetry['logs'] = [];
  const keyOf = (name: string, target?: string): string => (target ? `${name}|${target}` : name);
  const log =
    (level: 'info' | 'warn' | 'error') =>
    (message: string, details?: Record<string, unknown>): void => {
      logs.push(details ? { level, message, details } : { level, message });
    };
  return {
    counters,
    durations,
    logs,
    count: (name, value, target) =>
      counters.set(keyOf(name, target), (counters.get(keyOf(name, target)) ?? 0) + value),
    duration: (name, ms, target) => durations.push(target ? { name, ms, target } : { name, ms }),
    counter: (name, target) => counters.get(keyOf(name, target)) ?? 0,
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
  };
}
