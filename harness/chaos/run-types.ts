/** What the phases of a chaos run (run.ts, run-setup.ts, run-replay.ts, run-audit.ts) share. */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { LocalPipeline } from '../../lib/local/pipeline.js';
import type { HttpDestination } from './http-destination.js';
import type { ChaosTarget } from './injector-deps.js';
import type { ChaosPlan, Fault } from './plan.js';
import type { PoisonKind } from './poison.js';
import type { QuiesceOptions } from './quiesce.js';
import type { SourcePosition } from './records.js';
import type { ChaosTargetSpec } from './targets.js';

export interface ChaosOptions {
  records: number;
  targets: number;
  faults: readonly Fault[];
  seed: number;
  /** Partition keys the records spread over (default `CHAOS_KEYS`, records.ts). */
  keys?: number;
  /** Rates and windows over the defaults of `defaultPlan` (plan.ts). */
  plan?: Partial<Omit<ChaosPlan, 'faults' | 'seed'>>;
  /** Progress lines (phases), for a terminal. */
  onPhase?: (phase: string) => void;
  /** Longest time without progress while waiting for quiescence (default 120 s). */
  quiesceTimeoutMs?: number;
  /**
   * Stops the run: it stops everything it started and rejects with the signal's reason (at once while records
   * go through; during set-up, once the step under way is done).
   */
  signal?: AbortSignal;
}

/** What the phases of a run work with. */
export interface ChaosRun {
  options: ChaosOptions;
  specs: ChaosTargetSpec[];
  /** The poison records, by index (with `poison-records`). */
  poison: Map<number, PoisonKind>;
  pipeline: LocalPipeline;
  http: HttpDestination;
  sqs: SQSClient;
  kinesis: KinesisClient;
  dynamo: DynamoDBClient;
  targets: ChaosTarget[];
  /** Where each record (by index) is in the source stream, once put. */
  positions: SourcePosition[];
  /** A record's idempotency key at a target. */
  keyOf: (target: string, index: number) => string | undefined;
  quiesce: QuiesceOptions;
  phase: (phase: string) => void;
}
