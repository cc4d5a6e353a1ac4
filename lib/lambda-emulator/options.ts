import { resolve } from 'node:path';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { AccountScope } from './arn.js';
import { type Clock, systemClock } from './clock.js';
import {
  DEFAULT_ACCOUNT_ID,
  DEFAULT_ASYNC_PAYLOAD_LIMIT,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_INIT_TIMEOUT_MS,
  DEFAULT_REGION,
  DEFAULT_UNRESERVED_CONCURRENCY,
} from './constants.js';
import type { ContainerLogLine } from './types.js';

export interface LocalLambdaRuntimeOptions {
  region?: string;
  accountId?: string;
  /** Where the Lambda API listens (default 127.0.0.1 on a free port). */
  host?: string;
  port?: number;
  /** Multiplies Lambda's long waits: async retry delays, maximum event and record ages (e.g. 0.001 in tests). */
  timeScale?: number;
  clock?: Clock;
  /** Needed for SQS mappings and on-failure destinations; give it the emulator's explicit endpoint. */
  sqs?: SQSClient;
  /** Needed for Kinesis mappings (HTTP/1.1 handler: kinesalite does not speak HTTP/2). */
  kinesis?: KinesisClient;
  /** Variables every container gets (emulator endpoints, credentials); `AWS_ENDPOINT_URL_LAMBDA` is added. */
  env?: Record<string, string>;
  /** Working directory of the containers (default: this process's). */
  cwd?: string;
  /** `Invoke` with `Event` payload limit in bytes (default 1 MB). */
  asyncPayloadLimit?: number;
  /** Containers of a function without reserved concurrency (default 8). */
  unreservedConcurrency?: number;
  idleTimeoutMs?: number;
  initTimeoutMs?: number;
  /** Every line containers print; also emitted as the `log` event. */
  onLog?: (line: ContainerLogLine) => void;
  /**
   * Keep the Kinesis mappings' checkpoints and the async invocations not finished at stop in this folder, and
   * resume from them at the next start (default: in memory only; a restart starts the mappings from their
   * starting position and drops what async invocations were waiting).
   */
  stateDir?: string;
}

/** The options with their defaults applied. */
export interface RuntimeSettings {
  scope: AccountScope;
  clock: Clock;
  timeScale: number;
  cwd: string;
  asyncPayloadLimit: number;
  unreservedConcurrency: number;
  idleTimeoutMs: number;
  initTimeoutMs: number;
  env: Record<string, string>;
  host?: string;
  port?: number;
  sqs?: SQSClient;
  kinesis?: KinesisClient;
  onLog?: (line: ContainerLogLine) => void;
  stateDir?: string;
}

export function runtimeSettings(options: LocalLambdaRuntimeOptions): RuntimeSettings {
  if (options.timeScale !== undefined && !(options.timeScale > 0)) {
    throw new RangeError(`timeScale ${options.timeScale} must be a number above 0`);
  }
  return {
    ...options,
    scope: { region: options.region ?? DEFAULT_REGION, accountId: options.accountId ?? DEFAULT_ACCOUNT_ID },
    clock: options.clock ?? systemClock,
    timeScale: options.timeScale ?? 1,
    cwd: resolve(options.cwd ?? process.cwd()),
    asyncPayloadLimit: options.asyncPayloadLimit ?? DEFAULT_ASYNC_PAYLOAD_LIMIT,
    unreservedConcurrency: options.unreservedConcurrency ?? DEFAULT_UNRESERVED_CONCURRENCY,
    idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    initTimeoutMs: options.initTimeoutMs ?? DEFAULT_INIT_TIMEOUT_MS,
    env: options.env ?? {},
  };
}
