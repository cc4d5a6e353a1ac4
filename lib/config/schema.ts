import { z } from 'zod';
import {
  ASYNC_INVOKE_PAYLOAD_LIMIT,
  HANDOFF_MODES,
  IDEMPOTENCY_MODES,
  SQS_MESSAGE_LIMIT,
  STARTING_POSITIONS,
  TARGET_NAME_PATTERN,
  TARGET_TYPES,
} from './constants.js';

const int = (min: number, max: number): z.ZodInt => z.int().min(min).max(max);

/** Kinesis event source mapping settings of the dispatcher (Lambda's limits). */
const sourceSchema = z
  .object({
    /** Stream name or ARN (`arn:aws:kinesis:<region>:<account>:stream/<name>`). */
    stream: z
      .string()
      .regex(
        /^(arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d{12}:stream\/[A-Za-z0-9_.-]{1,128}|[A-Za-z0-9_.-]{1,128})$/,
        'must be a stream name ([A-Za-z0-9_.-], 1-128 characters) or a Kinesis stream ARN',
      ),
    batchSize: int(1, 10_000).default(100),
    batchWindow: int(0, 300).default(0),
    parallelizationFactor: int(1, 10).default(1),
    startingPosition: z.enum(STARTING_POSITIONS).default('LATEST'),
    startingPositionTimestamp: z.number().optional(),
    maxRetryAttempts: int(-1, 10_000).default(-1),
    maxRecordAge: z
      .int()
      .refine((v) => v === -1 || (v >= 60 && v <= 604_800), 'must be -1 (forever) or 60-604800 seconds')
      .default(-1),
    bisectOnError: z.boolean().default(true),
    /** Create the stream with the stack (false: reference an existing one). */
    create: z.boolean().default(true),
    shards: int(1, 10_000).default(1),
    retentionHours: int(24, 8_760).default(24),
    /** Read through an enhanced fan-out consumer (2 MB/s of its own per shard). */
    enhancedFanOut: z.boolean().default(false),
  })
  .strict();

const dispatcherSchema = z
  .object({
    timeout: int(3, 900).default(60),
    memory: int(128, 10_240).default(1024),
    /** Hand-off calls in flight at once, over all targets. */
    handoffConcurrency: int(1, 256).default(16),
    /** Bytes of one envelope handed to `Invoke` with `InvocationType: Event`. */
    invokePayloadLimit: int(1024, ASYNC_INVOKE_PAYLOAD_LIMIT).default(ASYNC_INVOKE_PAYLOAD_LIMIT),
    /** Bytes of one SQS message (and of one SendMessageBatch call). */
    queueMessageLimit: int(1024, SQS_MESSAGE_LIMIT).default(SQS_MESSAGE_LIMIT),
  })
  .strict();

const httpOptionsSchema = z
  .object({
    method: z.enum(['POST', 'PUT']).default('POST'),
    headers: z.record(z.string(), z.string()).default({}),
    contentType: z.string().default('application/octet-stream'),
    timeoutMs: int(100, 900_000).default(10_000),
    /** Plain http:// is refused unless this is set (local receivers, tests). */
    allowInsecure: z.boolean().default(false),
  })
  .strict();

const eventBridgeOptionsSchema = z
  .object({
    source: z.string().min(1).max(256).default('kinesis-fanout'),
    detailType: z.string().min(1).max(128).default('kinesis-record'),
  })
  .strict();

const targetFields = z
  .object({
    name: z
      .string()
      .regex(TARGET_NAME_PATTERN, 'must be 1-32 characters of [a-z0-9-], starting and ending with [a-z0-9]'),
    type: z.enum(TARGET_TYPES),
    /** Stream / queue / topic / delivery stream / bus / function (name or ARN), or URL for http. */
    destination: z.string().min(1),
    via: z.enum(HANDOFF_MODES).default('invoke'),
    concurrency: int(1, 1000).default(5),
    /** Worker attempts after the first before the envelope goes to the target's DLQ. */
    retries: int(0, 999).default(2),
    enabled: z.boolean().default(true),
    /**
     * `store`: skip records already delivered using the DynamoDB idempotency table.
     * `native`: rely on the destination (SQS/SNS FIFO deduplication id, http `Idempotency-Key`).
     * `none`: at-least-once delivery, no store operations.
     * Default: `native` for FIFO queues and topics, `store` otherwise.
     */
    idempotency: z.enum(IDEMPOTENCY_MODES).optional(),
    timeout: int(3, 900).default(30),
    memory: int(128, 10_240).default(512),
    /** Maximum event age for `via: invoke` (Lambda EventInvokeConfig). */
    maxEventAge: int(60, 21_600).default(21_600),
    /** SQS event source mapping batch size for `via: queue`. */
    batchSize: int(1, 10_000).default(10),
    http: httpOptionsSchema.optional(),
    eventbridge: eventBridgeOptionsSchema.optional(),
  })
  .strict();

/** Rules across a target's fields (they run once the fields themselves are valid). */
function checkTarget(
  target: z.output<typeof targetFields>,
  ctx: z.core.$RefinementCtx<z.output<typeof targetFields>>,
): void {
  if (target.via === 'queue' && target.concurrency < 2) {
    ctx.addIssue({
      code: 'custom',
      path: ['concurrency'],
      message: `is ${target.concurrency}, but an SQS event source mapping needs 2-1000 (via: queue)`,
    });
  }
  if (target.via === 'invoke' && target.retries > 2) {
    ctx.addIssue({
      code: 'custom',
      path: ['retries'],
      message: `is ${target.retries}, but Lambda retries an async invocation 0-2 times (via: invoke); use via: queue for more`,
    });
  }
  if (target.type === 'http') {
    let url: URL | undefined;
    try {
      url = new URL(target.destination);
    } catch {
      ctx.addIssue({
        code: 'custom',
        path: ['destination'],
        message: `"${target.destination}" is not a URL; an http target needs https://host/path`,
      });
    }
    if (url && url.protocol !== 'https:' && !(url.protocol === 'http:' && target.http?.allowInsecure)) {
      ctx.addIssue({
        code: 'custom',
        path: ['destination'],
        message: `"${target.destination}" is not https; set http.allowInsecure: true to allow plain http`,
      });
    }
  }
  if (target.idempotency === 'native' && !supportsNativeIdempotency(target.type, target.destination)) {
    ctx.addIssue({
      code: 'custom',
      path: ['idempotency'],
      message: `"native" needs a destination that deduplicates (an sqs/sns FIFO destination or an http target); use "store" or "none" for ${target.type}`,
    });
  }
}

const targetSchema = targetFields.superRefine(checkTarget);

/**
 * Duplicate names, checked on the raw input so they are reported together with every other problem
 * (zod skips refinements of an object whose fields have issues).
 */
export function duplicateNameIssues(
  input: unknown,
): Array<{ path: Array<string | number>; message: string }> {
  const targets = (input as { targets?: unknown })?.targets;
  if (!Array.isArray(targets)) return [];
  const seen = new Map<string, number>();
  const issues: Array<{ path: Array<string | number>; message: string }> = [];
  targets.forEach((target: unknown, index) => {
    const name = (target as { name?: unknown })?.name;
    if (typeof name !== 'string') return;
    const first = seen.get(name);
    if (first === undefined) seen.set(name, index);
    else
      issues.push({
        path: ['targets', index, 'name'],
        message: `duplicate target name "${name}" (also targets[${first}].name); names must be unique`,
      });
  });
  return issues;
}

export const configSchema = z
  .object({
    /** Service name: prefix of every resource name. */
    service: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,23}$/, 'must be 1-24 characters of [a-z0-9-], starting with a letter')
      .default('fanout'),
    source: sourceSchema,
    dispatcher: dispatcherSchema.prefault({}),
    idempotency: z
      .object({
        /** Seconds a delivered key is remembered (DynamoDB TTL); longer than the stream retention. */
        ttlSeconds: int(60, 31_536_000).default(8 * 24 * 3600),
      })
      .strict()
      .prefault({}),
    targets: z.array(targetSchema).min(1, 'must list at least one target'),
  })
  .strict()
  .superRefine((config, ctx) => {
    for (const issue of duplicateNameIssues(config)) ctx.addIssue({ code: 'custom', ...issue });
    if (!config.targets.some((t) => t.enabled)) {
      ctx.addIssue({ code: 'custom', path: ['targets'], message: 'has no enabled target' });
    }
  });

/** True when the destination itself drops a repeated idempotency key. */
export function supportsNativeIdempotency(type: string, destination: string): boolean {
  if (type === 'http') return true;
  return (type === 'sqs' || type === 'sns') && destination.endsWith('.fifo');
}

export type FanoutConfigInput = z.input<typeof configSchema>;
export type FanoutConfig = z.output<typeof configSchema>;
export type SourceConfig = FanoutConfig['source'];
export type TargetConfig = FanoutConfig['targets'][number];
export type DispatcherConfig = FanoutConfig['dispatcher'];
