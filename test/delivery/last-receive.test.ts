/**
 * An ordered target's message on its last receive: the worker puts what cannot be delivered in the DLQ with the
 * reason, then delivers the records of the key held back behind it, and the message succeeds (its group moves
 * on). Before the last receive, a failure fails the message as usual.
 */
import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { configFactory } from '../../harness/support/factories.js';
import { createWorker } from '../../lib/delivery/index.js';
import { type DeadLetter, isLastReceive } from '../../lib/delivery/last-receive.js';
import { decodeEnvelope, encodeEnvelope } from '../../lib/envelope/index.js';
import { recordingTelemetry } from '../../lib/observability/index.js';
import type { RecordOutcome } from '../../lib/targets/types.js';
import { envelopeFactory, FakeAdapter, memoryLedger } from './support.js';

const logOf = (data: Buffer | string): number => Number(/Record (\d+)/.exec(data.toString())?.[1]);
const target = { ...configFactory().targets[0]!, ordered: true, via: 'queue' as const, retries: 2 };

/** One FIFO message of group `g7`, received `receives` times (3 = the last, with retries: 2). */
const fifoEvent = (body: string, receives: number): SQSEvent => ({
  Records: [
    {
      messageId: 'm-0',
      receiptHandle: 'r-0',
      body,
      attributes: {
        ApproximateReceiveCount: String(receives),
        SentTimestamp: '1',
        SenderId: 'x',
        ApproximateFirstReceiveTimestamp: '1',
        MessageGroupId: 'g7',
        MessageDeduplicationId: 'd-0',
        SequenceNumber: '1',
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:fanout-dev-output1-queue.fifo',
      awsRegion: 'us-east-1',
    },
  ],
});

/** A worker whose destination refuses `poison` records for good, and a DLQ that keeps what it is sent. */
function ordered(poison: (n: number) => boolean, dlqDown = false) {
  const adapter = new FakeAdapter(
    undefined,
    (r): RecordOutcome =>
      poison(logOf(r.data)) ? { ok: false, retryable: false, reason: 'ValidationException' } : { ok: true },
  );
  const dead: DeadLetter[] = [];
  const handler = createWorker({
    target,
    adapter,
    ledger: memoryLedger(),
    telemetry: recordingTelemetry(),
    sleep: async () => {},
    deadLetters: {
      send: async (message) => {
        if (dlqDown) throw new Error('AWS.SimpleQueueService.NonExistentQueue');
        dead.push(message);
      },
    },
  });
  const run = (body: string, receives: number) =>
    handler(fifoEvent(body, receives), { getRemainingTimeInMillis: () => 30_000 });
  return { adapter, dead, run };
}

const recordsOf = (message: DeadLetter | undefined): number[] =>
  decodeEnvelope(message?.body).records.map((r) => logOf(Buffer.from(r.d ?? '', 'base64')));

describe('isLastReceive', () => {
  it('is the receive after `retries` retries, and never without a receive count', () => {
    const at = (count?: string) => ({ attributes: { ApproximateReceiveCount: count } as never });
    expect([1, 2, 3, 4].map((n) => isLastReceive(at(String(n)), 2))).toEqual([false, false, true, true]);
    expect(isLastReceive(at(undefined), 0)).toBe(false);
  });
});

describe('worker of an ordered target, last receive', () => {
  // Records 0-8 over keys key-0, key-1, key-2 (i % 3): record 4 (key-1) is poison, 7 (key-1) comes after it.
  const body = encodeEnvelope(envelopeFactory(9));

  it('before the last receive, fails the message and holds back the key behind the poison record', async () => {
    const { adapter, dead, run } = ordered((n) => n === 4);
    expect(await run(body, 2)).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-0' }] });
    expect(adapter.delivered.map((r) => logOf(r.data))).toEqual([0, 1, 2, 3, 5, 6, 8]);
    expect(dead).toEqual([]);
  });

  it('on the last, dead-letters the poison record with its reason, then delivers its key’s later records', async () => {
    const { adapter, dead, run } = ordered((n) => n === 4);
    expect(await run(body, 3)).toEqual({ batchItemFailures: [] });
    expect(adapter.delivered.map((r) => logOf(r.data))).toEqual([0, 1, 2, 3, 5, 6, 8, 7]);
    expect(dead).toHaveLength(1);
    expect(recordsOf(dead[0])).toEqual([4]);
    expect(dead[0]).toMatchObject({
      groupId: 'g7',
      reason:
        'DeliveryError: 1 record(s) not delivered to target "output1" (7 delivered): ValidationException',
    });
  });

  it('sets aside a held-back record that fails in its turn too, in a DLQ message of its own', async () => {
    const { adapter, dead, run } = ordered((n) => n === 4 || n === 7);
    expect(await run(body, 3)).toEqual({ batchItemFailures: [] });
    expect(dead.map(recordsOf)).toEqual([[4], [7]]);
    expect(new Set(dead.map((d) => d.deduplicationId)).size).toBe(2);
    expect(adapter.delivered.map((r) => logOf(r.data))).toEqual([0, 1, 2, 3, 5, 6, 8]);
  });

  it('dead-letters a body that is not an envelope as it is, with the reason', async () => {
    const { dead, run } = ordered(() => false);
    expect(await run('{"not":"an envelope"}', 3)).toEqual({ batchItemFailures: [] });
    expect(dead).toEqual([
      expect.objectContaining({
        body: '{"not":"an envelope"}',
        reason: expect.stringMatching(/^\w*Error: /),
      }),
    ]);
  });

  it('fails the message when the DLQ cannot take it, so that SQS’s redrive still moves it there', async () => {
    const { adapter, run } = ordered((n) => n === 4, true);
    // Powertools (the last receive's path) throws when every message failed: Lambda then returns them all.
    await expect(run(body, 3)).rejects.toThrow('All records failed processing');
    // Nothing behind the poison record was delivered past it.
    expect(adapter.delivered.map((r) => logOf(r.data))).not.toContain(7);
  });
});
