import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ClientPool } from '../../lib/aws/clients.js';
import { chunkBySize } from '../../lib/envelope/chunk.js';
import { createKinesisAdapter, KINESIS_LIMITS, kinesisRecordSize } from '../../lib/targets/kinesis.js';
import { adapterContextFactory, asciiData, awsError, deliveryRecordFactory } from './factories.js';

const kinesis = mockClient(KinesisClient);
const ok = (n: number) => ({
  FailedRecordCount: 0,
  Records: Array.from({ length: n }, (_, i) => ({
    SequenceNumber: `${i + 1}`,
    ShardId: 'shardId-000000000000',
  })),
});

describe('kinesis adapter', () => {
  beforeEach(() => kinesis.reset());

  it('puts every record with its own partition key to the stream named by the destination', async () => {
    kinesis.on(PutRecordsCommand).resolves(ok(3));
    const adapter = createKinesisAdapter(adapterContextFactory({ type: 'kinesis', destination: 'copy' }));
    const records = [
      deliveryRecordFactory({ partitionKey: 'a', data: 'one' }),
      deliveryRecordFactory({ partitionKey: 'b', data: Buffer.from([0, 255, 1]) }),
      deliveryRecordFactory({ partitionKey: 'a', data: 'three' }),
    ];

    const outcomes = await adapter.deliver(records);

    expect(outcomes).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    const input = kinesis.commandCalls(PutRecordsCommand)[0]!.args[0].input;
    expect(input.StreamName).toBe('copy');
    expect(input.StreamARN).toBeUndefined();
    expect(input.Records?.map((r) => [r.PartitionKey, Buffer.from(r.Data!).toString('hex')])).toEqual([
      ['a', Buffer.from('one').toString('hex')],
      ['b', '00ff01'],
      ['a', Buffer.from('three').toString('hex')],
    ]);
  });

  it('sends StreamARN for an ARN destination, with a client of the ARN region', async () => {
    kinesis.on(PutRecordsCommand).resolves(ok(1));
    const clients = new ClientPool({ region: 'us-east-1' });
    const get = vi.spyOn(clients, 'get');
    const arn = 'arn:aws:kinesis:eu-west-1:123456789012:stream/copy';
    const adapter = createKinesisAdapter(
      adapterContextFactory({ type: 'kinesis', destination: arn }, 'store', clients),
    );

    await adapter.deliver([deliveryRecordFactory()]);

    expect(get).toHaveBeenCalledWith(KinesisClient, 'eu-west-1');
    const input = kinesis.commandCalls(PutRecordsCommand)[0]!.args[0].input;
    expect(input.StreamARN).toBe(arn);
    expect(input.StreamName).toBeUndefined();
  });

  it('maps a partial failure to exactly the records that failed, retryable or not by error code', async () => {
    kinesis.on(PutRecordsCommand).resolves({
      FailedRecordCount: 2,
      Records: [
        { SequenceNumber: '1', ShardId: 's' },
        { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard' },
        { SequenceNumber: '3', ShardId: 's' },
        { ErrorCode: 'KMSAccessDeniedException', ErrorMessage: 'no access to the key' },
        { ErrorCode: 'InternalFailure', ErrorMessage: 'oops' },
      ],
    });
    const adapter = createKinesisAdapter(adapterContextFactory({ type: 'kinesis' }));
    const records = Array.from({ length: 5 }, () => deliveryRecordFactory());

    const outcomes = await adapter.deliver(records);

    expect(outcomes).toEqual([
      { ok: true },
      {
        ok: false,
        retryable: true,
        reason: 'PutRecords ProvisionedThroughputExceededException: Rate exceeded for shard',
      },
      { ok: true },
      { ok: false, retryable: false, reason: 'PutRecords KMSAccessDeniedException: no access to the key' },
      { ok: false, retryable: true, reason: 'PutRecords InternalFailure: oops' },
    ]);
  });

  it('reports a record the response has no result for as a retryable failure, never as delivered', async () => {
    kinesis
      .on(PutRecordsCommand)
      .resolves({ FailedRecordCount: 0, Records: [{ SequenceNumber: '1', ShardId: 's' }] });
    const adapter = createKinesisAdapter(adapterContextFactory({ type: 'kinesis' }));

    const outcomes = await adapter.deliver([deliveryRecordFactory(), deliveryRecordFactory()]);

    expect(outcomes[0]).toEqual({ ok: true });
    expect(outcomes[1]).toMatchObject({ ok: false, retryable: true });
  });

  it('fails every record retryably when the whole call is throttled, and permanently when it is denied', async () => {
    const adapter = createKinesisAdapter(adapterContextFactory({ type: 'kinesis' }));
    const records = [deliveryRecordFactory(), deliveryRecordFactory()];

    kinesis.on(PutRecordsCommand).rejects(awsError('ProvisionedThroughputExceededException', 'slow down'));
    const throttled = await adapter.deliver(records);
    kinesis.on(PutRecordsCommand).rejects(awsError('ResourceNotFoundException', 'Stream copy not found'));
    const missing = await adapter.deliver(records);

    expect(throttled).toEqual([
      { ok: false, retryable: true, reason: 'PutRecords: ProvisionedThroughputExceededException: slow down' },
      { ok: false, retryable: true, reason: 'PutRecords: ProvisionedThroughputExceededException: slow down' },
    ]);
    expect(missing.map((o) => o.ok === false && o.retryable)).toEqual([false, false]);
  });

  it('makes no call for no records', async () => {
    const adapter = createKinesisAdapter(adapterContextFactory({ type: 'kinesis' }));
    expect(await adapter.deliver([])).toEqual([]);
    expect(kinesis.commandCalls(PutRecordsCommand)).toHaveLength(0);
  });

  it('declares the PutRecords limits and keeps per-key order with one call at a time', () => {
    const adapter = createKinesisAdapter(adapterContextFactory({ type: 'kinesis' }));
    expect(adapter.type).toBe('kinesis');
    expect(adapter.limits).toEqual({
      maxRecords: 500,
      maxBytes: 5 * 1024 * 1024,
      maxRecordBytes: 1024 * 1024,
      parallelCalls: 1,
    });
    const record = deliveryRecordFactory({ partitionKey: 'clé', data: 'abc' });
    expect(adapter.sizeOf(record)).toBe(kinesisRecordSize(record));
  });

  it('counts the data and the UTF-8 bytes of the partition key: at the limit fits, one byte more does not', () => {
    const partitionKey = 'clé-€'; // 5 characters, 8 UTF-8 bytes
    const atLimit = deliveryRecordFactory({ partitionKey, data: asciiData(1_048_576 - 8) });
    const over = deliveryRecordFactory({ partitionKey, data: asciiData(1_048_576 - 7) });

    expect(kinesisRecordSize(atLimit)).toBe(KINESIS_LIMITS.maxRecordBytes);
    expect(kinesisRecordSize(over)).toBe(KINESIS_LIMITS.maxRecordBytes + 1);
  });

  it('lets the packer fill a call up to 5 MiB and 500 records, and no further', () => {
    const size = 1_048_576 - 8;
    const fiveAtLimit = Array.from({ length: 6 }, () =>
      deliveryRecordFactory({ partitionKey: 'clé-€', data: asciiData(size) }),
    );
    const small = Array.from({ length: 501 }, () => deliveryRecordFactory({ partitionKey: 'k', data: 'x' }));
    const limits = { maxItems: KINESIS_LIMITS.maxRecords, maxBytes: KINESIS_LIMITS.maxBytes };

    expect(chunkBySize(fiveAtLimit, kinesisRecordSize, limits).chunks.map((c) => c.length)).toEqual([5, 1]);
    expect(chunkBySize(small, kinesisRecordSize, limits).chunks.map((c) => c.length)).toEqual([500, 1]);
  });
});
