import { defaultMaxListeners, setMaxListeners } from 'node:events';
import pLimit from 'p-limit';
import { classifyError, type RetryOptions, retryWithBackoff } from '../aws/retry.js';
import { chunkBySize } from '../envelope/chunk.js';
import type { Position } from '../ledger/position.js';
import type { LedgerLease } from '../ledger/types.js';
import { DURATIONS, METRICS, type Telemetry } from '../observability/telemetry.js';
import type { DeliveryRecord, RecordOutcome, TargetAdapter } from '../targets/types.js';
import { type FailedRecord, IdempotencyStoreError, messageOf } from './errors.js';
import { heldBackReason, orderedWaves } from './ordered.js';
import type { Prepared } from './prepare.js';

export interface SendDeps {
  adapter: TargetAdapter;
  telemetry: Telemetry;
  deadline: number;
  retry: RetryOptions;
  now?: () => number;
  /** Keep each partition key's order: calls in waves, one after the other. */
  ordered?: boolean;
}

export interface SendResult {
  delivered: number;
  failures: FailedRecord[];
}

/** The position of a record in its shard: what the ledger records. */
export function positionOf(record: DeliveryRecord): Position {
  return { seq: record.sequenceNumber, sub: record.subSequence };
}

/**
 * Phase 3 of a delivery: sends the prepared records in calls up to the adapter's limits and records each call's
 * deliveries in the ledger as soon as it answers. An ordered target goes in waves (wave n holds the n-th record of
 * each partition key, so no call holds two records of one key) one after the other, and a key whose record failed
 * sends nothing more; any other target sends its calls `parallelCalls` at a time. If the ledger cannot record a
 * call's deliveries, the calls not started yet are skipped and the error is thrown once the calls in flight have
 * ended: none may go on after the invocation, past its lease.
 */
export async function sendRecords(
  prepared: readonly Prepared[],
  lease: LedgerLease,
  target: string,
  deps: SendDeps,
): Promise<SendResult> {
  const { adapter } = deps;
  const result: SendResult = { delivered: 0, failures: [] };
  const fail = (r: DeliveryRecord, retryable: boolean, reason: string): void => {
    result.failures.push({ key: r.key, sequenceNumber: r.sequenceNumber, retryable, reason });
  };
  const send = (chunk: DeliveryRecord[]): Promise<DeliveryRecord[]> =>
    sendCall(chunk, lease, target, deps, fail, (n) => {
      result.delivered += n;
    });
  const calls = (records: DeliveryRecord[]): DeliveryRecord[][] =>
    chunkBySize(records, (r) => adapter.sizeOf(r), {
      maxItems: adapter.limits.maxRecords,
      maxBytes: adapter.limits.maxBytes,
    }).chunks;

  if (deps.ordered) {
    const blocked = new Set<string>();
    for (const wave of orderedWaves(prepared, (p) => p.record.partitionKey)) {
      const ready: DeliveryRecord[] = [];
      for (const p of wave) {
        const pk = p.record.partitionKey;
        if (p.failure) {
          fail(p.record, p.failure.retryable, p.failure.reason);
          blocked.add(pk);
        } else if (blocked.has(pk)) fail(p.record, true, heldBackReason(pk));
        else ready.push(p.record);
      }
      for (const chunk of calls(ready)) for (const r of await send(chunk)) blocked.add(r.partitionKey);
    }
    return result;
  }

  for (const p of prepared) if (p.failure) fail(p.record, p.failure.retryable, p.failure.reason);
  const limit = pLimit(adapter.limits.parallelCalls);
  let stopped: { error: unknown } | undefined;
  await Promise.all(
    calls(prepared.filter((p) => !p.failure).map((p) => p.record)).map((chunk) =>
      limit(async () => {
        if (stopped) return;
        await send(chunk).catch((error: unknown) => {
          stopped ??= { error };
        });
      }),
    ),
  );
  if (stopped) throw stopped.error;
  return result;
}

/** One call's worth of records, retried until done; returns the records that were not delivered. */
async function sendCall(
  chunk: DeliveryRecord[],
  lease: LedgerLease,
  target: string,
  deps: SendDeps,
  fail: (r: DeliveryRecord, retryable: boolean, reason: string) => void,
  counted: (delivered: number) => void,
): Promise<DeliveryRecord[]> {
  const now = deps.now ?? Date.now;
  const reasons = new Map<string, string>();
  const lost: DeliveryRecord[] = [];
  let attempts = 0;
  const left = await retryWithBackoff(
    chunk,
    async (records) => {
      attempts++;
      // The call must not outlive the invocation: Lambda would kill it mid-flight, after the effect.
      const signal = AbortSignal.timeout(Math.max(1, Math.floor(deps.deadline - now())));
      // Each request of the call listens to this signal while it runs (the SDK's http handler, node:http), and a
      // call has at most one request per record in flight (an http target sends 16 at once): that many
      // listeners are the call's, not a leak Node should warn of past its default of 10.
      setMaxListeners(Math.max(records.length, defaultMaxListeners), signal);
      const outcomes = await deps.adapter.deliver(records, signal).catch((error: unknown) => {
        const { retryable, reason } = classifyError(error);
        return records.map((): RecordOutcome => ({ ok: false, retryable, reason }));
      });
      const ok: DeliveryRecord[] = [];
      const again: DeliveryRecord[] = [];
      records.forEach((r, i) => {
        const outcome = outcomes[i] ?? { ok: false, retryable: true, reason: 'adapter returned no outcome' };
        if (outcome.ok) ok.push(r);
        else if (outcome.retryable) {
          again.push(r);
          reasons.set(r.key, outcome.reason);
        } else {
          fail(r, false, outcome.reason);
          lost.push(r);
        }
      });
      if (ok.length > 0) {
        // Recorded at once: the window in which a crash could repeat a delivery is this one call.
        await lease.settle(ok.map(positionOf)).catch((error: unknown) => {
          throw new IdempotencyStoreError(
            `${ok.length} record(s) delivered to target "${target}" could not be recorded in the idempotency store, so a retry delivers them again: ${messageOf(error)}`,
            { cause: error },
          );
        });
        counted(ok.length);
        deps.telemetry.duration(
          DURATIONS.deliveryLatency,
          now() - Math.min(...ok.map((r) => r.arrivedAt)),
          target,
        );
      }
      return again;
    },
    deps.retry,
  );
  if (attempts > 1) deps.telemetry.count(METRICS.deliveryRetries, attempts - 1, target);
  for (const r of left) fail(r, true, reasons.get(r.key) ?? 'not delivered before the deadline');
  return [...lost, ...left];
}
