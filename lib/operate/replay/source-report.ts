/** What `fanout replay --source` did with each failure record, and its summary (`--json` prints it). */
import type { TargetConfig } from '../../config/schema.js';
import type { MissingRange } from '../stream.js';
import { countPerOutcome, noteProblem, type Problem } from './tally.js';

/**
 * - `redispatched`: the whole range was read and handed off again; the failure record was deleted;
 * - `would-redispatch`: `--dry-run`;
 * - `partial`: part of the range is past retention: what was left was re-dispatched, the record stays;
 * - `expired`: nothing of the range is left in the stream: the record stays (reported with its range);
 * - `failed`: a hand-off failed again: the record stays;
 * - `unparseable`: not a Kinesis on-failure record: the record stays;
 * - `interrupted`: Ctrl-C came first: the record stays.
 */
export const BATCH_OUTCOMES = [
  'redispatched',
  'would-redispatch',
  'partial',
  'expired',
  'failed',
  'unparseable',
  'interrupted',
] as const;
export type BatchOutcome = (typeof BATCH_OUTCOMES)[number];

export interface TargetCounts {
  /** Records the target had delivered already (not handed to it again). */
  alreadyDelivered: number;
  /** Records re-dispatched that the target's filter took. */
  routed: number;
  handedOff: number;
  failed: number;
}

export interface BatchResult {
  messageId: string;
  outcome: BatchOutcome;
  shardId?: string;
  /** Records read again from the stream. */
  read?: number;
  missing?: MissingRange[];
  perTarget?: Record<string, TargetCounts>;
  reason?: string;
}

export interface SourceReplayReport {
  failureQueue: string;
  dryRun: boolean;
  interrupted: boolean;
  /** Failure records per outcome. */
  batches: Record<BatchOutcome, number>;
  /** Failure records still in the queue because of this run. */
  leftInPlace: number;
  recordsRead: number;
  targets: Array<{ target: string; excluded?: string } & TargetCounts>;
  /** Ranges no longer in the stream, by failure record. */
  missing: Array<{ messageId: string; shardId: string } & MissingRange>;
  problems: Array<Problem<BatchOutcome>>;
}

const noCounts = (): TargetCounts => ({ alreadyDelivered: 0, routed: 0, handedOff: 0, failed: 0 });

/** Adds up {@link BatchResult}s. */
export class SourceTally {
  readonly #report: SourceReplayReport;

  constructor(head: {
    failureQueue: string;
    dryRun: boolean;
    targets: readonly TargetConfig[];
    exclude?: ReadonlyMap<string, string> | undefined;
  }) {
    this.#report = {
      failureQueue: head.failureQueue,
      dryRun: head.dryRun,
      interrupted: false,
      batches: countPerOutcome(BATCH_OUTCOMES),
      leftInPlace: 0,
      recordsRead: 0,
      targets: [
        ...head.targets.map((t) => ({ target: t.name, ...noCounts() })),
        ...[...(head.exclude ?? [])].map(([target, excluded]) => ({ target, excluded, ...noCounts() })),
      ],
      missing: [],
      problems: [],
    };
  }

  add(result: BatchResult): void {
    const r = this.#report;
    r.batches[result.outcome]++;
    if (result.outcome !== 'redispatched') r.leftInPlace++;
    r.recordsRead += result.read ?? 0;
    for (const [name, counts] of Object.entries(result.perTarget ?? {})) {
      const row = r.targets.find((t) => t.target === name);
      if (!row) continue;
      row.alreadyDelivered += counts.alreadyDelivered;
      row.routed += counts.routed;
      row.handedOff += counts.handedOff;
      row.failed += counts.failed;
    }
    for (const m of result.missing ?? []) {
      r.missing.push({ messageId: result.messageId, shardId: result.shardId ?? '', ...m });
    }
    noteProblem(r.problems, result);
  }

  interrupted(): void {
    this.#report.interrupted = true;
  }

  report(): SourceReplayReport {
    return structuredClone(this.#report);
  }
}
