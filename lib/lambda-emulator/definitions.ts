/**
 * Validation of what callers register: functions and event source mappings, with Lambda's limits and
 * defaults. A bad value fails at registration with {@link ConfigError} naming the field, value and range.
 */

import { z } from 'zod';
import { ConfigError } from '../config/errors.js';
import { toProblems } from '../config/load.js';
import {
  DEFAULT_ASYNC_RETRY_ATTEMPTS,
  DEFAULT_MAX_EVENT_AGE_SECONDS,
  DEFAULT_STREAM_RETRY_ATTEMPTS,
} from './constants.js';
import type { FunctionDefinition } from './types.js';

const int = (min: number, max: number): z.ZodInt => z.int().min(min).max(max);
/** Emulators return hosts such as `sqs.us-east-1.127.0.0.1`, which strict URL validation refuses. */
const queueUrl = z.string().regex(/^https?:\/\/\S+$/, 'must be a queue URL as the SQS endpoint returned it');

const functionSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 characters of [A-Za-z0-9_-]'),
    handler: z.object({ file: z.string().min(1), export: z.string().min(1) }).strict(),
    env: z.record(z.string(), z.string()).default({}),
    timeoutSeconds: int(1, 900),
    memoryMb: int(128, 10_240),
    reservedConcurrency: int(0, 1000).optional(),
    async: z
      .object({
        maxRetryAttempts: int(0, 2).default(DEFAULT_ASYNC_RETRY_ATTEMPTS),
        maxEventAgeSeconds: int(60, 21_600).default(DEFAULT_MAX_EVENT_AGE_SECONDS),
        onFailureQueueUrl: queueUrl.optional(),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type ResolvedFunction = z.output<typeof functionSchema>;

const kinesisMappingSchema = z
  .object({
    functionName: z.string().min(1),
    /** Stream name: kinesalite refuses StreamARN parameters. */
    streamName: z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/, 'must be a stream name, not an ARN'),
    batchSize: int(1, 10_000).default(100),
    maximumBatchingWindowInSeconds: int(0, 300).default(0),
    parallelizationFactor: int(1, 10).default(1),
    startingPosition: z.enum(['LATEST', 'TRIM_HORIZON', 'AT_TIMESTAMP']).default('LATEST'),
    /** Epoch seconds, for AT_TIMESTAMP. */
    startingPositionTimestamp: z.number().optional(),
    maximumRetryAttempts: int(-1, 10_000).default(DEFAULT_STREAM_RETRY_ATTEMPTS),
    maximumRecordAgeInSeconds: z
      .int()
      .refine((v) => v === -1 || (v >= 60 && v <= 604_800), 'must be -1 (forever) or 60-604800 seconds')
      .default(-1),
    bisectBatchOnFunctionError: z.boolean().default(false),
    /** `FunctionResponseTypes: [ReportBatchItemFailures]`. */
    reportBatchItemFailures: z.boolean().default(false),
    onFailureQueueUrl: queueUrl.optional(),
    /**
     * Milliseconds between the starts of two GetRecords calls on a shard, busy or idle: Kinesis allows 5 calls a
     * second per shard (Lambda polls an idle shard about once a second).
     */
    pollIntervalMs: int(10, 10_000).default(200),
  })
  .strict();

export type KinesisMappingDefinition = z.input<typeof kinesisMappingSchema>;
export type KinesisMappingConfig = z.output<typeof kinesisMappingSchema>;

const sqsMappingSchema = z
  .object({
    functionName: z.string().min(1),
    /** Exactly as the SQS emulator returned it (CreateQueue / GetQueueUrl). */
    queueUrl,
    batchSize: int(1, 10_000).default(10),
    maximumBatchingWindowInSeconds: int(0, 300).default(0),
    /** `ScalingConfig.MaximumConcurrency`: concurrent invocations (pollers) of this mapping. */
    maximumConcurrency: int(2, 1000).default(2),
    reportBatchItemFailures: z.boolean().default(false),
  })
  .strict()
  .refine((m) => m.batchSize <= 10 || m.maximumBatchingWindowInSeconds >= 1, {
    path: ['maximumBatchingWindowInSeconds'],
    message: 'must be at least 1 when batchSize is over 10 (Lambda rule for SQS)',
  });

export type SqsMappingDefinition = z.input<typeof sqsMappingSchema>;
export type SqsMappingConfig = z.output<typeof sqsMappingSchema>;

function parse<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ConfigError(what, toProblems(result.error, input));
  return result.data;
}

export function resolveFunction(definition: FunctionDefinition): ResolvedFunction {
  return parse(functionSchema, definition, `function ${JSON.stringify(definition?.name ?? '?')}`);
}

export function resolveKinesisMapping(definition: KinesisMappingDefinition): KinesisMappingConfig {
  return parse(kinesisMappingSchema, definition, `Kinesis mapping of ${definition?.functionName ?? '?'}`);
}

export function resolveSqsMapping(definition: SqsMappingDefinition): SqsMappingConfig {
  return parse(sqsMappingSchema, definition, `SQS mapping of ${definition?.functionName ?? '?'}`);
}
