import { join } from 'node:path';
import type { AsyncEventQueue } from './async/event-queue.js';
import { readSavedEvents, type SavedAsyncEvents, writeSavedEvents } from './async/saved-events.js';
import { type CheckpointStore, fileCheckpoints, memoryCheckpoints } from './kinesis/checkpoint.js';

/** What a stop did with the work not finished (see the runtime's `stateDir` option). */
export interface RuntimeStopReport {
  /** Async invocations not finished (queued, waiting for a retry, interrupted), by function. */
  unfinishedAsync: Record<string, number>;
  /** True when they were saved to the state folder for the next start. */
  kept: boolean;
}

/** What a start took back from the state folder. */
export interface RuntimeResumeReport {
  /** Async invocations queued again, by function. */
  restoredAsync: Record<string, number>;
  /** Saved invocations of functions not registered now: kept in the file for a later start. */
  orphanedAsync: Record<string, number>;
  /** Kinesis shards resuming from a checkpoint. */
  checkpoints: number;
}

/**
 * What the runtime keeps across a restart in its state folder: the Kinesis mappings' checkpoints
 * (`kinesis-checkpoints.json`) and the async invocations not finished at stop (`async-events.json`). Without a
 * folder, checkpoints live in memory and unfinished invocations are only counted.
 */
export class RuntimeState {
  readonly checkpoints: CheckpointStore;
  readonly #dir: string | undefined;
  #orphans: SavedAsyncEvents = {};
  #resumed: RuntimeResumeReport = { restoredAsync: {}, orphanedAsync: {}, checkpoints: 0 };

  /** @throws LocalRuntimeError for a checkpoints file that cannot be read. */
  constructor(dir: string | undefined) {
    this.#dir = dir;
    this.checkpoints = dir ? fileCheckpoints(join(dir, 'kinesis-checkpoints.json')) : memoryCheckpoints();
  }

  get resumed(): RuntimeResumeReport {
    return this.#resumed;
  }

  /** Queues again the invocations saved at the last stop; keeps those of functions not registered now aside. */
  restore(queues: ReadonlyMap<string, AsyncEventQueue>): void {
    this.#resumed = { restoredAsync: {}, orphanedAsync: {}, checkpoints: this.checkpoints.count() };
    if (!this.#dir) return;
    for (const [name, events] of Object.entries(readSavedEvents(join(this.#dir, 'async-events.json')))) {
      const queue = queues.get(name);
      if (queue) {
        queue.restore(events);
        this.#resumed.restoredAsync[name] = events.length;
      } else {
        this.#orphans[name] = events;
        this.#resumed.orphanedAsync[name] = events.length;
      }
    }
  }

  /**
   * After the queues stopped: writes the checkpoints and the unfinished invocations (with those kept aside).
   * `started` false (a runtime that never ran) writes nothing: what a previous run saved stays.
   */
  save(queues: ReadonlyMap<string, AsyncEventQueue>, started: boolean): RuntimeStopReport {
    const report: RuntimeStopReport = { unfinishedAsync: {}, kept: Boolean(this.#dir) };
    this.checkpoints.flush();
    const saved: SavedAsyncEvents = { ...this.#orphans };
    for (const [name, queue] of queues) {
      const events = queue.unfinished();
      if (events.length === 0) continue;
      saved[name] = [...(saved[name] ?? []), ...events];
      report.unfinishedAsync[name] = events.length;
    }
    if (this.#dir && started) writeSavedEvents(join(this.#dir, 'async-events.json'), saved);
    return report;
  }
}
