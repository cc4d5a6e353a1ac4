/** Counters the runtime keeps for `fanout status` and the live view; snapshots are plain JSON. */

/** Per function. Counters only grow; gauges (`containers`, `inFlight`, `queued`) are current values. */
export interface FunctionStats {
  name: string;
  reservedConcurrency: number | null;
  /** Invocations that may run at once (reserved concurrency, or the local cap). */
  concurrencyLimit: number;
  containers: number;
  inFlight: number;
  coldStarts: number;
  /** Milliseconds the last cold start spent loading the handler module. */
  lastInitMs: number | null;
  invocations: number;
  errors: number;
  timeouts: number;
  /** API calls refused with 429 TooManyRequestsException. */
  throttledRequests: number;
  async: AsyncStats;
}

export interface AsyncStats {
  accepted: number;
  succeeded: number;
  /** Events waiting in the internal queue, including those waiting for a retry. */
  queued: number;
  retries: number;
  /** Times an event found no free concurrency and had to wait. */
  throttles: number;
  sentToFailure: number;
  /** Failed events dropped because no destination is configured or it refused the record. */
  dropped: number;
}

export function emptyAsyncStats(): AsyncStats {
  return { accepted: 0, succeeded: 0, queued: 0, retries: 0, throttles: 0, sentToFailure: 0, dropped: 0 };
}

/** Per event source mapping. */
export interface MappingStats {
  id: string;
  kind: 'kinesis' | 'sqs';
  functionName: string;
  source: string;
  /** Records or messages read from the source. */
  received: number;
  /** Records or messages the function completed (for SQS: deleted). */
  succeeded: number;
  batches: number;
  failedBatches: number;
  retries: number;
  bisects: number;
  /** Records or messages read and not yet completed. */
  inFlight: number;
  /** Records (Kinesis) covered by on-failure records sent to the destination. */
  sentToFailure: number;
  /** Kinesis: milliseconds between the newest read record's arrival and now, when it was read. */
  iteratorAgeMs: number;
  /** SQS: ScalingConfig.MaximumConcurrency in effect. */
  maximumConcurrency?: number;
}

export function emptyMappingStats(
  id: string,
  kind: MappingStats['kind'],
  functionName: string,
  source: string,
): MappingStats {
  return {
    id,
    kind,
    functionName,
    source,
    received: 0,
    succeeded: 0,
    batches: 0,
    failedBatches: 0,
    retries: 0,
    bisects: 0,
    inFlight: 0,
    sentToFailure: 0,
    iteratorAgeMs: 0,
  };
}

export interface RuntimeStats {
  endpoint: string | null;
  functions: FunctionStats[];
  mappings: MappingStats[];
}
