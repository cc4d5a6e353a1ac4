import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createFirehoseAdapter } from '../../lib/targets/firehose.js';
import { adapterContextFactory, asciiData, awsError, deliveryRecordFactory } from './factories.js';

const firehose = mockClient(FirehoseClient);
const ok = (n: number) => ({
  FailedPutCount: 0,
  RequestResponses: Array.from({ length: n }, (_, i) => ({ RecordId: `r${i}` })),
});

describe('firehose adapter', () => {
  beforeEach(() => firehose.reset());

  it('puts the records data unchanged to the delivery stream', async () => {
    firehose.on(PutRecordBatchCommand).resolves(ok(2));
    const adapter = createFirehoseAdapter(
      adapterContextFactory({ type: 'firehose', destination: 'orders-s3' }),
    );
    const records = [
      deliveryRecordFactory({ data: 'line 1\n' }),
      deliveryRecordFactory({ data: Buffer.from([1, 2, 255]) }),
    ];

    expect(await adapter.deliver(records)).toEqual([{ ok: true }, { ok: true }]);
    const input = firehose.commandCalls(PutRecordBatchCommand)[0]!.args[0].input;
    expect(input.DeliveryStreamName).toBe('orders-s3');
    expect(input.Records?.map((r) => Buffer.from(r.Data!).toString('hex'))).toEqual([
      Buffer.from('line 1\n').toString('hex'),
      '0102ff',
    ]);
  });

  it('takes the stream name and region out of a delivery stream ARN', async () => {
    firehose.on(PutRecordBatchCommand).resolves(ok(1));
    const context = adapterContextFactory({
      type: 'firehose',
      destination: 'arn:aws:firehose:ap-southeast-2:123456789012:deliverystream/orders-s3',
    });
    const get = vi.spyOn(context.clients, 'get');

    await createFirehoseAdapter(context).deliver([deliveryRecordFactory()]);

    expect(get).toHaveBeenCalledWith(FirehoseClient, 'ap-southeast-2');
    expect(firehose.commandCalls(PutRecordBatchCommand)[0]!.args[0].input.DeliveryStreamName).toBe(
      'orders-s3',
    );
  });

  it('maps FailedPutCount and each ErrorCode to exactly the records that failed', async () => {
    firehose.on(PutRecordBatchCommand).resolves({
      FailedPutCount: 2,
      RequestResponses: [
        { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' },
        { RecordId: 'r1' },
        { ErrorCode: 'InvalidArgumentException', ErrorMessage: 'record too large' },
      ],
    });
    const adapter = createFirehoseAdapter(adapterContextFactory({ type: 'firehose' }));

    const outcomes = await adapter.deliver([
      deliveryRecordFactory(),
      deliveryRecordFactory(),
      deliveryRecordFactory(),
    ]);

    expect(outcomes).toEqual([
      { ok: false, retryable: true, reason: 'PutRecordBatch ServiceUnavailableException: Slow down.' },
      { ok: true },
      { ok: false, retryable: false, reason: 'PutRecordBatch InvalidArgumentException: record too large' },
    ]);
  });

  it('fails every record retryably when the call is throttled', async () => {
    firehose.on(PutRecordBatchCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));
    const adapter = createFirehoseAdapter(adapterContextFactory({ type: 'firehose' }));

    const outcomes = await adapter.deliver([deliveryRecordFactory(), deliveryRecordFactory()]);

    expect(outcomes.every((o) => !o.ok && o.retryable && o.reason.includes('ThrottlingException'))).toBe(
      true,
    );
    expect(outcomes).toHaveLength(2);
  });

  it('declares PutRecordBatch limits: a record exactly at 1,000 KiB fits, one byte more does not', () => {
    const adapter = createFirehoseAdapter(adapterContextFactory({ type: 'firehose' }));

    expect(adapter.limits).toEqual({
      maxRecords: 500,
      maxBytes: 4_194_304,
      maxRecordBytes: 1_024_000,
      parallelCalls: 4,
    });
    expect(adapter.sizeOf(deliveryRecordFactory({ data: asciiData(1_024_000) }))).toBe(
      adapter.limits.maxRecordBytes,
    );
    expect(adapter.sizeOf(deliveryRecordFactory({ data: asciiData(1_024_001) }))).toBe(
      adapter.limits.maxRecordBytes + 1,
    );
  });
});
