/**
 * DLQ messages of unknown or broken format, through the replay's classifier (lib/operate/replay/classify.ts):
 * it never throws, and whatever it cannot replay is "unparseable" with a reason (which `fanout replay` reports
 * and leaves in the DLQ), quoting no record data. docs/bad-input.md Q1-Q8.
 */
import { describe, expect, it } from 'vitest';
import { encodeEnvelope } from '../../lib/envelope/index.js';
import { classifyDlqMessage, type DlqEntry } from '../../lib/operate/replay/classify.js';
import { envelopeFactory } from '../delivery/support.js';

const classify = (body: string, attributes?: Record<string, string>): DlqEntry =>
  classifyDlqMessage({ messageId: 'm-1', body, ...(attributes ? { attributes } : {}) }, 'output1');

/** Lambda's on-failure destination record of an async invocation, with `requestPayload` as given. */
const destinationRecord = (requestPayload: unknown) =>
  JSON.stringify({
    version: '1.0',
    timestamp: '2026-01-01T00:00:00.000Z',
    requestContext: { requestId: 'r', condition: 'RetriesExhausted', approximateInvokeCount: 3 },
    requestPayload,
    responseContext: { statusCode: 200, functionError: 'Unhandled' },
    responsePayload: {
      errorType: 'DeliveryError',
      errorMessage: '1 record(s) not delivered to target "output1"',
    },
  });

const unparseable = (entry: DlqEntry): string => {
  expect(entry.kind).toBe('unparseable');
  return entry.kind === 'unparseable' ? entry.reason : '';
};

describe('DLQ messages of unknown format', () => {
  it('Q1 a body that is not JSON: its length, not its content', () => {
    expect(unparseable(classify('SECRET payload sent to the DLQ by hand'))).toBe(
      'body is not JSON (38 characters)',
    );
    expect(unparseable(classify(''))).toBe('body is not JSON (0 characters)');
  });

  it.each([
    ['a list', '[1,2]'],
    ['a number', '42'],
    ['a string', '"text"'],
    ['null', 'null'],
  ])('Q2 JSON that is %s: not an object', (_, body) => {
    expect(unparseable(classify(body))).toBe('body is not a JSON object');
  });

  it('Q3 a JSON object of another format (an SNS notification, a foreign app’s message)', () => {
    const sns = JSON.stringify({ Type: 'Notification', MessageId: 'x', Message: 'hello' });
    expect(unparseable(classify(sns))).toBe(
      'neither an envelope, a Lambda destination record nor a record notice (oversize or refused)',
    );
  });

  it('Q4 a destination record whose payload is not an envelope, or a wrong-version one', () => {
    expect(unparseable(classify(destinationRecord('not json at all')))).toMatch(
      /^destination record: not an envelope: body is not JSON \(Unexpected token 'o'; 15 characters\)$/,
    );
    const v9 = { ...JSON.parse(encodeEnvelope(envelopeFactory(1))), v: 9 };
    expect(unparseable(classify(destinationRecord(v9)))).toBe(
      'destination record: not a valid envelope: v: unsupported envelope version 9; this worker reads version 1',
    );
  });

  it('Q5 an envelope of another target, or without records: not replayed into this one', () => {
    expect(unparseable(classify(destinationRecord(envelopeFactory(1, 'output2'))))).toBe(
      'destination record: envelope for target "output2", not "output1"',
    );
    expect(unparseable(classify(encodeEnvelope(envelopeFactory(0))))).toBe('envelope without records');
  });

  it('Q6 a redriven envelope cut short', () => {
    const text = encodeEnvelope(envelopeFactory(2));
    expect(unparseable(classify(text.slice(0, text.length - 10)))).toMatch(
      /^body is not JSON \(\d+ characters\)$/,
    );
  });

  it('Q7 an oversize notice without its position, or for another target', () => {
    const notice = {
      v: 1,
      kind: 'kinesis-fanout/oversize-record',
      target: 'output1',
      stream: 'input',
      reason: 'big',
    };
    expect(unparseable(classify(JSON.stringify(notice)))).toBe(
      'oversize notice without stream, shard and sequence number',
    );
    const other = { ...notice, target: 'output2', shard: 's', record: { id: 'i', seq: '1', pk: 'k', at: 0 } };
    expect(unparseable(classify(JSON.stringify(other)))).toBe('oversize notice for target "output2"');
  });

  it('Q8 never throws, whatever the body, and keeps the message’s age for --older-than', () => {
    const odd = [
      '{',
      '{}',
      '{"requestContext":{}}',
      '{"requestContext":1,"requestPayload":2}',
      '\u0000',
      '{"kind":null}',
    ];
    for (const body of odd) {
      const entry = classify(body, { SentTimestamp: '1767225600000' });
      expect(['unparseable', 'envelope', 'oversize']).toContain(entry.kind);
      expect(entry.error.length).toBeGreaterThan(0);
      expect(entry.failedAt).toBe(1_767_225_600_000);
    }
  });

  it('and a well-formed destination record is replayable, with the worker’s reason', () => {
    const entry = classify(destinationRecord(envelopeFactory(2)));
    expect(entry).toMatchObject({
      kind: 'envelope',
      format: 'destination-record',
      error: 'DeliveryError: 1 record(s) not delivered to target "output1"',
    });
  });
});
