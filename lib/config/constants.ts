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

/** Async `Invoke` payload limit (1 MB since late 2025; the legacy `InvokeAsync` API stays at 256 KB). */
export const ASYNC_INVOKE_PAYLOAD_LIMIT = 1_000_000;
/** SQS message and SendMessageBatch limit (1 MiB since 2025). */
export const SQS_MESSAGE_LIMIT = 1_048_576;

/** Target names become parts of function, queue and alarm names (Lambda: 64 characters). */
export const TARGET_NAME_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
