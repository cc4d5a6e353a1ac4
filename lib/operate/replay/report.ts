/** What a DLQ replay did, message by message, and the summary it prints (`--json` prints the same object). */
import { countPerOutcome, noteProblem, type Problem } from './tally.js';

/**
 * What happened to one DLQ message:
 * - `replayed`: handed off again and deleted from the DLQ;
 * - `would-replay`: `--dry-run`, it would have been;
 * - `failed`: the hand-off (or, with `--wait`, the worker) failed again: left in place;
 * - `not-replayable`: an oversize record that still does not fit, or that left the stream: left in place;
 * - `unparseable`: not something this target's worker takes: left in place (or moved with `--quarantine`);
 * - `quarantined`: moved to the quarantine queue;
 * - `not-selected`: outside `--filter`, `--older-than`, `--newer-than` or `--max`: left in place;
 * - `interrupted`: received, then Ctrl-C came before its hand-off started: left in place.
 */
export const MESSAGE_OUTCOMES = [
  'replayed',
  'would-replay',
  'failed',
  'not-replayable',
  'unparseable',
  'quarantined',
  'not-selected',
  'interrupted',
] as const;
export type MessageOutcome = (typeof MESSAGE_OUTCOMES)[number];

/** Outcomes that leave the message in the DLQ. */
const LEFT_IN_PLACE: ReadonlySet<MessageOutcome> = new Set([
  'would-replay',
  'failed',
  'not-replayable',
  'unparseable',
  'not-selected',
  'interrupted',
]);

export interface ReplayReport {
  target: string;
  via: 'invoke' | 'queue';
  dlq: string;
  dryRun: boolean;
  /** Synchronous replay (`--wait`): only then are `delivered` and `skipped` known. */
  wait: boolean;
  /** Ctrl-C stopped the run before the DLQ was read through. */
  interrupted: boolean;
  /** Messages per outcome. */
  messages: Record<MessageOutcome, number>;
  /** Messages still in the DLQ because of this run (every outcome but replayed and quarantined). */
  leftInPlace: number;
  records: {
    replayed: number;
    wouldReplay: number;
    /** Records the worker delivered now (`--wait` only, else null). */
    delivered: number | null;
    /** Records the worker skipped as already delivered: replaying twice never delivers twice (`--wait` only). */
    skipped: number | null;
    failed: number;
  };
  /** Selected messages grouped by their error, most frequent first. */
  byError: Array<{ error: string; messages: number; records: number }>;
  /** Messages that were not replayed, with the reason (the first 50). */
  problems: Array<Problem<MessageOutcome>>;
}

export interface MessageResult {
  messageId: string;
  outcome: MessageOutcome;
  /** Records the message stands for (0 when unknown). */
  records: number;
  /** The error it failed with (selected messages only: they make `byError`). */
  error?: string;
  /** Why it was not replayed. */
  reason?: string;
  delivered?: number;
  skipped?: number;
}

/** Adds up message results into a {@link ReplayReport}. */
export class ReplayTally {
  readonly #report: ReplayReport;
  readonly #errors = new Map<string, { messages: number; records: number }>();

  constructor(head: Pick<ReplayReport, 'target' | 'via' | 'dlq' | 'dryRun' | 'wait'>) {
    this.#report = {
      ...head,
      interrupted: false,
      messages: countPerOutcome(MESSAGE_OUTCOMES),
      leftInPlace: 0,
      records: {
        replayed: 0,
        wouldReplay: 0,
        delivered: head.wait ? 0 : null,
        skipped: head.wait ? 0 : null,
        failed: 0,
      },
      byError: [],
      problems: [],
    };
  }

  add(result: MessageResult): void {
    const r = this.#report;
    r.messages[result.outcome]++;
    if (LEFT_IN_PLACE.has(result.outcome)) r.leftInPlace++;
    if (result.outcome === 'replayed') {
      r.records.replayed += result.records;
      if (r.records.delivered !== null) r.records.delivered += result.delivered ?? 0;
      if (r.records.skipped !== null) r.records.skipped += result.skipped ?? 0;
    } else if (result.outcome === 'would-replay') r.records.wouldReplay += result.records;
    else if (result.outcome === 'failed') r.records.failed += result.records;
    if (result.error !== undefined) {
      const entry = this.#errors.get(result.error) ?? { messages: 0, records: 0 };
      entry.messages++;
      entry.records += result.records;
      this.#errors.set(result.error, entry);
    }
    noteProblem(r.problems, result);
  }

  interrupted(): void {
    this.#report.interrupted = true;
  }

  report(): ReplayReport {
    return {
      ...this.#report,
      byError: [...this.#errors]
        .map(([error, counts]) => ({ error, ...counts }))
        .sort((a, b) => b.messages - a.messages || a.error.localeCompare(b.error)),
    };
  }
}
