import type { RetryOptions } from '../aws/retry.js';
import type { ClaimCheckStore } from '../claim-check/types.js';
import type { ClaimCheckPointer } from '../envelope/types.js';
import type { RecordTransform } from '../routing/transform.js';
import type { DeliveryRecord, TargetAdapter } from '../targets/types.js';
import { loadClaimChecked } from './claim-check.js';

/** An envelope's record on its way: its data decoded, or (claim check) the pointer to read it from. */
export interface EnvelopeEntry {
  record: DeliveryRecord;
  claimCheck?: ClaimCheckPointer;
}

/** What getting records ready needs: the adapter's limits, the target's transform, the claim-check store. */
export interface PrepareDeps {
  adapter: TargetAdapter;
  transform?: RecordTransform | undefined;
  claimCheck?: ClaimCheckStore | undefined;
}

export interface Prepared {
  record: DeliveryRecord;
  /** Why the record cannot be sent (its claim-check object, its transform, its size). */
  failure?: { retryable: boolean; reason: string };
}

/**
 * Gets each pending record ready for the adapter: claim-checked data read, the target's transform applied
 * (a record it cannot transform, e.g. not JSON, fails permanently with the reason: retrying cannot change its
 * data, and dropping it would lose it silently), and its size checked against the adapter's limit.
 */
export async function prepare(
  pending: EnvelopeEntry[],
  deps: PrepareDeps,
  retry: RetryOptions,
): Promise<Prepared[]> {
  const checked = pending.filter((e) => e.claimCheck !== undefined);
  const loaded = new Map<EnvelopeEntry, Prepared>();
  if (checked.length > 0) {
    const results = await loadClaimChecked(
      checked.map((e) => e.claimCheck as ClaimCheckPointer),
      deps.claimCheck,
      retry,
    );
    checked.forEach((e, i) => {
      const result = results[i]!;
      loaded.set(
        e,
        result.ok
          ? { record: { ...e.record, data: result.data } }
          : { record: e.record, failure: { retryable: result.retryable, reason: result.reason } },
      );
    });
  }
  const { adapter, transform } = deps;
  return pending.map((e): Prepared => {
    const p = loaded.get(e) ?? { record: e.record };
    if (p.failure) return p;
    let record = p.record;
    if (transform) {
      const result = transform(record.data);
      if (!result.ok) return { record, failure: { retryable: false, reason: result.reason } };
      record = { ...record, data: result.data };
    }
    const size = adapter.sizeOf(record);
    if (size > adapter.limits.maxRecordBytes) {
      const reason = `record of ${size} bytes exceeds the ${adapter.type} limit of ${adapter.limits.maxRecordBytes} bytes`;
      return { record, failure: { retryable: false, reason } };
    }
    return { record };
  });
}
