import { describe, expect, it } from 'vitest';
import { groupedCalls } from '../../lib/targets/grouped.js';
import type { DeliveryRecord, RecordOutcome, TargetAdapter } from '../../lib/targets/types.js';

const record = (i: number, bytes = 10): DeliveryRecord => ({
  key: `t#${i}`,
  partitionKey: `k${i}`,
  sequenceNumber: String(i),
  arrivedAt: 0,
  data: Buffer.alloc(bytes, 'x'),
});

/** An API of 10 entries and 100 bytes a request, `parallel` requests at a time; records its requests. */
function api(parallel: number, answer: (batch: readonly DeliveryRecord[]) => Promise<RecordOutcome[]>) {
  const requests: string[][] = [];
  let inFlight = 0;
  let most = 0;
  const inner: TargetAdapter = {
    type: 'sqs',
    limits: { maxRecords: 10, maxBytes: 100, maxRecordBytes: 100, parallelCalls: parallel },
    sizeOf: (r) => r.data.length,
    async deliver(batch) {
      requests.push(batch.map((r) => r.sequenceNumber));
      inFlight++;
      most = Math.max(most, inFlight);
      try {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return await answer(batch);
      } finally {
        inFlight--;
      }
    },
  };
  return { inner, requests, most: () => most };
}
const allOk = async (batch: readonly DeliveryRecord[]): Promise<RecordOutcome[]> =>
  batch.map(() => ({ ok: true }));

describe('groupedCalls', () => {
  it("makes a call of up to 10 requests, each within the API's limits, answered in the records' order", async () => {
    const { inner, requests, most } = api(4, allOk);
    const grouped = groupedCalls(inner);
    expect(grouped.limits).toMatchObject({
      maxRecords: 100,
      maxBytes: 1_000,
      maxRecordBytes: 100,
      parallelCalls: 2,
    });
    // 25 records, the 13th large: requests of 10 records or 100 bytes at most.
    const records = Array.from({ length: 25 }, (_, i) => record(i, i === 12 ? 95 : 10));
    const outcomes = await grouped.deliver(records);
    expect(outcomes).toHaveLength(25);
    expect(requests.flat()).toEqual(records.map((r) => r.sequenceNumber));
    expect(requests.map((r) => r.length)).toEqual([10, 2, 1, 10, 2]);
    expect(most()).toBeGreaterThan(1);
    expect(most()).toBeLessThanOrEqual(4);
  });

  it('fails only the records of a request that threw, and maps a short answer to failures', async () => {
    const { inner } = api(4, async (batch) => {
      if (batch[0]?.sequenceNumber === '10')
        throw Object.assign(new Error('Throttled'), { name: 'ThrottlingException' });
      if (batch[0]?.sequenceNumber === '20') return [{ ok: true }];
      return batch.map(() => ({ ok: true }));
    });
    const outcomes = await groupedCalls(inner).deliver(Array.from({ length: 25 }, (_, i) => record(i)));
    expect(outcomes.slice(0, 10).every((o) => o.ok)).toBe(true);
    expect(outcomes.slice(10, 20)).toEqual(
      Array.from({ length: 10 }, () => ({
        ok: false,
        retryable: true,
        reason: 'sqs: ThrottlingException: Throttled',
      })),
    );
    expect(outcomes[20]).toEqual({ ok: true });
    expect(outcomes.slice(21).every((o) => !o.ok && o.retryable)).toBe(true);
  });

  it('sends one request at a time for an API that takes one (a FIFO destination), in order', async () => {
    const { inner, requests, most } = api(1, allOk);
    const grouped = groupedCalls(inner);
    expect(grouped.limits.parallelCalls).toBe(1);
    await grouped.deliver(Array.from({ length: 30 }, (_, i) => record(i)));
    expect(most()).toBe(1);
    expect(requests.flat()).toEqual(Array.from({ length: 30 }, (_, i) => String(i)));
  });
});
