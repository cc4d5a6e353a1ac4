import type { ClaimCheckStore } from '../claim-check/types.js';
import { deliveryScope, idempotencyKey } from '../envelope/keys.js';
import type { Envelope } from '../envelope/types.js';
import { positionKey } from '../ledger/position.js';
import type { IdempotencyLedger, LedgerLease } from '../ledger/types.js';
import { METRICS, type Telemetry } from '../observability/telemetry.js';
import type { RecordTransform } from '../routing/transform.js';
import type { DeliveryRecord, TargetAdapter } from '../targets/types.js';
import { DeliveryError, type FailedRecord, IdempotencyStoreError, messageOf } from './errors.js';
import { type EnvelopeEntry, type Prepared, prepare } from './prepare.js';
import { positionOf, sendRecords } from './send.js';

export type { EnvelopeEntry };

export interface DeliverDeps {
  adapter: TargetAdapter;
  ledger: IdempotencyLedger;
  telemetry: Telemetry;
  /** Epoch ms after which no new attempt starts. */
  deadline: number;
  /**
   * Epoch ms until which this invocation's lease on its records holds (the end of the invocation); another
   * invocation can lease a record only after it, if this one neither delivered nor released it (it crashed).
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
  claimCheck?: ClaimCheckStore;
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

const NO_DATA = Buffer.alloc(0);
/** Time between the deadline (no new call after it) and the end of the invocation's lease. */
export const LEASE_MARGIN_MS = 5_000;
export const BUSY_REASON =
  'being delivered by another invocation (an overlapping envelope); retried after it, then skipped if it was delivered';
/** Default attempts per destination call. */
export const DELIVERY_ATTEMPTS = 5;

/**
 * Decodes an envelope's records for delivery: data from base64 once, and the idempotency key from the delivery
 * scope and the record id, which decodeEnvelope checked against the record's position. A claim-checked record's
 * data is read later, and only if it was not delivered already. A record twice in one envelope (a hand-made or
 * replayed one might) is delivered once.
 */
export function envelopeEntries(envelope: Envelope): EnvelopeEntry[] {
  const scope = deliveryScope(envelope);
  const seen = new Set<string>();
  const entries: EnvelopeEntry[] = [];
  for (const r of envelope.records) {
    const position = positionKey({ seq: r.seq, sub: r.sub });
    if (seen.has(position)) continue;
    seen.add(position);
    const record: DeliveryRecord = {
      key: idempotencyKey(scope, r.id),
      partitionKey: r.pk,
      sequenceNumber: r.seq,
      arrivedAt: r.at,
      data: r.s3 === undefined ? Buffer.from(r.d, 'base64') : NO_DATA,
    };
    if (r.sub !== undefined) record.subSequence = r.sub;
    entries.push(r.s3 === undefined ? { record } : { record, claimCheck: r.s3 });
  }
  return entries;
}

/**
 * Delivers an envelope's records through the target's adapter, in four phases:
 * 1. lease the records' positions in the ledger (skipping those delivered, leaving those another invocation holds
 *    for a retry);
 * 2. prepare the leased ones (claim-checked data read, transform, size checked);
 * 3. send them in calls up to the adapter's declared limits, retrying only what failed retryably (jittered
 *    backoff, within the deadline), and record each call's successes at once;
 * 4. settle: release the lease on what was left, count, and throw {@link DeliveryError} if any record was left.
 */
export async function deliverEnvelope(envelope: Envelope, deps: DeliverDeps): Promise<DeliverySummary> {
  const target = envelope.target;
  const entries = envelopeEntries(envelope);
  const lease = await leaseEntries(envelope, entries, deps);
  const leased = new Set(lease.leased.map(positionKey));
  const delivered = new Set(lease.delivered.map(positionKey));
  const keyOf = (e: EnvelopeEntry): string => positionKey(positionOf(e.record));
  const pending = entries.filter((e) => !delivered.has(keyOf(e)));
  const skipped = entries.length - pending.length;
  if (skipped > 0) deps.telemetry.count(METRICS.duplicatesSkipped, skipped, target);

  const ready = await prepare(
    pending.filter((e) => leased.has(keyOf(e))),
    deps,
    retryOptions(deps),
  );
  let next = 0;
  // Envelope order kept (an ordered target holds back a busy record's partition key).
  const prepared: Prepared[] = pending.map((e) =>
    leased.has(keyOf(e))
      ? (ready[next++] as Prepared)
      : { record: e.record, failure: { retryable: true, reason: BUSY_REASON } },
  );

  const sent = await sendRecords(prepared, lease, target, { ...deps, retry: retryOptions(deps) });
  return settleEnvelope(target, entries.length, skipped, sent, lease, deps.telemetry);
}

/** Phase 1: the ledger lease; a store that cannot answer fails the envelope with nothing delivered. */
async function leaseEntries(
  envelope: Envelope,
  entries: readonly EnvelopeEntry[],
  deps: DeliverDeps,
): Promise<LedgerLease> {
  const scope = { scope: deliveryScope(envelope), stream: envelope.stream, shard: envelope.shard };
  try {
    return await deps.ledger.lease(
      scope,
      entries.map((e) => positionOf(e.record)),
      deps.leaseUntil ?? deps.deadline + LEASE_MARGIN_MS,
    );
  } catch (error) {
    throw new IdempotencyStoreError(
      `could not claim ${entries.length} record(s) of target "${envelope.target}" in the idempotency store, so none was delivered: ${messageOf(error)}`,
      { cause: error },
    );
  }
}

/** Phase 4: give up the lease on what was not delivered (best effort: a lease left only delays its retry). */
async function settleEnvelope(
  target: string,
  records: number,
  skipped: number,
  sent: { delivered: number; failures: FailedRecord[] },
  lease: LedgerLease,
  telemetry: Telemetry,
): Promise<DeliverySummary> {
  const { delivered, failures } = sent;
  telemetry.count(METRICS.delivered, delivered, target);
  if (failures.length > 0) {
    await lease.release().catch((error: unknown) =>
      telemetry.warn('could not release claims; their retry waits for the lease to end', {
        target,
        records: failures.length,
        error: messageOf(error),
      }),
    );
    telemetry.count(METRICS.deliveryFailed, failures.length, target);
    throw new DeliveryError(target, failures, delivered);
  }
  return { target, records, delivered, skipped };
}

function retryOptions(deps: DeliverDeps): {
  deadline: number;
  maxAttempts: number;
  now: () => number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
} {
  return {
    deadline: deps.deadline,
    maxAttempts: deps.maxAttempts ?? DELIVERY_ATTEMPTS,
    now: deps.now ?? Date.now,
    ...(deps.random ? { random: deps.random } : {}),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
  };
}
