import { type RetryOptions, retryWithBackoff } from '../aws/retry.js';
import { chunkBySize } from '../envelope/chunk.js';
import { HandoffError } from '../handoff/errors.js';
import type { HandoffPort, QueueEntry } from '../handoff/types.js';
import { isolateRefused, type Refusal } from './bisect.js';
import type { CallUnit, QueueMessage } from './handoff-unit.js';
import { emptyOutcome, fail, type UnitOutcome } from './unit-outcome.js';

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
 * the deadline. A SendMessageBatch retries only the entries SQS refused. What is refused for good is bisected
 * (see {@link isolateRefused}) down to the records that cause it, which end in `refused`.
 */
export async function runUnit(
  unit: CallUnit,
  port: HandoffPort,
  options: UnitRunOptions,
): Promise<UnitOutcome> {
  const outcome = emptyOutcome();
  const refusals: Refusal[] = [];
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
          refusals.push({ records: unit.records, reason: e.message, code: e.code, payload: unit.payload });
          return [];
        }
      },
      retry,
    );
    if (left.length > 0)
      fail(outcome, unit.records, `gave up after ${outcome.calls} attempts: ${lastReason}`);
  } else {
    await runQueueUnit(unit, port, retry, outcome, refusals);
  }
  for (const refusal of refusals) {
    await isolateRefused(unit, refusal, outcome, (part) => runUnit(part, port, options));
  }
  return outcome;
}

async function runQueueUnit(
  unit: Extract<CallUnit, { kind: 'queue' }>,
  port: HandoffPort,
  retry: RetryOptions,
  outcome: UnitOutcome,
  refusals: Refusal[],
): Promise<void> {
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
            const reason = `${unit.queueName}: ${r.reason}`;
            refusals.push({ records: p.message.records, reason, code: r.code, message: p.message });
          }
        }
        return again;
      } catch (error) {
        const e = toHandoffError(error);
        lastReason = e.message;
        if (e.retryable) return pending;
        const messages = pending.map((p) => p.message);
        refusals.push({
          records: messages.flatMap((m) => m.records),
          reason: e.message,
          code: e.code,
          messages,
        });
        return [];
      }
    },
    retry,
  );
  for (const p of left)
    fail(outcome, p.message.records, `gave up after ${outcome.calls} attempts: ${lastReason}`);
}

function toHandoffError(error: unknown): HandoffError {
  return error instanceof HandoffError
    ? error
    : new HandoffError(String((error as Error)?.message ?? error), false, { cause: error });
}
