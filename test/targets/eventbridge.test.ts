import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createEventBridgeAdapter, detailOf, NOT_A_JSON_OBJECT } from '../../lib/targets/eventbridge.js';
import { adapterContextFactory, asciiData, awsError, deliveryRecordFactory } from './factories.js';

const events = mockClient(EventBridgeClient);
const ok = (n: number) => ({
  FailedEntryCount: 0,
  Entries: Array.from({ length: n }, (_, i) => ({ EventId: `e${i}` })),
});
const sentEntries = () => events.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries ?? [];

describe('eventbridge adapter', () => {
  beforeEach(() => events.reset());

  it('puts one event per record: bus, default source and detail type, data as Detail, arrival as Time', async () => {
    events.on(PutEventsCommand).resolves(ok(1));
    const adapter = createEventBridgeAdapter(
      adapterContextFactory({ type: 'eventbridge', destination: 'orders-bus' }),
    );
    const record = deliveryRecordFactory({
      data: '{ "orderId": 7, "note": "ünïcode" }',
      arrivedAt: 1_700_000_123_456,
    });

    expect(await adapter.deliver([record])).toEqual([{ ok: true }]);
    expect(sentEntries()).toEqual([
      {
        EventBusName: 'orders-bus',
        Source: 'kinesis-fanout',
        DetailType: 'kinesis-record',
        Detail: '{ "orderId": 7, "note": "ünïcode" }',
        Time: new Date(1_700_000_123_456),
      },
    ]);
  });

  it('uses the configured source and detail type', async () => {
    events.on(PutEventsCommand).resolves(ok(1));
    const adapter = createEventBridgeAdapter(
      adapterContextFactory({
        type: 'eventbridge',
        eventbridge: { source: 'shop.orders', detailType: 'OrderPlaced' },
      }),
    );

    await adapter.deliver([deliveryRecordFactory()]);

    expect(sentEntries()[0]).toMatchObject({ Source: 'shop.orders', DetailType: 'OrderPlaced' });
  });

  it('refuses a record that is not a JSON object before the call and still sends the others', async () => {
    events.on(PutEventsCommand).resolves(ok(2));
    const adapter = createEventBridgeAdapter(adapterContextFactory({ type: 'eventbridge' }));
    const records = [
      deliveryRecordFactory({ data: '{"a":1}' }),
      deliveryRecordFactory({ data: 'not json' }),
      deliveryRecordFactory({ data: '[1,2]' }),
      deliveryRecordFactory({ data: '{"b":2}' }),
    ];

    const outcomes = await adapter.deliver(records);

    const refused = { ok: false, retryable: false, reason: NOT_A_JSON_OBJECT };
    expect(outcomes).toEqual([{ ok: true }, refused, refused, { ok: true }]);
    expect(sentEntries().map((e) => e.Detail)).toEqual(['{"a":1}', '{"b":2}']);
  });

  it('makes no call when no record is a JSON object', async () => {
    const adapter = createEventBridgeAdapter(adapterContextFactory({ type: 'eventbridge' }));

    const outcomes = await adapter.deliver([
      deliveryRecordFactory({ data: '42' }),
      deliveryRecordFactory({ data: 'null' }),
    ]);

    expect(outcomes.map((o) => o.ok)).toEqual([false, false]);
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('maps FailedEntryCount and each ErrorCode to exactly the records that failed', async () => {
    events.on(PutEventsCommand).resolves({
      FailedEntryCount: 3,
      Entries: [
        { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' },
        { EventId: 'e1' },
        { ErrorCode: 'InternalException', ErrorMessage: 'Internal error' },
        { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed' },
      ],
    });
    const adapter = createEventBridgeAdapter(adapterContextFactory({ type: 'eventbridge' }));

    const outcomes = await adapter.deliver(Array.from({ length: 4 }, () => deliveryRecordFactory()));

    expect(outcomes).toEqual([
      { ok: false, retryable: true, reason: 'PutEvents ThrottlingException: Rate exceeded' },
      { ok: true },
      { ok: false, retryable: true, reason: 'PutEvents InternalException: Internal error' },
      { ok: false, retryable: false, reason: 'PutEvents MalformedDetail: Detail is malformed' },
    ]);
  });

  it('maps results to the records that were sent when some were refused before the call', async () => {
    events.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ EventId: 'e0' }, { ErrorCode: 'InternalFailure', ErrorMessage: 'x' }],
    });
    const adapter = createEventBridgeAdapter(adapterContextFactory({ type: 'eventbridge' }));

    const outcomes = await adapter.deliver([
      deliveryRecordFactory({ data: 'oops' }),
      deliveryRecordFactory({ data: '{}' }),
      deliveryRecordFactory({ data: '{"last":true}' }),
    ]);

    expect(outcomes.map((o) => (o.ok ? 'ok' : o.retryable ? 'retry' : 'dlq'))).toEqual([
      'dlq',
      'ok',
      'retry',
    ]);
  });

  it('fails every sent record retryably when the call is throttled', async () => {
    events.on(PutEventsCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));
    const adapter = createEventBridgeAdapter(adapterContextFactory({ type: 'eventbridge' }));

    const outcomes = await adapter.deliver([deliveryRecordFactory(), deliveryRecordFactory()]);

    expect(outcomes).toEqual(
      Array(2).fill({ ok: false, retryable: true, reason: 'PutEvents: ThrottlingException: Rate exceeded' }),
    );
  });

  it('sizes an entry with AWS formula: 14 for Time, Source, DetailType and Detail bytes', () => {
    const adapter = createEventBridgeAdapter(
      adapterContextFactory({ type: 'eventbridge', eventbridge: { source: 'src', detailType: 'détail' } }),
    );
    const fixed = 14 + 3 + 7; // 'détail' is 7 UTF-8 bytes
    const json = (bytes: number) => Buffer.from(`{"p":"${'x'.repeat(bytes - 8)}"}`);
    const atLimit = deliveryRecordFactory({ data: json(262_144 - fixed) });
    const over = deliveryRecordFactory({ data: json(262_144 - fixed + 1) });

    expect(adapter.limits).toEqual({
      maxRecords: 10,
      maxBytes: 262_144,
      maxRecordBytes: 262_144,
      parallelCalls: 4,
    });
    expect(adapter.sizeOf(deliveryRecordFactory({ data: '{"é":1}' }))).toBe(fixed + 8);
    expect(adapter.sizeOf(atLimit)).toBe(262_144);
    expect(adapter.sizeOf(over)).toBe(262_145);
    expect(adapter.sizeOf(deliveryRecordFactory({ data: asciiData(10) }))).toBe(fixed + 10);
  });

  it('takes as Detail only UTF-8 JSON whose top level is an object', () => {
    expect(detailOf(deliveryRecordFactory({ data: ' {"a":[1]} ' }))).toBe(' {"a":[1]} ');
    expect(detailOf(deliveryRecordFactory({ data: '"text"' }))).toBeUndefined();
    expect(
      detailOf(deliveryRecordFactory({ data: Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]) })),
    ).toBeUndefined();
  });
});
