/** The faults a chaos run can inject, and how strongly (rates, windows, counts). */

export const FAULTS = [
  'invoke-throttle',
  'sqs-throttle',
  'worker-error',
  'http-errors',
  'http-outage',
  'kinesis-partial',
  'dispatcher-crash',
  'worker-crash-after-delivery',
  'store-restart',
  'poison-records',
] as const;
export type Fault = (typeof FAULTS)[number];

export const FAULT_DESCRIPTIONS: Record<Fault, string> = {
  'invoke-throttle': 'Lambda Invoke answers 429 TooManyRequestsException (local runtime API hook)',
  'sqs-throttle': 'SQS SendMessageBatch answers 429/500, or fails some entries in Failed[] (proxy)',
  'worker-error': 'a worker invocation fails before its handler runs, as a crash would (runtime hook)',
  'http-errors': 'http destinations answer 500 to some requests',
  'http-outage': 'http destinations answer 503 to everything for a window',
  'kinesis-partial':
    'Kinesis destinations fail some PutRecords entries (ProvisionedThroughputExceeded, proxy)',
  'dispatcher-crash': "the dispatcher's containers are killed right after a hand-off, mid-batch",
  'worker-crash-after-delivery':
    "a worker's containers are killed as the destination's answer is sent, before keys are recorded",
  'store-restart': 'dynalite (the idempotency table) is stopped and restarted on the same port',
  'poison-records':
    'hostile records in the stream: keys SQS refuses (U+FFFE, U+FFFF, lone surrogates, emoji), an 800 KB record, data that is not JSON for a target with a transform',
};

export interface ChaosPlan {
  faults: ReadonlySet<Fault>;
  seed: number;
  invokeThrottleRate: number;
  sqsThrottleRate: number;
  sqsEntryFailureRate: number;
  workerErrorRate: number;
  httpErrorRate: number;
  kinesisEntryFailureRate: number;
  /** Seconds each http destination is down, starting with its first request. */
  outageSeconds: number;
  dispatcherCrashes: number;
  /** Per worker target. */
  workerCrashes: number;
  /** Seconds the store stays down. */
  storeDownSeconds: number;
}

export function defaultPlan(faults: Iterable<Fault>, seed: number): ChaosPlan {
  return {
    faults: new Set(faults),
    seed,
    invokeThrottleRate: 0.1,
    sqsThrottleRate: 0.05,
    sqsEntryFailureRate: 0.05,
    workerErrorRate: 0.05,
    httpErrorRate: 0.03,
    kinesisEntryFailureRate: 0.1,
    outageSeconds: 5,
    dispatcherCrashes: 2,
    workerCrashes: 2,
    storeDownSeconds: 2,
  };
}

/** `all`, or a comma-separated list of fault names; throws a RangeError naming the ones allowed. */
export function parseFaults(text: string): Fault[] {
  const trimmed = text.trim();
  if (trimmed === 'all') return [...FAULTS];
  if (trimmed === 'none') return [];
  const names = trimmed.split(',').map((s) => s.trim());
  for (const name of names) {
    if (!(FAULTS as readonly string[]).includes(name)) {
      throw new RangeError(`unknown fault "${name}"; use all, none or a list of: ${FAULTS.join(', ')}`);
    }
  }
  return names as Fault[];
}
