import pLimit from 'p-limit';
import { classifyError, retryWithBackoff } from '../aws/retry.js';
import type { ClaimStore } from '../claims/types.js';
import { chunkBySize } from '../envelope/chunk.js';
import { deliveryScope, idempotencyKey } from '../envelope/keys.js';
import type { ClaimPointer, Envelope } from '../envelope/types.js';
import { DURATIONS, METRICS, type Telemetry } from '../observability/telemetry.js';
import type { RecordTransform } from '../routing/transform.js';
import type { DeliveryRecord, TargetAdapter } from '../targets/types.js';
import { DeliveryError, type FailedRecord, IdempotencyStoreError } from './errors.js';
import { heldBackReason, orderedWaves } from './ordered.js';
import { prepare } from './prepare.js';
import type { DeliveredKeyStore } from './store.js';

export interface DeliverDeps {
  adapter: TargetAdapter;
  store: DeliveredKeyStore;
  telemetry: Telemetry;
  /** Epoch ms after which no new attempt starts. */
  deadline: number;
  /**
   * Epoch ms until which this invocation's claims on its records hold (the end of the invocation); another
   * invocation can claim a record only after it, if this one neither delivered nor released it (it crashed).
   * Default: `deadline` + {@link LEASE_MARGIN_MS}.
   */
  leaseUntil?: number;
  /** Attempts per destination call, the first included. */
  maxAttempts?: number;
  now?: () => number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** The target's compiled transform: applied to each record's data after decoding, before the adapter. */
  transform?: RecordTransform;
  /** Reads claim-checked records' data (with `claimCheck`). */
  claims?: ClaimStore;
  /** Keep each partition key's order (an ordered target): calls in waves, one after the other. */
  ordered?: boolean;
}

export interface DeliverySummary {
  target: string;
  records: number;
  delivered: number;
  /** Records skipped because their idempotency key was already delivered. */
  skipped: number;
}

/** An envelope's record on its way: its data decoded, or (claim check) the pointer to read it from. */
export interface EnvelopeEntry {
  record: DeliveryRecord;
  claim?: ClaimPointer;
}

const NO_DATA = Buffer.alloc(0);
/** Time between the deadline (no new call after it) and the end of the invocation's claims. */
export const LEASE_MARGIN_MS = 5_000;
export const BUSY_REASON =
  'being delivered by another invocation (an overlapping envelope); retried after it, then skipped if it was delivered';

/**
 * Decodes an envelope's records for delivery: data from base64 once, the idempotency key from the delivery
 * scope (target, and destination for a discovered stream) and the record id. A claim-checked record's data is
 * read later, and only if it was not delivered already.
 */
export function envelopeEntries(envelope: Envelope): EnvelopeEntry[] {
  const scope = deliveryScope(envelope);
  return envelope.records.map((r) => {
    const record: DeliveryRecord = {
      key: idempotencyKey(scope, r.id),
      partitionKey: r.pk,
      sequenceNumber: r.seq,
      arrivedAt: r.at,
      data: r.s3 === undefined ? Buffer.from(r.d, 'base64') : NO_DATA,
    };
    if (r.sub !== undefined) record.subSequence = r.sub;
    return r.s3 === undefined ? { record } : { record, claim: r.s3 };
  });
}

/**
 * Delivers an envelope's records through the target's adapter: claim the keys (skipping those delivered, and
 * leaving those another invocation holds for a retry), read claim-checked data, pack calls up to the adapter's
 * declared limits, retry only the records that failed retryably (jittered backoff, within the deadline),
 * remember each call's successes at once, release the claims of what was left. Throws {@link DeliveryError} if
 * any record is left.
 */
export async function deliverEnvelope(envelope: Envelope, deps: DeliverDeps): Promise<DeliverySummary> {
  const { adapter, store, telemetry } = deps;
  const now = deps.now ?? Date.now;
  const target = envelope.target;
  const all = uniqueByKey(envelopeEntries(envelope));
  const claim = await store
    .claim(
      all.map((e) => e.record.key),
      deps.leaseUntil ?? deps.deadline + LEASE_MARGIN_MS,
    )
    .catch((error: unknown) => {
      throw new IdempotencyStoreError(
        `could not claim ${all.length} record(s) of target "${target}" in the idempotency store, so none was delivered: ${messageOf(error)}`,
        { cause: error },
      );
    });
  const done = new Set(claim.delivered);
  const busy = new Set(claim.busy);
  const pending = all.filter((e) => !done.has(e.record.key));
  const skipped = all.length - pending.length;
  if (skipped > 0) telemetry.count(METRICS.duplicatesSkipped, skipped, target);

  const failures: FailedRecord[] = [];
  const fail = (r: DeliveryRecord, retryable: boolean, reason: string): void => {
    failures.push({ key: r.key, sequenceNumber: r.sequenceNumber, retryable, reason });
  };
  const retry = {
    deadline: deps.deadline,
    maxAttempts: deps.maxAttempts ?? 5,
    now,
    ...(deps.random ? { random: deps.random } : {}),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
  };
  const ready = await prepare(
    pending.filter((e) => !busy.has(e.record.key)),
    deps,
    retry,
  );
  let next = 0;
  // Envelope order kept (an ordered target holds back a busy record's partition key).
  const prepared = pending.map((e) =>
    busy.has(e.record.key)
      ? { record: e.record, failure: { retryable: true, reason: BUSY_REASON } }
      : ready[next++]!,
  );

  let delivered = 0;
  /** One call's worth of records, retried until done; returns the records that were not delivered. */
  const deliverCall = async (chunk: DeliveryRecord[]): Promise<DeliveryRecord[]> => {
    const reasons = new Map<string, string>();
    const lost: DeliveryRecord[] = [];
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
          } else {
            fail(r, false, outcome.reason);
            lost.push(r);
          }
        });
        if (ok.length > 0) {
          // Remember at once: the window in which a crash could repeat a delivery is this one call.
          await store.markDelivered(ok.map((r) => r.key)).catch((error: unknown) => {
            throw new IdempotencyStoreError(
              `${ok.length} record(s) delivered to target "${target}" could not be recorded in the idempotency store, so a retry delivers them again: ${messageOf(error)}`,
              { cause: error },
            );
          });
          delivered += ok.length;
          telemetry.duration(
            DURATIONS.deliveryLatency,
            now() - Math.min(...ok.map((r) => r.arrivedAt)),
            target,
          );
        }
        return again;
      },
      retry,
    );
    if (attempts > 1) telemetry.count(METRICS.deliveryRetries, attempts - 1, target);
    for (const r of left) fail(r, true, reasons.get(r.key) ?? 'not delivered before the deadline');
    return [...lost, ...left];
  };
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
      for (const chunk of calls(ready)) {
        for (const r of await deliverCall(chunk)) blocked.add(r.partitionKey);
      }
    }
  } else {
    for (const p of prepared) if (p.failure) fail(p.record, p.failure.retryable, p.failure.reason);
    const limit = pLimit(adapter.limits.parallelCalls);
    const ready = prepared.filter((p) => !p.failure).map((p) => p.record);
    // A call that throws (the store could not record its deliveries) stops the calls not yet started, and the
    // invocation ends only once the calls in flight have: none may go on after it, past its claims' lease.
    let stopped: { error: unknown } | undefined;
    await Promise.all(
      calls(ready).map((chunk) =>
        limit(async () => {
          if (stopped) return;
          await deliverCall(chunk).catch((error: unknown) => {
            stopped ??= { error };
          });
        }),
      ),
    );
    if (stopped) throw stopped.error;
  }

  telemetry.count(METRICS.delivered, delivered, target);
  const claimed = new Set(claim.claimed);
  const undelivered = failures.filter((f) => claimed.has(f.key)).map((f) => f.key);
  if (undelivered.length > 0) {
    // Best effort: a claim that stays only delays the retry until the lease ends.
    await store.release(undelivered, claim.owner).catch((error: unknown) =>
      telemetry.warn('could not release claims; their retry waits for the lease to end', {
        target,
        keys: undelivered.length,
        error: (error as Error).message,
      }),
    );
  }
  if (failures.length > 0) {
    telemetry.count(METRICS.deliveryFailed, failures.length, target);
    throw new DeliveryError(target, failures, delivered);
  }
  return { target, records: all.length, delivered, skipped };
}

/** An envelope never holds a key twice, but a hand-crafted or replayed one might: deliver it once. */
function uniqueByKey(entries: EnvelopeEntry[]): EnvelopeEntry[] {
  const seen = new Set<string>();
  return entries.filter((e) => {
    if (seen.has(e.record.key)) return false;
    seen.add(e.record.key);
    return true;
  });
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
