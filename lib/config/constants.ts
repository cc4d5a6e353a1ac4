/**
 * Limits and defaults the configuration schema builds on.
 * Each one is an AWS limit or a documented Lambda default; see ../shared/REFERENCE.md.
 */

export const TARGET_TYPES = ['kinesis', 'sqs', 'sns', 'firehose', 'eventbridge', 'lambda', 'http'] as const;
export type TargetType = (typeof TARGET_TYPES)[number];

export const HANDOFF_MODES = ['invoke', 'queue'] as const;
export type HandoffMode = (typeof HANDOFF_MODES)[number];

/** How a worker makes sure a record is applied once. */
export const IDEMPOTENCY_MODES = ['store', 'native', 'none'] as const;
export type IdempotencyMode = (typeof IDEMPOTENCY_MODES)[number];

export const STARTING_POSITIONS = ['LATEST', 'TRIM_HORIZON', 'AT_TIMESTAMP'] as const;

/**
 * Records per dispatcher invocation unless `source.batchSize` says otherwise. Lambda's own default is 100; each
 * invocation's fixed work (decoding, one envelope and hand-off per target, a ledger lease and settle per envelope)
 * is spread over 5 times the records at 500, and with `batchWindow: 0` a batch holds only what the shard has, so
 * latency does not grow. Measured in local mode at 2,000 records/s through 3 targets: 981 ms of CPU per 1,000
 * records at 100, 542 at 500 (docs/benchmarks.md).
 */
export const DEFAULT_SOURCE_BATCH_SIZE = 500;

/**
 * Retries of a target's worker unless `retries` says otherwise: Lambda's own default for an async invocation
 * (EventInvokeConfig MaximumRetryAttempts, 0-2, default 2: after about 1 and 2 minutes). A `via: queue` target
 * gets as many (its queue's maxReceiveCount is retries + 1) before the envelope goes to its DLQ.
 */
export const DEFAULT_TARGET_RETRIES = 2;
/**
 * Retries of a dispatcher batch unless `source.maxRetryAttempts` says otherwise: Lambda's default for a Kinesis
 * event source mapping, -1, retries until the record expires. The dispatcher fails a batch only for a hand-off
 * that a retry can fix (a refusal for good goes to the target's DLQ), and a batch Lambda gives up on leaves the
 * fan-out with only its position in the failure queue.
 */
export const DEFAULT_SOURCE_RETRY_ATTEMPTS = -1;

/** Async `Invoke` payload limit (1 MB since late 2025; the legacy `InvokeAsync` API stays at 256 KB). */
export const ASYNC_INVOKE_PAYLOAD_LIMIT = 1_000_000;
/** SQS message and SendMessageBatch limit (1 MiB since 2025). */
export const SQS_MESSAGE_LIMIT = 1_048_576;

/** Target names become parts of function, queue and alarm names (Lambda: 64 characters). */
export const TARGET_NAME_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
/** What {@link TARGET_NAME_PATTERN} allows, as a field's message says it. */
export const TARGET_NAME_RULE = 'must be 1-32 characters of [a-z0-9-], starting and ending with [a-z0-9]';
