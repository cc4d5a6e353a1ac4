import type { SourceRecord } from './decode.js';
import type { RefusedRecord } from './refusal.js';

export interface UnitOutcome {
  /** Records whose message was accepted. */
  handedOff: number;
  bytes: number;
  calls: number;
  /** Records whose message could not be handed off (retryably, out of attempts or time): they decide the checkpoint. */
  failed: SourceRecord[];
  reasons: string[];
  /**
   * Records refused for good (an invalid message, access denied, no such queue), isolated by bisecting the
   * refused envelope: the dispatcher dead-letters them with the reason (dead-letter.ts) instead of stalling.
   */
  refused: RefusedRecord[];
}

/** An outcome with nothing in it yet. */
export const emptyOutcome = (): UnitOutcome => ({
  handedOff: 0,
  bytes: 0,
  calls: 0,
  failed: [],
  reasons: [],
  refused: [],
});

/** Adds `from` into `into`. */
export function addOutcome(into: UnitOutcome, from: UnitOutcome): void {
  into.handedOff += from.handedOff;
  into.bytes += from.bytes;
  into.calls += from.calls;
  into.failed.push(...from.failed);
  into.reasons.push(...from.reasons);
  into.refused.push(...from.refused);
}

/** Records not handed off (retryably): they decide the checkpoint. */
export function fail(outcome: UnitOutcome, records: SourceRecord[], reason: string): void {
  outcome.failed.push(...records);
  outcome.reasons.push(reason);
}
