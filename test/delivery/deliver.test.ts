import { describe, expect, it } from 'vitest';
import { BUSY_REASON } from '../../lib/delivery/deliver.js';
import { DeliveryError, deliverEnvelope, IdempotencyStoreError } from '../../lib/delivery/index.js';
import { METRICS, recordingTelemetry } from '../../lib/observability/index.js';
import { envelopeFactory, FakeAdapter, gatedAdapter, memoryLedger } from './support.js';

const deps = (adapter: FakeAdapter, store = memoryLedger()) => ({
  adapter,
  ledger: store,
  telemetry: recordingTelemetry(),
  deadline: Date.now() + 60_000,
  sleep: async () => {},
});

describe('deliverEnvelope', () => {
  it('delivers every record once, in calls within the adapter limits, and remembers the keys', async () => {
    const adapter = new FakeAdapter();
    const d = deps(adapter);
    const summary = await deliverEnvelope(envelopeFactory(10), d);
    expect(summary).toEqual({ target: 'output1', records: 10, delivered: 10, skipped: 0 });
    expect(adapter.calls.map((c) => c.length)).toEqual([4, 4, 2]);
    expect(adapter.delivered.map((r) => r.data.toString())).toEqual(
      Array.from({ length: 10 }, (_, i) => `{"log":"Record ${i}"}`),
    );
    expect(d.ledger.deliveredCount()).toBe(10);
    expect(adapter.delivered[0]?.key).toMatch(/^output1#/);
  });

  it('skips records already delivered, so a replayed envelope delivers nothing twice', async () => {
    const store = memoryLedger();
    const first = new FakeAdapter();
    await deliverEnvelope(envelopeFactory(6), deps(first, store));
    const again = new FakeAdapter();
    const d = deps(again, store);
    // Overlapping, re-packed envelope: records 3-8 (3-5 were delivered in the first one).
    const summary = await deliverEnvelope(envelopeFactory(6, 'output1', 3), d);
    expect(summary).toMatchObject({ delivered: 3, skipped: 3 });
    expect(again.delivered.map((r) => r.sequenceNumber)).toEqual(
      envelopeFactory(3, 'output1', 6).records.map((r) => r.seq),
    );
    expect(d.telemetry.counter(METRICS.duplicatesSkipped, 'output1')).toBe(3);
  });

  it('delivers a record held by two overlapping envelopes running at once only once', async () => {
    // After a dispatcher retry or a bisected batch, records 0-5 and 3-8 can be in flight at the same time.
    const store = memoryLedger();
    const { adapter: slow, open } = gatedAdapter();
    const first = deliverEnvelope(envelopeFactory(6), deps(slow, store));
    await new Promise((r) => setTimeout(r, 10));
    const other = new FakeAdapter();
    const error = (await deliverEnvelope(envelopeFactory(6, 'output1', 3), deps(other, store)).catch(
      (e: unknown) => e,
    )) as DeliveryError;
    expect(error).toBeInstanceOf(DeliveryError);
    // Its own records (6-8) went out; the ones the first envelope holds are left for its retry.
    expect(other.delivered.map((r) => r.data.toString())).toEqual(
      [6, 7, 8].map((i) => `{"log":"Record ${i}"}`),
    );
    expect(error.failures.map((f) => [f.retryable, f.reason])).toEqual(
      Array.from({ length: 3 }, () => [true, BUSY_REASON]),
    );
    open();
    await first;
    // The retry of the second envelope: the first delivered records 3-5 meanwhile, so it skips them.
    const retry = new FakeAdapter();
    expect(await deliverEnvelope(envelopeFactory(6, 'output1', 3), deps(retry, store))).toMatchObject({
      delivered: 0,
      skipped: 6,
    });
    expect(slow.delivered).toHaveLength(6);
    expect(store.leasedCount()).toBe(0);
  });

  it("waits for a crashed invocation's lease to end, then delivers", async () => {
    let now = 1_000_000;
    const store = memoryLedger(() => now);
    const envelope = envelopeFactory(2);
    // An invocation leased both records and died before delivering or releasing them.
    const leased = await store.lease(
      { scope: 'output1', stream: envelope.stream, shard: envelope.shard },
      envelope.records.map((r) => ({ seq: r.seq, sub: r.sub })),
      now + 30_000,
    );
    expect(leased.leased).toHaveLength(2);
    const adapter = new FakeAdapter();
    await expect(
      deliverEnvelope(envelope, { ...deps(adapter, store), now: () => now, deadline: now + 60_000 }),
    ).rejects.toThrow(DeliveryError);
    expect(adapter.calls).toHaveLength(0);
    now += 30_001;
    expect(
      await deliverEnvelope(envelope, { ...deps(adapter, store), now: () => now, deadline: now + 60_000 }),
    ).toMatchObject({
      delivered: 2,
    });
  });

  it('releases the leases of records it could not deliver, so their retry need not wait', async () => {
    const store = memoryLedger();
    const failing = new FakeAdapter(undefined, (r) =>
      r.sequenceNumber.endsWith('1') ? { ok: false, retryable: false, reason: 'refused' } : { ok: true },
    );
    await expect(deliverEnvelope(envelopeFactory(3), deps(failing, store))).rejects.toThrow(DeliveryError);
    expect(store.leasedCount()).toBe(0);
    expect(store.deliveredCount()).toBe(2);
    const retry = new FakeAdapter();
    expect(await deliverEnvelope(envelopeFactory(3), deps(retry, store))).toMatchObject({
      delivered: 1,
      skipped: 2,
    });
  });

  it('retries only the records that failed retryably, then succeeds', async () => {
    const adapter = new FakeAdapter(undefined, (r, attempt) =>
      r.sequenceNumber.endsWith('2') && attempt < 3
        ? { ok: false, retryable: true, reason: 'ProvisionedThroughputExceeded' }
        : { ok: true },
    );
    const d = deps(adapter);
    await deliverEnvelope(envelopeFactory(4), d);
    expect(adapter.calls.map((c) => c.length)).toEqual([4, 1, 1]);
    expect(adapter.delivered).toHaveLength(4);
    expect(d.telemetry.counter(METRICS.deliveryRetries, 'output1')).toBe(2);
  });

  it('throws a DeliveryError naming each failed record and reason, after remembering the delivered ones', async () => {
    const adapter = new FakeAdapter(undefined, (r) =>
      r.sequenceNumber.endsWith('1')
        ? { ok: false, retryable: false, reason: 'record data is not JSON' }
        : { ok: true },
    );
    const d = deps(adapter);
    const error = (await deliverEnvelope(envelopeFactory(3), d).catch((e: unknown) => e)) as DeliveryError;
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error.failures).toEqual([
      expect.objectContaining({ retryable: false, reason: 'record data is not JSON' }),
    ]);
    expect(error.message).toMatch(
      /1 record\(s\) not delivered to target "output1" \(2 delivered\): record data is not JSON/,
    );
    expect(d.ledger.deliveredCount()).toBe(2);
    // Tried once: retrying a permanent failure cannot help.
    expect(adapter.attempts.get(error.failures[0]?.key ?? '')).toBe(1);
  });

  it('fails a record over the destination record limit without blocking the others', async () => {
    const adapter = new FakeAdapter({
      maxRecords: 10,
      maxBytes: 10_000,
      maxRecordBytes: 18,
      parallelCalls: 1,
    });
    const error = (await deliverEnvelope(envelopeFactory(12), deps(adapter)).catch(
      (e: unknown) => e,
    )) as DeliveryError;
    // "{"log":"Record 10"}" and "…11" are 19 bytes.
    expect(error.failures.map((f) => f.reason)).toEqual([
      'record of 19 bytes exceeds the kinesis limit of 18 bytes',
      'record of 19 bytes exceeds the kinesis limit of 18 bytes',
    ]);
    expect(adapter.delivered).toHaveLength(10);
  });

  it('gives up at the deadline and reports the last reason', async () => {
    const adapter = new FakeAdapter(undefined, () => ({ ok: false, retryable: true, reason: 'Throttled' }));
    const d = { ...deps(adapter), deadline: Date.now() - 1 };
    const error = (await deliverEnvelope(envelopeFactory(2), d).catch((e: unknown) => e)) as DeliveryError;
    expect(error.failures.map((f) => [f.retryable, f.reason])).toEqual([
      [true, 'Throttled'],
      [true, 'Throttled'],
    ]);
    expect(adapter.calls).toHaveLength(1);
  });

  it('treats a thrown adapter error as a failure of each record of the call, classified', async () => {
    const adapter = new FakeAdapter();
    adapter.deliver = async () => {
      throw Object.assign(new Error('Access denied'), {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 403 },
      });
    };
    const error = (await deliverEnvelope(envelopeFactory(2), deps(adapter)).catch(
      (e: unknown) => e,
    )) as DeliveryError;
    expect(error.failures).toHaveLength(2);
    expect(error.failures[0]).toMatchObject({
      retryable: false,
      reason: 'AccessDeniedException: Access denied',
    });
  });

  it('names the idempotency store when it cannot lease, and delivers nothing', async () => {
    const store = memoryLedger();
    store.lease = async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:8000');
    };
    const adapter = new FakeAdapter();
    const error = (await deliverEnvelope(envelopeFactory(3), deps(adapter, store)).catch(
      (e: unknown) => e,
    )) as Error;

    expect(error).toBeInstanceOf(IdempotencyStoreError);
    expect(error.message).toBe(
      'could not claim 3 record(s) of target "output1" in the idempotency store, so none was delivered: connect ECONNREFUSED 127.0.0.1:8000',
    );
    expect(adapter.calls).toEqual([]);
  });

  it('when deliveries cannot be recorded, says so, starts no further call and ends after the calls in flight', async () => {
    const store = memoryLedger();
    store.failSettle = new Error('store down');
    const events: string[] = [];
    // 8 records, 2 per call, 2 calls at a time: the first call's record-keeping fails while the second is out.
    const adapter = new FakeAdapter({
      maxRecords: 2,
      maxBytes: 10_000,
      maxRecordBytes: 1_000,
      parallelCalls: 2,
    });
    const deliver = adapter.deliver.bind(adapter);
    adapter.deliver = async (records) => {
      const n = adapter.calls.length;
      events.push(`call ${n} starts`);
      if (n === 1) await new Promise((r) => setTimeout(r, 50));
      const out = await deliver(records);
      events.push(`call ${n} ends`);
      return out;
    };
    const error = (await deliverEnvelope(envelopeFactory(8), deps(adapter, store)).catch((e: unknown) => {
      events.push('invocation ends');
      return e;
    })) as Error;

    expect(error).toBeInstanceOf(IdempotencyStoreError);
    expect(error.message).toBe(
      '2 record(s) delivered to target "output1" could not be recorded in the idempotency store, so a retry delivers them again: store down',
    );
    expect(events).toEqual([
      'call 0 starts',
      'call 1 starts',
      'call 0 ends',
      'call 1 ends',
      'invocation ends',
    ]);
    expect(adapter.calls).toHaveLength(2);
    expect(store.settles).toBe(2);
  });
});
