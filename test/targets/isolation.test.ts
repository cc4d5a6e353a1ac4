/**
 * Per-record failures stay per record in every adapter: a record that makes its own encoding throw (or that
 * the destination would refuse together with its whole call) fails alone, permanently and with the reason,
 * and the records beside it are delivered in the same call.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { InvokeCommand, type InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import { PublishBatchCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueUrlCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TargetType } from '../../lib/config/index.js';
import { createAdapter } from '../../lib/targets/registry.js';
import type { DeliveryRecord, RecordOutcome } from '../../lib/targets/types.js';
import { adapterContextFactory, deliveryRecordFactory } from './factories.js';
import { type Receiver, startReceiver } from './http-receiver.js';

const kinesis = mockClient(KinesisClient);
const sqs = mockClient(SQSClient);
const sns = mockClient(SNSClient);
const firehose = mockClient(FirehoseClient);
const events = mockClient(EventBridgeClient);
const lambda = mockClient(LambdaClient);
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver.close());

beforeEach(() => {
  for (const mock of [kinesis, sqs, sns, firehose, events, lambda]) mock.reset();
  receiver.seen.length = 0;
  // Every call succeeds for every entry it carries: what the adapter sends is what is checked.
  kinesis.on(PutRecordsCommand).callsFake((input) => ({
    FailedRecordCount: 0,
    Records: input.Records.map((_: unknown, i: number) => ({ SequenceNumber: `${i + 1}`, ShardId: 's' })),
  }));
  sqs.on(GetQueueUrlCommand).resolves({ QueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/out' });
  sqs.on(SendMessageBatchCommand).callsFake((input) => ({
    Successful: input.Entries.map((e: { Id: string }) => ({ Id: e.Id, MessageId: `m${e.Id}` })),
    Failed: [],
  }));
  sns.on(PublishBatchCommand).callsFake((input) => ({
    Successful: input.PublishBatchRequestEntries.map((e: { Id: string }) => ({ Id: e.Id, MessageId: 'm' })),
    Failed: [],
  }));
  firehose.on(PutRecordBatchCommand).callsFake((input) => ({
    FailedPutCount: 0,
    RequestResponses: input.Records.map((_: unknown, i: number) => ({ RecordId: `r${i}` })),
  }));
  events.on(PutEventsCommand).callsFake((input) => ({
    FailedEntryCount: 0,
    Entries: input.Entries.map((_: unknown, i: number) => ({ EventId: `e${i}` })),
  }));
  lambda.on(InvokeCommand).resolves({
    StatusCode: 200,
    Payload: Buffer.from('null') as unknown as InvokeCommandOutput['Payload'],
  });
});

/** What each adapter sent, as the data of the records it carried (one call per adapter here). */
const sentData: Record<TargetType, () => string[]> = {
  kinesis: () =>
    kinesis
      .commandCalls(PutRecordsCommand)
      .flatMap((c) => c.args[0].input.Records ?? [])
      .map((r) => Buffer.from(r.Data as Uint8Array).toString()),
  sqs: () =>
    sqs
      .commandCalls(SendMessageBatchCommand)
      .flatMap((c) => c.args[0].input.Entries ?? [])
      .map((e) => e.MessageBody ?? ''),
  sns: () =>
    sns
      .commandCalls(PublishBatchCommand)
      .flatMap((c) => c.args[0].input.PublishBatchRequestEntries ?? [])
      .map((e) => e.Message ?? ''),
  firehose: () =>
    firehose
      .commandCalls(PutRecordBatchCommand)
      .flatMap((c) => c.args[0].input.Records ?? [])
      .map((r) => Buffer.from(r.Data as Uint8Array).toString()),
  eventbridge: () =>
    events
      .commandCalls(PutEventsCommand)
      .flatMap((c) => c.args[0].input.Entries ?? [])
      .map((e) => e.Detail ?? ''),
  lambda: () =>
    lambda.commandCalls(InvokeCommand).flatMap((c) => {
      const payload = JSON.parse(Buffer.from(c.args[0].input.Payload as Uint8Array).toString()) as {
        records: Array<{ data: string }>;
      };
      return payload.records.map((r) => Buffer.from(r.data, 'base64').toString());
    }),
  http: () => receiver.seen.map((s) => s.body.toString()),
};

const adapterOf = (type: TargetType) =>
  createAdapter(
    adapterContextFactory(
      type === 'http'
        ? {
            type,
            destination: `${receiver.base}/ok`,
            http: {
              method: 'POST',
              headers: {},
              contentType: 'application/octet-stream',
              timeoutMs: 5_000,
              allowInsecure: true,
              allowPrivate: true,
            },
          }
        : type === 'sns'
          ? { type, destination: 'arn:aws:sns:us-east-1:123456789012:out' }
          : { type },
    ),
  );

/** A record one of whose fields cannot be read: whatever an encoding could trip over, it trips here. */
function poisoned(field: 'partitionKey' | 'data'): DeliveryRecord {
  const record = deliveryRecordFactory({ data: '{"n":"poison"}' });
  Object.defineProperty(record, field, {
    get() {
      throw new TypeError(`poisoned ${field}`);
    },
  });
  return record;
}

/** Neighbours before and after the record under test; their data names them. */
function around(record: DeliveryRecord): DeliveryRecord[] {
  return [
    deliveryRecordFactory({ data: '{"n":"before"}' }),
    record,
    deliveryRecordFactory({ data: '{"n":"after"}' }),
  ];
}

async function deliverAround(
  type: TargetType,
  record: DeliveryRecord,
): Promise<{ outcomes: RecordOutcome[]; sent: string[] }> {
  const adapter = adapterOf(type);
  const records = around(record);
  // What the worker does first: size every record (the packer), then deliver them in one call.
  for (const r of records) expect(adapter.sizeOf(r)).toBeGreaterThanOrEqual(0);
  const outcomes = await adapter.deliver(records);
  return { outcomes, sent: sentData[type]().sort() };
}

const TYPES: TargetType[] = ['kinesis', 'sqs', 'sns', 'firehose', 'eventbridge', 'lambda', 'http'];

describe('a record whose own encoding throws fails alone', () => {
  it.each(TYPES)('%s: its neighbours are delivered, it fails permanently with the reason', async (type) => {
    // http reads the partition key first (its header); every other adapter reads the data.
    const field = type === 'http' || type === 'kinesis' ? 'partitionKey' : 'data';
    const { outcomes, sent } = await deliverAround(type, poisoned(field));

    expect(outcomes[0]).toEqual({ ok: true });
    expect(outcomes[2]).toEqual({ ok: true });
    expect(outcomes[1]).toMatchObject({ ok: false, retryable: false });
    expect((outcomes[1] as { reason: string }).reason).toContain(`poisoned ${field}`);
    expect(sent).toEqual(['{"n":"after"}', '{"n":"before"}']);
  });
});

describe('records the destination would refuse with their whole call', () => {
  it('http: a lone-surrogate partition key fails alone (encodeURIComponent cannot encode it)', async () => {
    const lone = deliveryRecordFactory({ partitionKey: 'key-\uD800', data: '{"n":"lone"}' });
    const { outcomes, sent } = await deliverAround('http', lone);

    expect(outcomes).toEqual([
      { ok: true },
      {
        ok: false,
        retryable: false,
        reason:
          'HTTP request not sent: the partition key is not well-formed Unicode (it holds a lone surrogate), so it cannot be URI-encoded into the x-fanout-partition-key header',
      },
      { ok: true },
    ]);
    expect(sent).toEqual(['{"n":"after"}', '{"n":"before"}']);
  });

  it.each([
    ['empty', ''],
    ['257 characters', 'k'.repeat(257)],
  ])('kinesis: a partition key that is %s fails alone, before the call', async (_, partitionKey) => {
    const { outcomes, sent } = await deliverAround(
      'kinesis',
      deliveryRecordFactory({ partitionKey, data: '{"n":"bad"}' }),
    );

    expect(outcomes[1]).toEqual({
      ok: false,
      retryable: false,
      reason: `PutRecords: the partition key is ${partitionKey.length} characters long; Kinesis takes 1-256 (a KPL user record's key?)`,
    });
    expect([outcomes[0], outcomes[2]]).toEqual([{ ok: true }, { ok: true }]);
    expect(sent).toEqual(['{"n":"after"}', '{"n":"before"}']);
  });

  it('eventbridge: an arrival time no Date can hold fails alone (the SDK would throw for the call)', async () => {
    const { outcomes, sent } = await deliverAround(
      'eventbridge',
      deliveryRecordFactory({ arrivedAt: 1e20, data: '{"n":"late"}' }),
    );

    expect(outcomes[1]).toEqual({
      ok: false,
      retryable: false,
      reason: "PutEvents: the record's arrival time 100000000000000000000 is not a date (Time)",
    });
    expect(sent).toEqual(['{"n":"after"}', '{"n":"before"}']);
  });

  it.each(['sqs', 'sns'] as const)(
    '%s: an empty partition key is delivered without the attribute SQS/SNS would refuse',
    async (type) => {
      const { outcomes, sent } = await deliverAround(
        type,
        deliveryRecordFactory({ partitionKey: '', data: '{"n":"empty"}' }),
      );

      expect(outcomes).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
      expect(sent).toEqual(['{"n":"after"}', '{"n":"before"}', '{"n":"empty"}']);
      const attributes =
        type === 'sqs'
          ? sqs.commandCalls(SendMessageBatchCommand)[0]!.args[0].input.Entries![1]!.MessageAttributes
          : sns.commandCalls(PublishBatchCommand)[0]!.args[0].input.PublishBatchRequestEntries![1]!
              .MessageAttributes;
      expect(Object.keys(attributes ?? {})).toEqual(['fanout-key']);
    },
  );
});
