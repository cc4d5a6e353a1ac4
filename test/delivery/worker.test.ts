import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { configFactory } from '../../harness/support/factories.js';
import { createWorker, DeliveryError, MisroutedEnvelopeError } from '../../lib/delivery/index.js';
import { EnvelopeError, encodeEnvelope } from '../../lib/envelope/index.js';
import { recordingTelemetry } from '../../lib/observability/index.js';
import { envelopeFactory, FakeAdapter, gatedAdapter, memoryLedger } from './support.js';

const context = { getRemainingTimeInMillis: () => 30_000 };
const target = configFactory().targets[0]!;

function workerWith(adapter = new FakeAdapter()) {
  const store = memoryLedger();
  const handler = createWorker({
    target,
    adapter,
    ledger: store,
    telemetry: recordingTelemetry(),
    sleep: async () => {},
  });
  return { handler, adapter, store };
}

function sqsEvent(bodies: string[]): SQSEvent {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `m-${i}`,
      receiptHandle: `r-${i}`,
      body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '1',
        SenderId: 'x',
        ApproximateFirstReceiveTimestamp: '1',
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:fanout-dev-output1-queue',
      awsRegion: 'us-east-1',
    })),
  };
}

describe('worker', () => {
  it('delivers an async-invoke envelope and returns a summary', async () => {
    const { handler, adapter } = workerWith();
    expect(await handler(envelopeFactory(5), context)).toEqual({
      target: 'output1',
      records: 5,
      delivered: 5,
      skipped: 0,
    });
    expect(adapter.delivered).toHaveLength(5);
  });

  it('throws for an async envelope with undelivered records, so Lambda retries and then dead-letters it', async () => {
    const { handler } = workerWith(
      new FakeAdapter(undefined, () => ({ ok: false, retryable: false, reason: 'HTTP 400' })),
    );
    await expect(handler(envelopeFactory(2), context)).rejects.toBeInstanceOf(DeliveryError);
  });

  it('reports only the failed messages of an SQS batch', async () => {
    const bad = envelopeFactory(2, 'output1', 10);
    const adapter = new FakeAdapter(undefined, (r) =>
      bad.records.some((b) => b.seq === r.sequenceNumber)
        ? { ok: false, retryable: true, reason: 'Throttled' }
        : { ok: true },
    );
    const { handler } = workerWith(adapter);
    const result = await handler(
      sqsEvent([
        encodeEnvelope(envelopeFactory(3)),
        encodeEnvelope(bad),
        encodeEnvelope(envelopeFactory(2, 'output1', 20)),
      ]),
      context,
    );
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }] });
    expect(adapter.delivered).toHaveLength(5);
  });

  it('fails a corrupt, truncated or wrong-version SQS message without blocking the others', async () => {
    const { handler, adapter } = workerWith();
    const good = encodeEnvelope(envelopeFactory(1));
    const result = await handler(
      sqsEvent([good.slice(0, 30), good.replace('"v":1', '"v":9'), 'hello', good]),
      context,
    );
    expect(result).toEqual({
      batchItemFailures: [{ itemIdentifier: 'm-0' }, { itemIdentifier: 'm-1' }, { itemIdentifier: 'm-2' }],
    });
    expect(adapter.delivered).toHaveLength(1);
  });

  it('refuses an envelope meant for another target', async () => {
    const { handler, adapter } = workerWith();
    await expect(handler(envelopeFactory(1, 'output2'), context)).rejects.toBeInstanceOf(
      MisroutedEnvelopeError,
    );
    await expect(handler({ not: 'an envelope' }, context)).rejects.toBeInstanceOf(EnvelopeError);
    expect(adapter.calls).toHaveLength(0);
  });

  it('claims records until the invocation ends: a duplicate event while the first runs delivers nothing', async () => {
    const { adapter, open } = gatedAdapter();
    const { handler, store } = workerWith(adapter);
    const first = handler(envelopeFactory(3), context);
    await new Promise((r) => setTimeout(r, 10));
    // Lambda may hand the same async event over twice: the second finds every record claimed.
    const second = await handler(envelopeFactory(3), context).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(DeliveryError);
    expect((second as DeliveryError).failures.every((f) => f.retryable)).toBe(true);
    const lease = store.leases()[0]!;
    expect(lease).toBeGreaterThanOrEqual(Date.now() + 29_000);
    open();
    expect(await first).toMatchObject({ delivered: 3 });
    // Its retry, later: everything delivered, skipped.
    expect(await handler(envelopeFactory(3), context)).toMatchObject({ delivered: 0, skipped: 3 });
    expect(adapter.delivered).toHaveLength(3);
  });
});
