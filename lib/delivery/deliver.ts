import pLimit from 'p-limit';
import { classifyError, retryWithBackoff } from '../aws/retry.js';
import { chunkBySize } from '../envelope/chunk.js';
import { idempotencyKey } from '../envelope/keys.js';
import type { Envelope } from '../envelope/types.js';
import { DURATIONS, METRICS, type Telemetry } from '../observability/telemetry.js';
import type { RecordTransform } from '../routing/transform.js';
import type { DeliveryRecord, TargetAdapter } from '../targets/types.js';
import { DeliveryError, type FailedRecord } from './errors.js';
import type { DeliveredKeyStore } from './store.js';

export interface DeliverDeps {
  adapter: TargetAdapter;
  store: DeliveredKeyStore;
  telemetry: Telemetry;
  /** Epoch ms after which no new attempt starts. */
  deadline: number;
  /** Attempts per destination call, the first included. */
  maxAttempts?: number;
  now?: () => number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** The target's compiled transform: applied to each record's data after decoding, before the adapter. */
  transform?: RecordTransform;
}

export interface DeliverySummary {
  target: string;
  records: number;
  delivered: number;
  /** Records skipped because their idempotency key was already delivered. */
  skipped: number;
}

/** Decodes an envelope's records for delivery: data from base64 once, the idempotency key from target + id. */
export function deliveryRecords(envelope: Envelope): DeliveryRecord[] {
  return envelope.records.map((r) => {
    const record: DeliveryRecord = {
      key: idempotencyKey(envelope.target, r.id),
      partitionKey: r.pk,
      sequenceNumber: r.seq,
      arrivedAt: r.at,
      data: Buffer.from(r.d, 'base64'),
    };
    if (r.sub !== undefined) record.subSequence = r.sub;
    return record;
  });
}

/**
 * Delivers an envelope's records through the target's adapter: skip keys already delivered, pack calls up to
 * the adapter's declared limits, retry only the records that failed retryably (jittered backoff, within the
 * deadline), remember each call's successes at once. Throws {@link DeliveryError} if any record is left.
 */
export async function deliverEnvelope(envelope: Envelope, deps: DeliverDeps): Promise<DeliverySummary> {
  const { adapter, store, telemetry } = deps;
  const now = deps.now ?? Date.now;
  const target = envelope.target;
  const all = uniqueByKey(deliveryRecords(envelope));
  const done = await store.filterDelivered(all.map((r) => r.key));
  const pending = all.filter((r) => !done.has(r.key));
  const skipped = all.length - pending.length;
  if (skipped > 0) telemetry.count(METRICS.duplicatesSkipped, skipped, target);

  const failures: FailedRecord[] = [];
  const fail = (r: DeliveryRecord, retryable: boolean, reason: string): void => {
    failures.push({ key: r.key, sequenceNumber: r.sequenceNumber, retryable, reason });
  };
  const ready = deps.transform ? transformRecords(pending, deps.transform, fail) : pending;
  const fits = ready.filter((r) => {
    const size = adapter.sizeOf(r);
    if (size <= adapter.limits.maxRecordBytes) return true;
    fail(
      r,
      false,
      `record of ${size} bytes exceeds the ${adapter.type} limit of ${adapter.limits.maxRecordBytes} bytes`,
    );
    return false;
  });
  const { chunks } = chunkBySize(fits, (r) => adapter.sizeOf(r), {
    maxItems: adapter.limits.maxRecords,
    maxBytes: adapter.limits.maxBytes,
  });

  let delivered = 0;
  const limit = pLimit(adapter.limits.parallelCalls);
  await Promise.all(
    chunks.map((chunk) =>
      limit(async () => {
        const reasons = new Map<string, string>();
        let attempts = 0;
        const left = await retryWithBackoff(
          chunk,
          async (records) => {
            attempts++;
            // The call must not outlive the invocation: Lambda would kill it mid-flight, after the effect.
            const signal = AbortSignal.timeout(Math.max(1, Math.floor(deps.deadline - now())));
            const outcomes = await adapter.deliver(records, signal).catch((error: unknown) => {
              const { retryable, reason } = classifyError(error);
              return records.map(() => ({ ok: false as const, retryable, reason }));
            });
            const ok: DeliveryRecord[] = [];
            const again: DeliveryRecord[] = [];
            records.forEach((r, i) => {
              const outcome = outcomes[i] ?? {
                ok: false,
                retryable: true,
                reason: 'adapter returned no outcome',
              };
              if (outcome.ok) ok.push(r);
              else if (outcome.retryable) {
                again.push(r);
                reasons.set(r.key, outcome.reason);
              } else fail(r, false, outcome.reason);
            });
            if (ok.length > 0) {
              // Remember at once: the window in which a crash could repeat a delivery is this one call.
              await store.markDelivered(ok.map((r) => r.key));
              delivered += ok.length;
              telemetry.duration(
                DURATIONS.deliveryLatency,
                now() - Math.min(...ok.map((r) => r.arrivedAt)),
                target,
              );
            }
            return again;
          },
          {
            deadline: deps.deadline,
            maxAttempts: deps.maxAttempts ?? 5,
            now,
            ...(deps.random ? { random: deps.random } : {}),
            ...(deps.sleep ? { sleep: deps.sleep } : {}),
          },
        );
        if (attempts > 1) telemetry.count(METRICS.deliveryRetries, attempts - 1, target);
        for (const r of left) fail(r, true, reasons.get(r.key) ?? 'not delivered before the deadline');
      }),
    ),
  );

  telemetry.count(METRICS.delivered, delivered, target);
  if (failures.length > 0) {
    telemetry.count(METRICS.deliveryFailed, failures.length, target);
    throw new DeliveryError(target, failures, delivered);
  }
  return { target, records: all.length, delivered, skipped };
}

/**
 * Applies the target's transform. A record it cannot transform (not JSON) fails permanently with the reason:
 * retrying cannot change its data, and dropping it would lose it silently.
 */
function transformRecords(
  records: DeliveryRecord[],
  transform: RecordTransform,
  fail: (r: DeliveryRecord, retryable: boolean, reason: string) => void,
): DeliveryRecord[] {
  const out: DeliveryRecord[] = [];
  for (const r of records) {
    const result = transform(r.data);
    if (result.ok) out.push({ ...r, data: result.data });
    else fail(r, false, result.reason);
  }
  return out;
}

/** An envelope never holds a key twice, but a hand-crafted or replayed one might: deliver it once. */
function uniqueByKey(records: DeliveryRecord[]): DeliveryRecord[] {
  const seen = new Set<string>();
  return records.filter((r) => {
    if (seen.has(r.key)) return false;
    seen.add(r.key);
    return true;
  });
}
