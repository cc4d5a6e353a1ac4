import {
  GetQueueUrlCommand,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createSqsAdapter, SQS_LIMITS } from '../../lib/targets/sqs.js';
import { adapterContextFactory, asciiData, awsError, deliveryRecordFactory } from './factories.js';

const sqs = mockClient(SQSClient);
const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/orders-out';
const ok = (n: number) => ({
  Successful: Array.from({ length: n }, (_, i) => ({
    Id: String(i),
    MessageId: `m${i}`,
    MD5OfMessageBody: '',
  })),
  Failed: [],
});
const sentEntries = (call = 0): SendMessageBatchRequestEntry[] =>
  sqs.commandCalls(SendMessageBatchCommand)[call]!.args[0].input.Entries ?? [];

describe('sqs adapter', () => {
  beforeEach(() => sqs.reset());

  it('sends each record as a text message with its key and partition key as attributes', async () => {
    sqs.on(SendMessageBatchCommand).resolves(ok(2));
    const adapter = createSqsAdapter(adapterContextFactory({ type: 'sqs', destination: QUEUE_URL }));
    const records = [
      deliveryRecordFactory({ key: 'orders#a', partitionKey: 'p1', data: '{"id":1}' }),
      deliveryRecordFactory({ key: 'orders#b', partitionKey: 'p2', data: 'héllo 👋' }),
    ];

    expect(await adapter.deliver(records)).toEqual([{ ok: true }, { ok: true }]);
    const input = sqs.commandCalls(SendMessageBatchCommand)[0]!.args[0].input;
    expect(input.QueueUrl).toBe(QUEUE_URL);
    expect(input.Entries).toEqual([
      {
        Id: '0',
        MessageBody: '{"id":1}',
        MessageAttributes: {
          'fanout-key': { DataType: 'String', StringValue: 'orders#a' },
          'fanout-partition-key': { DataType: 'String', StringValue: 'p1' },
        },
      },
      {
        Id: '1',
        MessageBody: 'héllo 👋',
        MessageAttributes: {
          'fanout-key': { DataType: 'String', StringValue: 'orders#b' },
          'fanout-partition-key': { DataType: 'String', StringValue: 'p2' },
        },
      },
    ]);
    expect(sqs.commandCalls(GetQueueUrlCommand)).toHaveLength(0);
  });

  it('resolves a queue name once with GetQueueUrl and reuses the URL', async () => {
    sqs.on(GetQueueUrlCommand).resolves({ QueueUrl: QUEUE_URL });
    sqs.on(SendMessageBatchCommand).resolves(ok(1));
    const adapter = createSqsAdapter(adapterContextFactory({ type: 'sqs', destination: 'orders-out' }));

    await adapter.deliver([deliveryRecordFactory()]);
    await adapter.deliver([deliveryRecordFactory()]);

    expect(sqs.commandCalls(GetQueueUrlCommand).map((c) => c.args[0].input)).toEqual([
      { QueueName: 'orders-out' },
    ]);
    expect(sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.QueueUrl)).toEqual([
      QUEUE_URL,
      QUEUE_URL,
    ]);
  });

  it('resolves a queue ARN with its owner account, through a client of its region', async () => {
    sqs.on(GetQueueUrlCommand).resolves({ QueueUrl: QUEUE_URL });
    sqs.on(SendMessageBatchCommand).resolves(ok(1));
    const context = adapterContextFactory({
      type: 'sqs',
      destination: 'arn:aws:sqs:eu-west-1:210987654321:orders-out',
    });
    const get = vi.spyOn(context.clients, 'get');
    const adapter = createSqsAdapter(context);

    await adapter.deliver([deliveryRecordFactory()]);

    expect(get).toHaveBeenCalledWith(SQSClient, 'eu-west-1');
    expect(sqs.commandCalls(GetQueueUrlCommand)[0]!.args[0].input).toEqual({
      QueueName: 'orders-out',
      QueueOwnerAWSAccountId: '210987654321',
    });
  });

  it('fails the records when the queue lookup fails, and looks it up again on the next call', async () => {
    sqs
      .on(GetQueueUrlCommand)
      .rejectsOnce(awsError('QueueDoesNotExist', 'no such queue'))
      .resolves({ QueueUrl: QUEUE_URL });
    sqs.on(SendMessageBatchCommand).resolves(ok(1));
    const adapter = createSqsAdapter(adapterContextFactory({ type: 'sqs', destination: 'orders-out' }));

    const first = await adapter.deliver([deliveryRecordFactory()]);
    const second = await adapter.deliver([deliveryRecordFactory()]);

    expect(first).toEqual([
      { ok: false, retryable: false, reason: 'SendMessageBatch: QueueDoesNotExist: no such queue' },
    ]);
    expect(second).toEqual([{ ok: true }]);
    expect(sqs.commandCalls(GetQueueUrlCommand)).toHaveLength(2);
  });

  it('maps Failed[] entries by Id: an AWS-side fault is retryable, a sender fault is not', async () => {
    sqs.on(SendMessageBatchCommand).resolves({
      Successful: [
        { Id: '0', MessageId: 'm0', MD5OfMessageBody: '' },
        { Id: '3', MessageId: 'm3', MD5OfMessageBody: '' },
      ],
      Failed: [
        { Id: '2', SenderFault: true, Code: 'InvalidMessageContents', Message: 'bad characters' },
        { Id: '1', SenderFault: false, Code: 'InternalError', Message: 'try again' },
      ],
    });
    const adapter = createSqsAdapter(adapterContextFactory({ type: 'sqs', destination: QUEUE_URL }));

    const outcomes = await adapter.deliver(Array.from({ length: 5 }, () => deliveryRecordFactory()));

    expect(outcomes).toEqual([
      { ok: true },
      { ok: false, retryable: true, reason: 'SendMessageBatch InternalError: try again' },
      { ok: false, retryable: false, reason: 'SendMessageBatch InvalidMessageContents: bad characters' },
      { ok: true },
      { ok: false, retryable: true, reason: 'SendMessageBatch returned no result for this record' },
    ]);
  });

  it('fails every record retryably when the call is throttled', async () => {
    sqs.on(SendMessageBatchCommand).rejects(awsError('RequestThrottled', 'Rate exceeded'));
    const adapter = createSqsAdapter(adapterContextFactory({ type: 'sqs', destination: QUEUE_URL }));

    const outcomes = await adapter.deliver([deliveryRecordFactory(), deliveryRecordFactory()]);

    expect(outcomes).toEqual(
      Array(2).fill({
        ok: false,
        retryable: true,
        reason: 'SendMessageBatch: RequestThrottled: Rate exceeded',
      }),
    );
  });

  it('sends binary data, and text SQS refuses, as base64 with fanout-encoding=base64', async () => {
    sqs.on(SendMessageBatchCommand).resolves(ok(2));
    const adapter = createSqsAdapter(adapterContextFactory({ type: 'sqs', destination: QUEUE_URL }));
    const binary = Buffer.from([0xff, 0xfe, 0x00, 0x41]);
    const control = Buffer.from('bell\u0007', 'utf8'); // valid UTF-8, but #x7 is not an SQS character

    await adapter.deliver([
      deliveryRecordFactory({ data: binary }),
      deliveryRecordFactory({ data: control }),
    ]);

    const [first, second] = sentEntries();
    expect(first?.MessageBody).toBe(binary.toString('base64'));
    expect(first?.MessageAttributes?.['fanout-encoding']).toEqual({
      DataType: 'String',
      StringValue: 'base64',
    });
    expect(Buffer.from(second!.MessageBody!, 'base64').equals(control)).toBe(true);
    expect(second?.MessageAttributes?.['fanout-encoding']?.StringValue).toBe('base64');
  });

  it('refuses an empty record permanently before the call and still sends the others', async () => {
    sqs.on(SendMessageBatchCommand).resolves(ok(1));
    const adapter = createSqsAdapter(adapterContextFactory({ type: 'sqs', destination: QUEUE_URL }));

    const outcomes = await adapter.deliver([
      deliveryRecordFactory({ data: '' }),
      deliveryRecordFactory({ data: 'x' }),
    ]);

    expect(outcomes[0]).toMatchObject({
      ok: false,
      retryable: false,
      reason: expect.stringContaining('empty'),
    });
    expect(outcomes[1]).toEqual({ ok: true });
    expect(sentEntries().map((e) => [e.Id, e.MessageBody])).toEqual([['0', 'x']]);
  });

  it('gives a FIFO queue the partition key as group and a digest of the idempotency key as dedup id', async () => {
    sqs.on(SendMessageBatchCommand).resolves(ok(3));
    const destination = 'https://sqs.us-east-1.amazonaws.com/123456789012/orders-out.fifo';
    const adapter = createSqsAdapter(adapterContextFactory({ type: 'sqs', destination }, 'native'));
    const longKey = 'k'.repeat(200);
    const records = [
      deliveryRecordFactory({ key: 'orders#a', partitionKey: 'customer-1' }),
      deliveryRecordFactory({ key: 'orders#b', partitionKey: 'customer-1' }),
      deliveryRecordFactory({ key: 'orders#c', partitionKey: longKey }),
    ];

    await adapter.deliver(records);
    await adapter.deliver([records[0]!]);

    const [a, b, c] = sentEntries(0);
    expect(adapter.limits.parallelCalls).toBe(1);
    expect([a?.MessageGroupId, b?.MessageGroupId]).toEqual(['customer-1', 'customer-1']);
    expect(c?.MessageGroupId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    for (const e of [a, b, c]) expect(e?.MessageDeduplicationId).toMatch(/^[A-Za-z0-9_-]{1,128}$/);
    expect(a?.MessageDeduplicationId).not.toBe(b?.MessageDeduplicationId);
    expect(sentEntries(1)[0]?.MessageDeduplicationId).toBe(a?.MessageDeduplicationId);
  });

  it('sends no FIFO fields to a standard queue', async () => {
    sqs.on(SendMessageBatchCommand).resolves(ok(1));
    const adapter = createSqsAdapter(adapterContextFactory({ type: 'sqs', destination: QUEUE_URL }));
    await adapter.deliver([deliveryRecordFactory()]);
    expect(sentEntries()[0]).not.toHaveProperty('MessageGroupId');
    expect(sentEntries()[0]).not.toHaveProperty('MessageDeduplicationId');
  });

  it('counts body and attribute names, types and values in sizeOf', () => {
    const adapter = createSqsAdapter(adapterContextFactory({ type: 'sqs', destination: QUEUE_URL }));
    const attributes = 'fanout-key'.length + 6 + 1 + 'fanout-partition-key'.length + 6 + 1; // key 'k', partition key 'p'
    const text = deliveryRecordFactory({ key: 'k', partitionKey: 'p', data: 'hello' });
    const binary = deliveryRecordFactory({
      key: 'k',
      partitionKey: 'p',
      data: Buffer.from([0xff, 0xff, 0xff, 0xff]),
    });

    expect(adapter.sizeOf(text)).toBe(5 + attributes);
    expect(adapter.sizeOf(binary)).toBe(8 + attributes + 'fanout-encoding'.length + 6 + 'base64'.length);
  });

  it('declares SendMessageBatch limits: a message exactly at 1 MiB fits, one byte more does not', () => {
    const adapter = createSqsAdapter(adapterContextFactory({ type: 'sqs', destination: QUEUE_URL }));
    const attributes = 'fanout-key'.length + 6 + 1 + 'fanout-partition-key'.length + 6 + 1;
    const atLimit = deliveryRecordFactory({
      key: 'k',
      partitionKey: 'p',
      data: asciiData(1_048_576 - attributes),
    });
    const over = deliveryRecordFactory({
      key: 'k',
      partitionKey: 'p',
      data: asciiData(1_048_576 - attributes + 1),
    });

    expect(adapter.limits).toEqual(SQS_LIMITS);
    expect(adapter.limits).toMatchObject({ maxRecords: 10, maxBytes: 1_048_576, maxRecordBytes: 1_048_576 });
    expect(adapter.sizeOf(atLimit)).toBe(adapter.limits.maxRecordBytes);
    expect(adapter.sizeOf(over)).toBe(adapter.limits.maxRecordBytes + 1);
  });

  it('takes a lower message limit for queues still at 256 KiB', () => {
    const adapter = createSqsAdapter(adapterContextFactory({ type: 'sqs', destination: QUEUE_URL }), {
      maxMessageBytes: 262_144,
    });
    expect(adapter.limits).toMatchObject({ maxBytes: 262_144, maxRecordBytes: 262_144 });
  });
});
