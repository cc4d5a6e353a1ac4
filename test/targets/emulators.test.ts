/**
 * Crosses the wire: the kinesis, sqs and sns adapters against kinesalite and fauxqs (SQS and SNS), each
 * written to and read back with the SDK.
 */
import {
  CreateStreamCommand,
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
} from '@aws-sdk/client-kinesis';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientPool } from '../../lib/aws/clients.js';
import { type Emulator, startEmulator } from '../../lib/local/emulators.js';
import { createKinesisAdapter } from '../../lib/targets/kinesis.js';
import { createSnsAdapter } from '../../lib/targets/sns.js';
import { createSqsAdapter } from '../../lib/targets/sqs.js';
import type { DeliveryRecord } from '../../lib/targets/types.js';
import { adapterContextFactory, deliveryRecordFactory } from './factories.js';
import { decodeMessage, receiveAll } from './queue-reader.js';

const ENV_KEYS = [
  'AWS_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_ENDPOINT_URL_KINESIS',
  'AWS_ENDPOINT_URL_SQS',
  'AWS_ENDPOINT_URL_SNS',
] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
let kinesisEmulator: Emulator | undefined;
let sqsEmulator: Emulator | undefined;
let clients: ClientPool;

// Text only from the Basic Multilingual Plane: fauxqs 1.9.2 refuses characters above U+FFFF (an emoji) that
// SQS accepts (its check is a regex without the `u` flag); the mock tests cover them.
const sample = (): DeliveryRecord[] => [
  deliveryRecordFactory({ partitionKey: 'customer-1', data: '{"order":1}' }),
  deliveryRecordFactory({ partitionKey: 'customer-2', data: 'plain text, ünïcode €' }),
  deliveryRecordFactory({ partitionKey: 'customer-1', data: Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x41]) }),
  deliveryRecordFactory({ partitionKey: 'kunde/ä', data: 'control \u0001 character' }),
];

const expected = (records: DeliveryRecord[]) =>
  records.map((r) => ({ key: r.key, partitionKey: r.partitionKey, data: r.data.toString('hex') }));

beforeAll(async () => {
  [kinesisEmulator, sqsEmulator] = await Promise.all([startEmulator('kinesis'), startEmulator('sqs')]);
  // The SDK reads these when a client is built: set them before the pool builds any.
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_KINESIS: kinesisEmulator.endpoint,
    AWS_ENDPOINT_URL_SQS: sqsEmulator.endpoint,
    AWS_ENDPOINT_URL_SNS: sqsEmulator.endpoint,
  });
  clients = new ClientPool({ region: 'us-east-1' });
});

afterAll(async () => {
  await Promise.all([kinesisEmulator?.stop(), sqsEmulator?.stop()]);
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
});

describe('target adapters against local emulators', () => {
  it('kinesis: records read back from the stream have the same data and partition keys', async () => {
    const kinesis = clients.get(KinesisClient);
    await kinesis.send(new CreateStreamCommand({ StreamName: 'copy', ShardCount: 2 }));
    let description = await kinesis.send(new DescribeStreamCommand({ StreamName: 'copy' }));
    for (let i = 0; description.StreamDescription?.StreamStatus !== 'ACTIVE' && i < 50; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      description = await kinesis.send(new DescribeStreamCommand({ StreamName: 'copy' }));
    }
    const adapter = createKinesisAdapter(
      adapterContextFactory({ type: 'kinesis', destination: 'copy' }, 'store', clients),
    );
    const records = sample();

    expect(await adapter.deliver(records)).toEqual(records.map(() => ({ ok: true })));

    const read: { partitionKey: string | undefined; data: string }[] = [];
    for (const shard of description.StreamDescription?.Shards ?? []) {
      const { ShardIterator } = await kinesis.send(
        new GetShardIteratorCommand({
          StreamName: 'copy',
          ShardId: shard.ShardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      const { Records = [] } = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
      read.push(
        ...Records.map((r) => ({
          partitionKey: r.PartitionKey,
          data: Buffer.from(r.Data ?? []).toString('hex'),
        })),
      );
    }
    const byContent = (a: { data: string }, b: { data: string }) => a.data.localeCompare(b.data);
    expect(read.sort(byContent)).toEqual(
      records.map((r) => ({ partitionKey: r.partitionKey, data: r.data.toString('hex') })).sort(byContent),
    );
  });

  it('kinesis: a partition key kinesalite would refuse with the whole call fails alone; the rest is written', async () => {
    const kinesis = clients.get(KinesisClient);
    await kinesis.send(new CreateStreamCommand({ StreamName: 'copy-keys', ShardCount: 1 }));
    for (let i = 0; i < 50; i++) {
      const out = await kinesis.send(new DescribeStreamCommand({ StreamName: 'copy-keys' }));
      if (out.StreamDescription?.StreamStatus === 'ACTIVE') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const adapter = createKinesisAdapter(
      adapterContextFactory({ type: 'kinesis', destination: 'copy-keys' }, 'store', clients),
    );
    const records = [
      deliveryRecordFactory({ partitionKey: 'a', data: 'first' }),
      deliveryRecordFactory({ partitionKey: 'k'.repeat(257), data: 'long key' }),
      deliveryRecordFactory({ partitionKey: 'b', data: 'last' }),
    ];

    const outcomes = await adapter.deliver(records);

    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
    expect(outcomes[1]).toMatchObject({ retryable: false, reason: expect.stringContaining('1-256') });
    const description = await kinesis.send(new DescribeStreamCommand({ StreamName: 'copy-keys' }));
    const { ShardIterator } = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: 'copy-keys',
        ShardId: description.StreamDescription?.Shards?.[0]?.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    const { Records = [] } = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
    expect(Records.map((r) => Buffer.from(r.Data ?? []).toString())).toEqual(['first', 'last']);
  });

  it('sqs: messages received from a queue given by name decode to the same data and keys', async () => {
    const sqs = clients.get(SQSClient);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'copy-standard' }));
    const adapter = createSqsAdapter(
      adapterContextFactory({ type: 'sqs', destination: 'copy-standard' }, 'store', clients),
    );
    const records = sample();

    expect(await adapter.deliver(records)).toEqual(records.map(() => ({ ok: true })));

    const received = (await receiveAll(sqs, QueueUrl!, records.length)).map(decodeMessage);
    const byKey = (a: { key?: string }, b: { key?: string }) => (a.key ?? '').localeCompare(b.key ?? '');
    expect(received.sort(byKey)).toEqual(expected(records).sort(byKey));
  });

  it('sqs: sizeOf counts as the queue does: a message at 1 MiB is accepted, one byte more is refused', async () => {
    const sqs = clients.get(SQSClient);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'copy-limits' }));
    const adapter = createSqsAdapter(
      adapterContextFactory({ type: 'sqs', destination: QueueUrl! }, 'store', clients),
    );
    const probe = deliveryRecordFactory({ data: 'x' });
    const room = adapter.limits.maxRecordBytes - (adapter.sizeOf(probe) - 1);
    const atLimit = { ...probe, data: Buffer.alloc(room, 'a') };
    const over = { ...probe, key: `${probe.key}-over`, data: Buffer.alloc(room + 1, 'a') };

    expect(adapter.sizeOf(atLimit)).toBe(1_048_576);
    expect(await adapter.deliver([atLimit])).toEqual([{ ok: true }]);
    expect(await adapter.deliver([over])).toEqual([
      expect.objectContaining({ ok: false, retryable: false, reason: expect.stringContaining('1048576') }),
    ]);
  });

  it('sqs FIFO: keeps order per partition key and drops a repeated idempotency key', async () => {
    const sqs = clients.get(SQSClient);
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: 'copy.fifo', Attributes: { FifoQueue: 'true' } }),
    );
    const adapter = createSqsAdapter(
      adapterContextFactory({ type: 'sqs', destination: QueueUrl! }, 'native', clients),
    );
    const records = [1, 2, 3].map((n) =>
      deliveryRecordFactory({ partitionKey: 'one-group', data: `{"n":${n}}` }),
    );

    expect(await adapter.deliver(records)).toEqual(records.map(() => ({ ok: true })));
    expect(await adapter.deliver([records[0]!])).toEqual([{ ok: true }]); // a retry: accepted, not enqueued again

    const received = await receiveAll(sqs, QueueUrl!, records.length + 1, 1);
    expect(received.map(decodeMessage)).toEqual(expected(records));
  });

  it('sns: messages published to a topic reach a raw SQS subscription unchanged', async () => {
    const sns = clients.get(SNSClient);
    const sqs = clients.get(SQSClient);
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'copy-topic' }));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'copy-topic-subscriber' }));
    await sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'sqs',
        Endpoint: 'arn:aws:sqs:us-east-1:000000000000:copy-topic-subscriber',
        Attributes: { RawMessageDelivery: 'true' },
      }),
    );
    const adapter = createSnsAdapter(
      adapterContextFactory({ type: 'sns', destination: TopicArn! }, 'store', clients),
    );
    const records = sample();

    expect(await adapter.deliver(records)).toEqual(records.map(() => ({ ok: true })));

    const received = (await receiveAll(sqs, QueueUrl!, records.length)).map(decodeMessage);
    const byKey = (a: { key?: string }, b: { key?: string }) => (a.key ?? '').localeCompare(b.key ?? '');
    expect(received.sort(byKey)).toEqual(expected(records).sort(byKey));
  });
});
