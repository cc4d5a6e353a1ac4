import { interpretBatchResult } from '../batch-response.js';
import type { Clock } from '../clock.js';
import type { StreamFailureCondition } from '../constants.js';
import type { LastBatchResult } from '../destinations/records.js';
import type { InvokeOutcome } from '../types.js';
import type { StreamRecord } from './event.js';

/** A lane's settings: Lambda's stream mapping options, durations already in milliseconds and scaled. */
export interface LaneConfig {
  batchSize: number;
  maxBatchBytes: number;
  windowMs: number;
  /** -1: until the record expires. */
  maxRetryAttempts: number;
  /** -1: no limit. */
  maxRecordAgeMs: number;
  bisect: boolean;
  reportBatchItemFailures: boolean;
  /** Pause before retrying a failed batch. */
  retryDelayMs: (retry: number) => number;
}

/** What happened to a discarded batch, for its on-failure record. */
export interface Discard {
  records: StreamRecord[];
  condition: StreamFailureCondition;
  invokeCount: number;
  requestId?: string;
  lastResult?: LastBatchResult;
}

export interface LaneDeps {
  config: LaneConfig;
  clock: Clock;
  signal: AbortSignal;
  sizeOf: (record: StreamRecord) => number;
  invoke: (records: StreamRecord[]) => Promise<InvokeOutcome>;
  discard: (discard: Discard) => Promise<void>;
  /** Observers for stats. */
  on?: {
    batch?: (records: number, result: 'success' | 'partial' | 'failure') => void;
    done?: (records: number) => void;
    /** Records the lane is finished with (delivered, or discarded to the on-failure destination). */
    settled?: (records: StreamRecord[]) => void;
    retry?: () => void;
    bisect?: () => void;
  };
}

/** A part of a batch still to deliver; the halves of a bisected batch keep the retries already spent. */
interface Pending {
  records: StreamRecord[];
  retries: number;
  invocations: number;
  requestId?: string;
  lastResult?: LastBatchResult;
}

/**
 * One ordered lane of a shard (ParallelizationFactor gives a shard several): batches records as Lambda's
 * Kinesis event source mapping does and does not move past a batch until it succeeded or was discarded.
 *
 * - A partial failure (`batchItemFailures`) checkpoints at the lowest failed sequence number: that record
 *   and every later one in the batch are delivered again; earlier ones are not.
 * - A function error with bisect splits the batch in halves without spending a retry, which isolates a
 *   poison record; otherwise it spends a retry.
 * - Records older than MaximumRecordAgeInSeconds, and batches out of retries, go to the on-failure
 *   destination (metadata only) and the lane moves on.
 */
export class StreamLane {
  readonly #deps: LaneDeps;
  readonly #buffer: StreamRecord[] = [];
  #bufferSince = 0;
  #wake: (() => void) | undefined;

  constructor(deps: LaneDeps) {
    this.#deps = deps;
  }

  /** Records read and not yet taken into a batch. */
  get buffered(): number {
    return this.#buffer.length;
  }

  push(records: readonly StreamRecord[]): void {
    if (records.length === 0) return;
    if (this.#buffer.length === 0) this.#bufferSince = this.#deps.clock.now();
    this.#buffer.push(...records);
    this.#wake?.();
  }

  /** Delivers batches until the signal aborts. */
  async run(): Promise<void> {
    const { signal } = this.#deps;
    while (!signal.aborted) {
      if (!(await this.#batchReady())) continue;
      const batch = this.#take();
      await this.deliver(batch);
    }
  }

  /** Delivers one batch to completion: success, or discarded after retries / age (exposed for tests). */
  async deliver(batch: StreamRecord[]): Promise<void> {
    const { config, clock, signal, on } = this.#deps;
    const work: Pending[] = [{ records: batch, retries: 0, invocations: 0 }];
    while (work.length > 0 && !signal.aborted) {
      const item = work[0] as Pending;
      if (config.maxRecordAgeMs >= 0) {
        const now = clock.now();
        const expired = item.records.filter((record) => now - record.arrivalMs > config.maxRecordAgeMs);
        if (expired.length > 0) {
          await this.#discard(item, expired, 'MaximumRecordAgeExceeded');
          on?.settled?.(expired);
          const gone = new Set(expired);
          item.records = item.records.filter((record) => !gone.has(record));
          if (item.records.length === 0) {
            work.shift();
            continue;
          }
        }
      }
      const outcome = await this.#deps.invoke(item.records);
      if (signal.aborted) return;
      item.invocations++;
      item.requestId = outcome.requestId;
      const ids = item.records.map((record) => record.sequenceNumber);
      const result = interpretBatchResult(outcome, ids, config.reportBatchItemFailures);
      on?.batch?.(item.records.length, result.kind);
      if (result.kind === 'success') {
        on?.done?.(item.records.length);
        on?.settled?.(item.records);
        work.shift();
        continue;
      }
      if (result.kind === 'partial') {
        // Sequence numbers grow along the shard, so the first failed one in batch order is the lowest.
        const from = ids.indexOf(result.failed[0] as string);
        on?.done?.(from);
        on?.settled?.(item.records.slice(0, from));
        item.records = item.records.slice(from);
        item.lastResult = 'partial-failure';
      } else {
        item.lastResult = 'function-error';
        if (config.bisect && item.records.length > 1) {
          const half = Math.ceil(item.records.length / 2);
          const halves = [item.records.slice(0, half), item.records.slice(half)].map(
            (records): Pending => ({ records, retries: item.retries, invocations: 0 }),
          );
          work.splice(0, 1, ...halves);
          on?.bisect?.();
          continue;
        }
      }
      item.retries++;
      if (config.maxRetryAttempts >= 0 && item.retries > config.maxRetryAttempts) {
        await this.#discard(item, item.records, 'RetryAttemptsExhausted');
        on?.settled?.(item.records);
        work.shift();
        continue;
      }
      on?.retry?.();
      await clock.sleep(config.retryDelayMs(item.retries), signal);
    }
  }

  async #discard(item: Pending, records: StreamRecord[], condition: StreamFailureCondition): Promise<void> {
    await this.#deps.discard({
      records,
      condition,
      invokeCount: item.invocations,
      ...(item.requestId ? { requestId: item.requestId } : {}),
      ...(item.lastResult ? { lastResult: item.lastResult } : {}),
    });
  }

  /** Waits until a batch should start: full, or the batching window since the first buffered record ended. */
  async #batchReady(): Promise<boolean> {
    const { config, clock, signal } = this.#deps;
    if (this.#buffer.length >= config.batchSize) return true;
    let waitMs = Number.POSITIVE_INFINITY;
    if (this.#buffer.length > 0) {
      waitMs = this.#bufferSince + config.windowMs - clock.now();
      if (waitMs <= 0) return true;
    }
    const wake = new AbortController();
    this.#wake = () => wake.abort();
    const until = AbortSignal.any([signal, wake.signal]);
    if (Number.isFinite(waitMs)) await clock.sleep(waitMs, until);
    else
      await new Promise<void>((resolve) => until.addEventListener('abort', () => resolve(), { once: true }));
    this.#wake = undefined;
    return false;
  }

  #take(): StreamRecord[] {
    const { config, sizeOf } = this.#deps;
    let count = 0;
    let bytes = 0;
    for (const record of this.#buffer) {
      if (count >= config.batchSize) break;
      bytes += sizeOf(record);
      if (count > 0 && bytes > config.maxBatchBytes) break;
      count++;
    }
    const batch = this.#buffer.splice(0, count);
    if (this.#buffer.length > 0) this.#bufferSince = this.#deps.clock.now();
    return batch;
  }
}
