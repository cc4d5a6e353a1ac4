import { retryWithBackoff } from '../aws/retry.js';
import { chunkBySize } from '../envelope/chunk.js';
import { HandoffError, type HandoffPort, type QueueEntry } from '../handoff/types.js';
import type { SourceRecord } from './decode.js';

/**
 * One hand-off call's worth of work: an envelope for `Invoke`, or up to 10 messages for `SendMessageBatch`
 * (envelopes to a target queue, or oversize-record notices to a target DLQ).
 */
export type HandoffUnit =
  | {
      kind: 'invoke';
      target: string;
      functionName: string;
      payload: Uint8Array;
      bytes: number;
      records: SourceRecord[];
    }
  | {
      kind: 'queue';
      target: string;
      queueName: string;
      /** `dlq`: oversize-record notices to the target's DLQ rather than envelopes to its queue. */
      purpose: 'handoff' | 'dlq';
      messages: QueueMessage[];
    }
  | {
      /**
       * An ordered target's envelopes to its FIFO queue, in rounds: round n holds the n-th envelope of each
       * message group, and a group whose envelope failed sends nothing in later rounds (see ordered.ts).
       */
      kind: 'ordered';
      target: string;
      queueName: string;
      rounds: QueueMessage[][];
    };

/** A unit that is one call (with its retries): what {@link runUnit} runs. */
export type CallUnit = Exclude<HandoffUnit, { kind: 'ordered' }>;

export interface QueueMessage {
  body: string;
  bytes: number;
  /** Records this message stands for: on failure the dispatcher checkpoints at the lowest of them. */
  records: SourceRecord[];
  /** FIFO queues (ordered targets): message group and deduplication id. */
  group?: string;
  dedupId?: string;
}

export interface UnitOutcome {
  /** Records whose message was accepted. */
  handedOff: number;
  bytes: number;
  calls: number;
  /** Records whose message could not be handed off: they decide the checkpoint. */
  failed: SourceRecord[];
  reasons: string[];
}

export interface UnitRunOptions {
  deadline: number;
  maxAttempts: number;
  now: () => number;
  random: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Groups queue messages into SendMessageBatch calls: ≤ 10 entries and ≤ `maxBytes` per call. */
export function queueUnits(
  target: string,
  queueName: string,
  messages: QueueMessage[],
  maxBytes: number,
  purpose: 'handoff' | 'dlq' = 'handoff',
): CallUnit[] {
  return chunkBySize(messages, (m) => m.bytes, { maxItems: 10, maxBytes }).chunks.map((chunk) => ({
    kind: 'queue' as const,
    target,
    queueName,
    purpose,
    messages: chunk,
  }));
}

/**
 * Runs one unit with jittered-backoff retries until it succeeds, a non-retryable error, the attempt limit or
 * the deadline. A SendMessageBatch retries only the entries SQS refused.
 */
export async function runUnit(
  unit: CallUnit,
  port: HandoffPort,
  options: UnitRunOptions,
): Promise<UnitOutcome> {
  const outcome: UnitOutcome = { handedOff: 0, bytes: 0, calls: 0, failed: [], reasons: [] };
  const fail = (records: SourceRecord[], reason: string): void => {
    outcome.failed.push(...records);
    outcome.reasons.push(reason);
  };
  const retry = {
    deadline: options.deadline,
    maxAttempts: options.maxAttempts,
    now: options.now,
    random: options.random,
    ...(options.sleep ? { sleep: options.sleep } : {}),
  };

  if (unit.kind === 'invoke') {
    let lastReason = '';
    const left = await retryWithBackoff(
      [unit],
      async (pending) => {
        outcome.calls++;
        try {
          await port.invokeAsync(unit.functionName, unit.payload);
          outcome.handedOff += unit.records.length;
          outcome.bytes += unit.bytes;
          return [];
        } catch (error) {
          const e = toHandoffError(error);
          lastReason = e.message;
          if (e.retryable) return pending;
          fail(unit.records, e.message);
          return [];
        }
      },
      retry,
    );
    if (left.length > 0) fail(unit.records, `gave up after ${outcome.calls} attempts: ${lastReason}`);
    return outcome;
  }

  const entries = unit.messages.map((message, index) => ({ id: String(index), message }));
  let lastReason = '';
  const left = await retryWithBackoff(
    entries,
    async (pending) => {
      outcome.calls++;
      try {
        const url = await port.queueUrl(unit.queueName);
        const refused = await port.sendBatch(
          url,
          pending.map(
            (p): QueueEntry => ({
              id: p.id,
              body: p.message.body,
              ...(p.message.group === undefined ? {} : { groupId: p.message.group }),
              ...(p.message.dedupId === undefined ? {} : { deduplicationId: p.message.dedupId }),
            }),
          ),
        );
        const refusedById = new Map(refused.map((r) => [r.id, r]));
        const again: typeof pending = [];
        for (const p of pending) {
          const r = refusedById.get(p.id);
          if (!r) {
            outcome.handedOff += p.message.records.length;
            outcome.bytes += p.message.bytes;
          } else if (r.retryable) {
            lastReason = r.reason;
            again.push(p);
          } else {
            fail(p.message.records, `${unit.queueName}: ${r.reason}`);
          }
        }
        return again;
      } catch (error) {
        const e = toHandoffError(error);
        lastReason = e.message;
        if (e.retryable) return pending;
        for (const p of pending) fail(p.message.records, e.message);
        return [];
      }
    },
    retry,
  );
  for (const p of left) fail(p.message.records, `gave up after ${outcome.calls} attempts: ${lastReason}`);
  return outcome;
}

function toHandoffError(error: unknown): HandoffError {
  return error instanceof HandoffError
    ? error
    : new HandoffError(String((error as Error)?.message ?? error), false, { cause: error });
}
