import pLimit from 'p-limit';
import { failAll, missingResult } from './outcomes.js';
import type { DeliveryRecord, RecordOutcome, TargetAdapter, TargetLimits } from './types.js';

/**
 * Requests of a batch API of 10 entries (SendMessageBatch, PublishBatch, PutEvents) that make one call for the
 * worker: it records a call's deliveries in the idempotency ledger once the call has answered, so at 10 records a
 * call the ledger would write once per 10 records (~0.1 write units a record). A round of 10 requests, sent as the
 * API's own concurrency allows, is one call of up to 100 records, as an http target's 16 requests are.
 */
export const REQUESTS_PER_CALL = 10;

/**
 * The adapter with calls of up to `requests` of `inner`'s own calls. Each request still holds what the API takes
 * (`inner.limits`), in the records' order; `inner.limits.parallelCalls` of them run at once (one at a time for a
 * FIFO destination, so a message group stays in order), and a request that throws fails its own records only.
 * Two calls may be in flight at once when the API allows parallel requests, so a round's slowest request does
 * not idle the others.
 */
export function groupedCalls(inner: TargetAdapter, requests = REQUESTS_PER_CALL): TargetAdapter {
  const { limits } = inner;
  const grouped: TargetLimits = Object.freeze({
    maxRecords: limits.maxRecords * requests,
    maxBytes: limits.maxBytes * requests,
    maxRecordBytes: limits.maxRecordBytes,
    parallelCalls: limits.parallelCalls > 1 ? 2 : 1,
  });
  const limit = pLimit(limits.parallelCalls);
  return {
    type: inner.type,
    limits: grouped,
    sizeOf: (record) => inner.sizeOf(record),
    async deliver(records, signal): Promise<RecordOutcome[]> {
      const outcomes = await Promise.all(
        requestsOf(records, inner).map((batch) =>
          limit(async () => {
            const out = await inner
              .deliver(batch, signal)
              .catch((error: unknown) => failAll(batch.length, inner.type, error));
            // One outcome per record, in order, whatever the inner adapter answered.
            return batch.map((_, i) => out[i] ?? missingResult(inner.type));
          }),
        ),
      );
      return outcomes.flat();
    },
  };
}

/** The records in order, cut into requests within `inner`'s limits (a record alone in a request, if it must). */
function requestsOf(records: readonly DeliveryRecord[], inner: TargetAdapter): DeliveryRecord[][] {
  const out: DeliveryRecord[][] = [];
  let current: DeliveryRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = inner.sizeOf(record);
    if (
      current.length > 0 &&
      (current.length >= inner.limits.maxRecords || bytes + size > inner.limits.maxBytes)
    ) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(record);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}
