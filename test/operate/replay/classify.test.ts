import { describe, expect, it } from 'vitest';
import { classifyDlqMessage, isSelected, REDRIVEN_ERROR } from '../../../lib/operate/replay/classify.js';
import {
  destinationRecordFactory,
  envelopeBody,
  envelopeFactory,
  oversizeNoticeFactory,
} from '../factories.js';

const message = (body: string, attributes: Record<string, string> = {}, messageAttributes = {}) => ({
  messageId: 'm-1',
  body,
  attributes,
  messageAttributes,
});

describe('classifyDlqMessage', () => {
  it("takes the envelope of Lambda's on-failure destination record, with the worker's error and the failure time", () => {
    const entry = classifyDlqMessage(
      message(destinationRecordFactory(envelopeFactory('webhook', 3))),
      'webhook',
    );
    expect(entry).toMatchObject({
      kind: 'envelope',
      format: 'destination-record',
      error: 'DeliveryError: 2 record(s) not delivered to target "webhook" (0 delivered): HTTP 500',
      failedAt: Date.parse('2024-01-01T00:00:00.000Z'),
    });
    expect(entry.kind === 'envelope' && entry.envelope.records).toHaveLength(3);
  });

  it('names the condition when the worker never ran (reserved concurrency 0, event too old)', () => {
    const entry = classifyDlqMessage(
      message(destinationRecordFactory(envelopeFactory('webhook'), { withResponse: false })),
      'webhook',
    );
    expect(entry).toMatchObject({ kind: 'envelope', error: 'RetriesExhausted (no function error recorded)' });
  });

  it('accepts a requestPayload kept as a JSON string', () => {
    const entry = classifyDlqMessage(message(destinationRecordFactory(envelopeBody('webhook'))), 'webhook');
    expect(entry).toMatchObject({ kind: 'envelope', format: 'destination-record' });
  });

  it('takes a plain envelope redriven from the target queue, dated by SentTimestamp', () => {
    const entry = classifyDlqMessage(
      message(envelopeBody('audit'), { SentTimestamp: '1700000123000' }),
      'audit',
    );
    expect(entry).toMatchObject({
      kind: 'envelope',
      format: 'envelope',
      error: REDRIVEN_ERROR,
      failedAt: 1_700_000_123_000,
    });
  });

  it("uses a Lambda DLQ's ErrorMessage attribute when there is one, and the envelope's sentAt without SentTimestamp", () => {
    const entry = classifyDlqMessage(
      message(envelopeBody('audit'), {}, { ErrorMessage: 'Task timed out' }),
      'audit',
    );
    expect(entry).toMatchObject({ kind: 'envelope', error: 'Task timed out', failedAt: 1_700_000_000_000 });
  });

  it('recognizes a refused-record notice, by its position alone (no record id needed), and keeps its reason', () => {
    const notice = {
      v: 1,
      kind: 'kinesis-fanout/refused-record',
      target: 'webhook',
      stream: 'input',
      shard: 'shardId-000000000000',
      reason: 'Invoke fanout-dev-webhook-worker: AccessDeniedException: not authorized',
      record: { seq: '4959000001', sub: 2, pk: 'k\uffff', at: 1 },
    };
    const entry = classifyDlqMessage(
      message(JSON.stringify(notice), { SentTimestamp: '1700000000000' }),
      'webhook',
    );
    expect(entry).toMatchObject({
      kind: 'refused',
      error: 'hand-off refused: Invoke fanout-dev-webhook-worker: AccessDeniedException: not authorized',
      failedAt: 1_700_000_000_000,
    });
    const broken = { ...notice, record: { seq: 'abc', pk: 'k', at: 1 } };
    expect(classifyDlqMessage(message(JSON.stringify(broken)), 'webhook')).toMatchObject({
      kind: 'unparseable',
      reason: 'refused-record notice without stream, shard and sequence number',
    });
  });

  it('recognizes an oversize notice', () => {
    const entry = classifyDlqMessage(message(JSON.stringify(oversizeNoticeFactory('webhook'))), 'webhook');
    expect(entry).toMatchObject({
      kind: 'oversize',
      error: expect.stringMatching(/^oversize record: record of 2000000 bytes/),
    });
  });

  it.each([
    ['not JSON', 'garbage{', /unparseable: body is not JSON \(8 characters\)/],
    ['a JSON array', '[1,2]', /not a JSON object/],
    [
      'an unknown object',
      '{"hello":"world"}',
      /neither an envelope, a Lambda destination record nor a record notice \(oversize or refused\)/,
    ],
    ['an envelope of another target', envelopeBody('other'), /envelope for target "other", not "webhook"/],
    [
      'an envelope of another version',
      JSON.stringify({ ...envelopeFactory('webhook'), v: 2 }),
      /unsupported envelope version 2/,
    ],
    [
      'an envelope with bad records',
      JSON.stringify({ ...envelopeFactory('webhook'), records: [{ id: 'x' }] }),
      /records\[0\]/,
    ],
    [
      'an envelope without records',
      JSON.stringify({ ...envelopeFactory('webhook'), records: [] }),
      /without records/,
    ],
    [
      'a destination record around garbage',
      destinationRecordFactory('not an envelope'),
      /destination record: not an envelope/,
    ],
    [
      'a destination record around another target',
      destinationRecordFactory(envelopeFactory('other')),
      /destination record: envelope for target "other"/,
    ],
    [
      'an oversize notice without a position',
      JSON.stringify({ ...oversizeNoticeFactory('webhook'), record: {} }),
      /oversize notice without/,
    ],
    [
      'an oversize notice of another target',
      JSON.stringify(oversizeNoticeFactory('other')),
      /oversize notice for target "other"/,
    ],
  ])('calls %s unparseable, with the reason', (_what, body, reason) => {
    const entry = classifyDlqMessage(message(body), 'webhook');
    expect(entry.kind).toBe('unparseable');
    expect(entry.error).toMatch(reason);
  });
});

describe('isSelected', () => {
  const now = Date.parse('2024-01-01T02:00:00.000Z');
  const failedAnHourAgo = classifyDlqMessage(
    message(destinationRecordFactory(envelopeFactory('webhook'), { timestamp: '2024-01-01T01:00:00.000Z' })),
    'webhook',
  );

  it('filters on the error message, case-insensitively as the CLI compiles it', () => {
    expect(isSelected(failedAnHourAgo, { filter: /http 500/i }, now)).toBe(true);
    expect(isSelected(failedAnHourAgo, { filter: /timed out/i }, now)).toBe(false);
  });

  it('filters on the age: older than and newer than', () => {
    expect(isSelected(failedAnHourAgo, { olderThanMs: 30 * 60_000 }, now)).toBe(true);
    expect(isSelected(failedAnHourAgo, { olderThanMs: 2 * 3_600_000 }, now)).toBe(false);
    expect(isSelected(failedAnHourAgo, { newerThanMs: 2 * 3_600_000 }, now)).toBe(true);
    expect(isSelected(failedAnHourAgo, { newerThanMs: 30 * 60_000 }, now)).toBe(false);
  });

  it('does not select a message of unknown age by an age bound', () => {
    const unknown = classifyDlqMessage(message('garbage'), 'webhook');
    expect(isSelected(unknown, {}, now)).toBe(true);
    expect(isSelected(unknown, { olderThanMs: 1 }, now)).toBe(false);
  });
});
