import type { LocalPipeline } from '../../lib/local/pipeline.js';
import type { HttpDestination } from './http-destination.js';
import type { ChaosPlan } from './plan.js';
import type { FaultProxy } from './proxy.js';

/** A target of the run, as the injector needs to know it. */
export interface ChaosTarget {
  name: string;
  type: 'kinesis' | 'http';
  worker: string;
  /** Destination calls the run will make to it, about (to place one-off faults inside the run). */
  expectedCalls: number;
  /** The worker's timeout: how long an invocation (and its lease on its records) lasts at most. */
  timeoutSeconds: number;
}

export interface InjectorDeps {
  pipeline: LocalPipeline;
  plan: ChaosPlan;
  targets: readonly ChaosTarget[];
  sqsProxy: FaultProxy;
  kinesisProxy: FaultProxy;
  http: HttpDestination;
  /** Hand-offs the run will make, about. */
  expectedHandoffs: number;
  /** dynalite's data folder, so that a restart keeps the delivered keys. */
  storeDataDir: string | undefined;
  /** The record index in a record's data. */
  indexOf: (data: Buffer) => number | undefined;
  /** A record's idempotency key at a target. */
  keyOf: (target: string, index: number) => string | undefined;
  /**
   * The records (by index) among `indexes` that the idempotency ledger records as delivered to a target (read to
   * see what a dead worker left unrecorded). Throws while the store is down.
   */
  recorded: (target: string, indexes: readonly number[]) => Promise<Set<number>>;
}
