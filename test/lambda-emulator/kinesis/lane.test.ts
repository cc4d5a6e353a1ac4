import { describe, expect, it } from 'vitest';
import type { Clock } from '../../../lib/lambda-emulator/clock.js';
import type { StreamRecord } from '../../../lib/lambda-emulator/kinesis/event.js';
import { type Discard, type LaneConfig, StreamLane } from '../../../lib/lambda-emulator/kinesis/lane.js';
import type { InvokeOutcome } from '../../../lib/lambda-emulator/types.js';

/** Virtual time: sleeping advances the clock at once. */
function fakeClock(start = 1_000_000): Clock & { slept: number[] } {
  let now = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

const record = (n: number, arrivalMs = 1_000_000): StreamRecord => ({
  sequenceNumber: String(1000 + n),
  partitionKey: `k${n}`,
  data: Buffer.from(`r${n}`).toString('base64'),
  arrivalMs,
});
const records = (count: number): StreamRecord[] => Array.from({ length: count }, (_, n) => record(n));
const seq = (batch: StreamRecord[]): number[] => batch.map((r) => Number(r.sequenceNumber) - 1000);

/** A function that answers each batch with `respond`, remembering every batch it got. */
function lane(
  respond: (batch: StreamRecord[]) => 'ok' | 'throw' | string[],
  config: Partial<LaneConfig> = {},
  clock = fakeClock(),
) {
  const calls: number[][] = [];
  const discards: Array<Omit<Discard, 'records'> & { records: number[] }> = [];
  const abort = new AbortController();
  let id = 0;
  const subject = new StreamLane({
    config: {
      batchSize: 100,
      maxBatchBytes: 6_000_000,
      windowMs: 0,
      maxRetryAttempts: -1,
      maxRecordAgeMs: -1,
      bisect: false,
      reportBatchItemFailures: true,
      retryDelayMs: () => 10,
      ...config,
    },
    clock,
    signal: abort.signal,
    sizeOf: () => 100,
    invoke: async (batch): Promise<InvokeOutcome> => {
      calls.push(seq(batch));
      const answer = respond(batch);
      const requestId = `req-${++id}`;
      if (answer === 'throw') {
        return {
          ok: false,
          requestId,
          error: { errorType: 'Error', errorMessage: 'poison' },
          coldStart: false,
          durationMs: 1,
        };
      }
      const failures = answer === 'ok' ? [] : answer.map((itemIdentifier) => ({ itemIdentifier }));
      return {
        ok: true,
        requestId,
        payload: JSON.stringify({ batchItemFailures: failures }),
        coldStart: false,
        durationMs: 1,
      };
    },
    discard: async (discard) => {
      discards.push({ ...discard, records: seq(discard.records) });
    },
  });
  return { subject, calls, discards, abort, clock };
}

describe('Kinesis lane (batch delivery and failure handling)', () => {
  it('delivers a batch that succeeds once', async () => {
    const { subject, calls, discards } = lane(() => 'ok');
    await subject.deliver(records(3));
    expect(calls).toEqual([[0, 1, 2]]);
    expect(discards).toEqual([]);
  });

  it('resumes from the lowest reported sequence number: later records again, earlier ones not', async () => {
    let first = true;
    const { subject, calls } = lane(() => {
      if (!first) return 'ok';
      first = false;
      return ['1004', '1002'];
    });
    await subject.deliver(records(6));
    expect(calls).toEqual([
      [0, 1, 2, 3, 4, 5],
      [2, 3, 4, 5],
    ]);
  });

  it('bisects a failing batch without spending retries until the poison record is alone', async () => {
    const { subject, calls, discards } = lane((batch) => (seq(batch).includes(5) ? 'throw' : 'ok'), {
      bisect: true,
      maxRetryAttempts: 0,
    });
    await subject.deliver(records(8));
    expect(calls).toEqual([[0, 1, 2, 3, 4, 5, 6, 7], [0, 1, 2, 3], [4, 5, 6, 7], [4, 5], [4], [5], [6, 7]]);
    expect(discards).toEqual([
      {
        records: [5],
        condition: 'RetryAttemptsExhausted',
        invokeCount: 1,
        requestId: 'req-6',
        lastResult: 'function-error',
      },
    ]);
  });

  it('retries MaximumRetryAttempts times, then discards the batch and moves on', async () => {
    const { subject, calls, discards, clock } = lane(() => 'throw', { maxRetryAttempts: 2 });
    await subject.deliver(records(2));
    expect(calls).toHaveLength(3);
    expect(discards).toMatchObject([
      { records: [0, 1], invokeCount: 3, condition: 'RetryAttemptsExhausted' },
    ]);
    expect(clock.slept).toEqual([10, 10]);
  });

  it('retries for ever with -1 until the batch succeeds', async () => {
    let left = 5;
    const { subject, calls, discards } = lane(() => (left-- > 0 ? 'throw' : 'ok'));
    await subject.deliver(records(1));
    expect(calls).toHaveLength(6);
    expect(discards).toEqual([]);
  });

  it('discards records older than MaximumRecordAgeInSeconds without invoking for them', async () => {
    const clock = fakeClock(10_000);
    const { subject, calls, discards } = lane(() => 'ok', { maxRecordAgeMs: 5_000 }, clock);
    await subject.deliver([record(0, 1_000), record(1, 4_000), record(2, 6_000)]);
    expect(discards).toEqual([{ records: [0, 1], condition: 'MaximumRecordAgeExceeded', invokeCount: 0 }]);
    expect(calls).toEqual([[2]]);
  });

  it('waits for the batching window, then invokes with what arrived, in BatchSize batches', async () => {
    const clock = fakeClock();
    const { subject, calls, abort } = lane(() => 'ok', { batchSize: 5, windowMs: 2_000 }, clock);
    subject.push(records(12));
    const running = subject.run();
    while (calls.length < 3) await new Promise((resolve) => setImmediate(resolve));
    expect(calls.map((batch) => batch.length)).toEqual([5, 5, 2]);
    // Full batches go at once; the last, partial one waited for the (virtual) window.
    expect(clock.slept).toEqual([2_000]);
    abort.abort();
    await running;
  });
});
