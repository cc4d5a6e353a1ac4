import { PublishBatchCommand, type PublishBatchRequestEntry, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { TargetDestinationError } from '../../lib/targets/errors.js';
import { createSnsAdapter } from '../../lib/targets/sns.js';
import { adapterContextFactory, asciiData, awsError, deliveryRecordFactory } from './factories.js';

const sns = mockClient(SNSClient);
const TOPIC = 'arn:aws:sns:eu-central-1:123456789012:orders-out';
const ok = (n: number) => ({
  Successful: Array.from({ length: n }, (_, i) => ({ Id: String(i), MessageId: `m${i}` })),
  Failed: [],
});
const sentEntries = (call = 0): PublishBatchRequestEntry[] =>
  sns.commandCalls(PublishBatchCommand)[call]!.args[0].input.PublishBatchRequestEntries ?? [];

describe('sns adapter', () => {
  beforeEach(() => sns.reset());

  it('publishes each record to the topic ARN through a client of the topic region', async () => {
    sns.on(PublishBatchCommand).resolves(ok(2));
    const context = adapterContextFactory({ type: 'sns', destination: TOPIC });
    const get = vi.spyOn(context.clients, 'get');
    const adapter = createSnsAdapter(context);

    const outcomes = await adapter.deliver([
      deliveryRecordFactory({ key: 'orders#a', partitionKey: 'p1', data: '{"id":1}' }),
      deliveryRecordFactory({ key: 'orders#b', partitionKey: 'p2', data: 'plain text' }),
    ]);

    expect(outcomes).toEqual([{ ok: true }, { ok: true }]);
    expect(get).toHaveBeenCalledWith(SNSClient, 'eu-central-1');
    expect(sns.commandCalls(PublishBatchCommand)[0]!.args[0].input.TopicArn).toBe(TOPIC);
    expect(sentEntries()).toEqual([
      {
        Id: '0',
        Message: '{"id":1}',
        MessageAttributes: {
          'fanout-key': { DataType: 'String', StringValue: 'orders#a' },
          'fanout-partition-key': { DataType: 'String', StringValue: 'p1' },
        },
      },
      {
        Id: '1',
        Message: 'plain text',
        MessageAttributes: {
          'fanout-key': { DataType: 'String', StringValue: 'orders#b' },
          'fanout-partition-key': { DataType: 'String', StringValue: 'p2' },
        },
      },
    ]);
  });

  it('refuses a destination that is not a topic ARN when it is created', () => {
    expect(() => createSnsAdapter(adapterContextFactory({ type: 'sns', destination: 'orders-out' }))).toThrow(
      TargetDestinationError,
    );
    expect(() =>
      createSnsAdapter(
        adapterContextFactory({ type: 'sns', destination: 'arn:aws:sqs:us-east-1:123456789012:q' }),
      ),
    ).toThrow(/is not an SNS topic ARN/);
  });

  it('maps Failed[] entries by Id: an AWS-side fault is retryable, a sender fault is not', async () => {
    sns.on(PublishBatchCommand).resolves({
      Successful: [{ Id: '1', MessageId: 'm1' }],
      Failed: [
        { Id: '0', SenderFault: true, Code: 'InvalidParameter', Message: 'bad attribute' },
        { Id: '2', SenderFault: false, Code: 'InternalError', Message: 'try again' },
      ],
    });
    const adapter = createSnsAdapter(adapterContextFactory({ type: 'sns', destination: TOPIC }));

    const outcomes = await adapter.deliver([
      deliveryRecordFactory(),
      deliveryRecordFactory(),
      deliveryRecordFactory(),
    ]);

    expect(outcomes).toEqual([
      { ok: false, retryable: false, reason: 'PublishBatch InvalidParameter: bad attribute' },
      { ok: true },
      { ok: false, retryable: true, reason: 'PublishBatch InternalError: try again' },
    ]);
  });

  it('fails every record retryably when the call is throttled', async () => {
    sns.on(PublishBatchCommand).rejects(awsError('Throttling', 'Rate exceeded'));
    const adapter = createSnsAdapter(adapterContextFactory({ type: 'sns', destination: TOPIC }));

    const outcomes = await adapter.deliver([deliveryRecordFactory()]);

    expect(outcomes).toEqual([
      { ok: false, retryable: true, reason: 'PublishBatch: Throttling: Rate exceeded' },
    ]);
  });

  it('gives a FIFO topic the partition key as group and a digest of the idempotency key as dedup id', async () => {
    sns.on(PublishBatchCommand).resolves(ok(2));
    const adapter = createSnsAdapter(
      adapterContextFactory({ type: 'sns', destination: `${TOPIC}.fifo` }, 'native'),
    );

    await adapter.deliver([
      deliveryRecordFactory({ key: 'orders#a', partitionKey: 'p1' }),
      deliveryRecordFactory({ key: 'orders#b', partitionKey: 'p1' }),
    ]);

    const [a, b] = sentEntries();
    expect(adapter.limits.parallelCalls).toBe(1);
    expect([a?.MessageGroupId, b?.MessageGroupId]).toEqual(['p1', 'p1']);
    expect(a?.MessageDeduplicationId).toMatch(/^[A-Za-z0-9_-]{1,128}$/);
    expect(a?.MessageDeduplicationId).not.toBe(b?.MessageDeduplicationId);
  });

  it('publishes binary data as base64 with fanout-encoding=base64', async () => {
    sns.on(PublishBatchCommand).resolves(ok(1));
    const adapter = createSnsAdapter(adapterContextFactory({ type: 'sns', destination: TOPIC }));
    const data = Buffer.from([0xc3, 0x28, 0x00]);

    await adapter.deliver([deliveryRecordFactory({ data })]);

    expect(sentEntries()[0]?.Message).toBe(data.toString('base64'));
    expect(sentEntries()[0]?.MessageAttributes?.['fanout-encoding']?.StringValue).toBe('base64');
    expect(sentEntries()[0]).not.toHaveProperty('MessageGroupId');
  });

  it('declares PublishBatch limits: a message exactly at 256 KiB fits, one byte more does not', () => {
    const adapter = createSnsAdapter(adapterContextFactory({ type: 'sns', destination: TOPIC }));
    const attributes = 'fanout-key'.length + 6 + 1 + 'fanout-partition-key'.length + 6 + 1;
    const atLimit = deliveryRecordFactory({
      key: 'k',
      partitionKey: 'p',
      data: asciiData(262_144 - attributes),
    });
    const over = deliveryRecordFactory({
      key: 'k',
      partitionKey: 'p',
      data: asciiData(262_144 - attributes + 1),
    });

    expect(adapter.limits).toEqual({
      maxRecords: 10,
      maxBytes: 262_144,
      maxRecordBytes: 262_144,
      parallelCalls: 4,
    });
    expect(adapter.sizeOf(atLimit)).toBe(262_144);
    expect(adapter.sizeOf(over)).toBe(262_145);
  });
});
