import { getEventListeners } from 'node:events';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverEnvelope } from '../../lib/delivery/index.js';
import { recordingTelemetry } from '../../lib/observability/index.js';
import type { DeliveryRecord, RecordOutcome, TargetAdapter } from '../../lib/targets/types.js';
import { type Receiver, startReceiver } from '../targets/http-receiver.js';
import { envelopeFactory, memoryLedger } from './support.js';

/** Records of one call: more requests in flight on the call's signal than Node's default of 10 listeners. */
const REQUESTS = 16;

/** One POST of a record, listening to `signal` while it runs, as the SDK's http handler does for each request. */
function post(url: string, record: DeliveryRecord, signal?: AbortSignal): Promise<RecordOutcome> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', ...(signal ? { signal } : {}) }, (res) => {
      res.resume();
      res.on('end', () => resolve({ ok: true }));
    });
    req.on('error', (error) => resolve({ ok: false, retryable: true, reason: error.message }));
    req.end(record.data);
  });
}

/**
 * A destination that takes every record of a call as its own request, all started at once (an http target's
 * shape); `listening` is the most abort listeners the call's signal had, counted once every request has started.
 */
function requestPerRecord(url: string): TargetAdapter & { listening: number } {
  const adapter = {
    type: 'http' as const,
    limits: { maxRecords: REQUESTS, maxBytes: 1_000_000, maxRecordBytes: 10_000, parallelCalls: 1 },
    listening: 0,
    sizeOf: (record: DeliveryRecord) => record.data.length,
    deliver(records: readonly DeliveryRecord[], signal?: AbortSignal): Promise<RecordOutcome[]> {
      const outcomes = Promise.all(records.map((record) => post(url, record, signal)));
      if (signal) adapter.listening = Math.max(adapter.listening, getEventListeners(signal, 'abort').length);
      return outcomes;
    },
  };
  return adapter;
}

describe('sending a call of many requests on one signal', () => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(() => receiver.close());

  it('raises the abort listener limit of the call signal, so Node warns of no leak', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning);
    };
    process.on('warning', onWarning);
    try {
      const adapter = requestPerRecord(`${receiver.base}/slow`);
      const summary = await deliverEnvelope(envelopeFactory(REQUESTS), {
        adapter,
        ledger: memoryLedger(),
        telemetry: recordingTelemetry(),
        deadline: Date.now() + 60_000,
      });
      // Node emits a warning on the next tick: let it arrive before looking.
      await new Promise((resolve) => setImmediate(resolve));
      expect(summary.delivered).toBe(REQUESTS);
      // Every request listened to the call's signal at once: more than the 10 Node allows before it warns.
      expect(adapter.listening).toBe(REQUESTS);
      const leaks = warnings.filter((w) => w.name === 'MaxListenersExceededWarning');
      expect(leaks.map((w) => w.message)).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
