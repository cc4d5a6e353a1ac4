/**
 * CHAOS_DEBUG aids: every DLQ message's reason and records, read without consuming the queue, and the workers'
 * error lines kept by time and function.
 */
import { ChangeMessageVisibilityCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { dlqReasons, WorkerLogs } from '../../harness/chaos/debug.js';
import { chaosRecord } from '../../harness/chaos/records.js';

const sqs = mockClient(SQSClient);
afterEach(() => sqs.reset());

const envelopeOf = (indexes: number[]) => ({
  v: 1,
  records: indexes.map((i) => ({ d: chaosRecord(i).toString('base64') })),
});

describe('chaos debug aids', () => {
  it('reads each DLQ message once, with its reason and records, and makes every one visible again', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [
          {
            MessageId: 'a',
            ReceiptHandle: 'h-a',
            Body: JSON.stringify({
              requestContext: { condition: 'RetriesExhausted' },
              requestPayload: envelopeOf([3, 4]),
              responsePayload: { errorType: 'DeliveryError', errorMessage: '2 record(s) not delivered' },
            }),
          },
          {
            MessageId: 'b',
            ReceiptHandle: 'h-b',
            Body: JSON.stringify({
              requestContext: { condition: 'EventAgeExceeded' },
              requestPayload: envelopeOf([7]),
            }),
          },
        ],
      })
      .resolvesOnce({
        Messages: [
          { MessageId: 'c', ReceiptHandle: 'h-c', Body: JSON.stringify(envelopeOf([9])) },
          { MessageId: 'd', ReceiptHandle: 'h-d', Body: 'not json' },
        ],
      })
      .resolves({ Messages: [] });
    sqs.on(ChangeMessageVisibilityCommand).resolves({});

    const reasons = await dlqReasons(new SQSClient({ region: 'us-east-1' }), 'https://queue');

    expect(reasons).toEqual([
      { errorType: 'DeliveryError', errorMessage: '2 record(s) not delivered', records: [3, 4] },
      { errorType: 'EventAgeExceeded', errorMessage: '', records: [7] },
      { errorType: 'redriven message', errorMessage: '', records: [9] },
      { errorType: 'unparsable', errorMessage: 'not json', records: [] },
    ]);
    expect(
      sqs
        .commandCalls(ChangeMessageVisibilityCommand)
        .map((c) => [c.args[0].input.ReceiptHandle, c.args[0].input.VisibilityTimeout]),
    ).toEqual([
      ['h-a', 0],
      ['h-b', 0],
      ['h-c', 0],
      ['h-d', 0],
    ]);
  });

  it('keeps error lines and function errors, by function and time, and drops the rest', () => {
    const logs = new WorkerLogs();
    const line = (functionName: string, text: string) =>
      logs.collect({ functionName, containerId: 'c', stream: 'stdout', line: text });
    line('w1', '{"level":"ERROR","message":"boom"}');
    line('w1', '{"level":"INFO","message":"fine"}');
    line('w2', '{"level":"WARN","message":"other function"}');
    logs.invocation({
      functionName: 'w1',
      requestId: 'r',
      source: 'async',
      coldStart: false,
      durationMs: 12,
      error: { errorType: 'DeliveryError', errorMessage: 'left' },
    });
    logs.invocation({
      functionName: 'w1',
      requestId: 'r2',
      source: 'async',
      coldStart: false,
      durationMs: 3,
    });

    const near = logs.near('w1', Date.now() - 1_000, Date.now() + 1_000).map((l) => l.replace(/^\d+ /, ''));
    expect(near).toEqual([
      '{"level":"ERROR","message":"boom"}',
      'function error (async, 12 ms): DeliveryError: left',
    ]);
    expect(logs.near('w1', 0, 1)).toEqual([]);
  });
});
