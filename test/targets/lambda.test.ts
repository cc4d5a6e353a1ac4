import { InvokeCommand, type InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createLambdaAdapter,
  encodeLambdaPayload,
  LAMBDA_LIMITS,
  type LambdaPayload,
  lambdaRecordSize,
  reportedFailures,
} from '../../lib/targets/lambda.js';
import { adapterContextFactory, awsError, deliveryRecordFactory } from './factories.js';

const lambda = mockClient(LambdaClient);
// The SDK types a response payload as its blob adapter; the adapter only reads the bytes.
const json = (value: unknown) =>
  Buffer.from(JSON.stringify(value)) as unknown as InvokeCommandOutput['Payload'];
const sentPayload = (): LambdaPayload =>
  JSON.parse(
    Buffer.from(lambda.commandCalls(InvokeCommand)[0]!.args[0].input.Payload as Uint8Array).toString('utf8'),
  );

describe('lambda adapter', () => {
  beforeEach(() => lambda.reset());

  it('invokes the function synchronously with the records, data in base64', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: json(null) });
    const context = adapterContextFactory({
      type: 'lambda',
      destination: 'arn:aws:lambda:us-west-2:123456789012:function:consumer',
    });
    const get = vi.spyOn(context.clients, 'get');
    const adapter = createLambdaAdapter(context);
    const records = [
      deliveryRecordFactory({
        key: 't#1',
        partitionKey: 'p',
        sequenceNumber: '100',
        arrivedAt: 5,
        data: Buffer.from([0, 255]),
      }),
      deliveryRecordFactory({
        key: 't#2',
        partitionKey: 'q',
        sequenceNumber: '101',
        subSequence: 3,
        arrivedAt: 6,
        data: 'hi',
      }),
    ];

    expect(await adapter.deliver(records)).toEqual([{ ok: true }, { ok: true }]);
    const input = lambda.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect(get).toHaveBeenCalledWith(LambdaClient, 'us-west-2');
    expect(input).toMatchObject({
      FunctionName: context.target.destination,
      InvocationType: 'RequestResponse',
    });
    expect(sentPayload()).toEqual({
      records: [
        { key: 't#1', partitionKey: 'p', sequenceNumber: '100', arrivedAt: 5, data: 'AP8=' },
        { key: 't#2', partitionKey: 'q', sequenceNumber: '101', subSequence: 3, arrivedAt: 6, data: 'aGk=' },
      ],
    });
  });

  it('fails every record retryably with the function error message when the function fails', async () => {
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: json({ errorType: 'Error', errorMessage: 'database is down', trace: [] }),
    });
    const adapter = createLambdaAdapter(adapterContextFactory({ type: 'lambda', destination: 'consumer' }));

    const outcomes = await adapter.deliver([deliveryRecordFactory(), deliveryRecordFactory()]);

    expect(outcomes).toEqual(
      Array(2).fill({
        ok: false,
        retryable: true,
        reason: 'Invoke: function error (Unhandled): database is down',
      }),
    );
  });

  it('fails exactly the records the function lists in batchItemFailures', async () => {
    const records = [deliveryRecordFactory(), deliveryRecordFactory(), deliveryRecordFactory()];
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      Payload: json({ batchItemFailures: [{ itemIdentifier: records[1]!.key }] }),
    });
    const adapter = createLambdaAdapter(adapterContextFactory({ type: 'lambda', destination: 'consumer' }));

    const outcomes = await adapter.deliver(records);

    expect(outcomes).toEqual([
      { ok: true },
      {
        ok: false,
        retryable: true,
        reason: 'Invoke: the function reported this record as failed (batchItemFailures)',
      },
      { ok: true },
    ]);
  });

  it('reads an empty batchItemFailures identifier as the whole batch failed', () => {
    expect(reportedFailures(json({ batchItemFailures: [{ itemIdentifier: '' }] }))).toBe('all');
    expect(reportedFailures(json({ batchItemFailures: [] }))).toEqual(new Set());
    expect(reportedFailures(json({ result: 'batchItemFailures' }))).toBeUndefined();
    expect(reportedFailures(undefined)).toBeUndefined();
  });

  it('classifies a thrown SDK error: throttling is retryable, a too large request is not', async () => {
    const adapter = createLambdaAdapter(adapterContextFactory({ type: 'lambda', destination: 'consumer' }));

    lambda.on(InvokeCommand).rejects(awsError('TooManyRequestsException', 'Rate Exceeded.', 429));
    const throttled = await adapter.deliver([deliveryRecordFactory()]);
    lambda.on(InvokeCommand).rejects(awsError('RequestTooLargeException', 'Request must be smaller', 413));
    const tooLarge = await adapter.deliver([deliveryRecordFactory()]);

    expect(throttled).toEqual([
      { ok: false, retryable: true, reason: 'Invoke: TooManyRequestsException: Rate Exceeded.' },
    ]);
    expect(tooLarge).toEqual([
      { ok: false, retryable: false, reason: 'Invoke: RequestTooLargeException: Request must be smaller' },
    ]);
  });

  it('sizes records so that their sum bounds the payload exactly (one comma each, beyond the frame)', () => {
    const records = [
      deliveryRecordFactory({ partitionKey: 'ключ', data: Buffer.alloc(10, 1) }),
      deliveryRecordFactory({ subSequence: 12, data: Buffer.alloc(11, 2) }),
      deliveryRecordFactory({ key: 'quote"and\\slash', data: '' }),
    ];
    const sum = records.reduce((total, r) => total + lambdaRecordSize(r), 0);

    expect(encodeLambdaPayload(records).length).toBe('{"records":[]}'.length + sum - 1);
    expect(LAMBDA_LIMITS.maxBytes + '{"records":[]}'.length).toBe(6_291_456);
  });

  it('lets a record fill the 6 MB payload exactly, and counts one byte more as over the limit', () => {
    // Pad the partition key until the room left for data is a whole number of base64 quads.
    let probe = deliveryRecordFactory({ partitionKey: 'p', data: '' });
    while ((LAMBDA_LIMITS.maxRecordBytes - lambdaRecordSize(probe)) % 4 !== 0) {
      probe = { ...probe, partitionKey: `${probe.partitionKey}x` };
    }
    const dataBytes = ((LAMBDA_LIMITS.maxRecordBytes - lambdaRecordSize(probe)) / 4) * 3;
    const atLimit = { ...probe, data: Buffer.alloc(dataBytes, 7) };
    const over = { ...probe, data: Buffer.alloc(dataBytes + 1, 7) };

    expect(lambdaRecordSize(atLimit)).toBe(LAMBDA_LIMITS.maxRecordBytes);
    expect(encodeLambdaPayload([atLimit]).length).toBe(6_291_456 - 1);
    expect(lambdaRecordSize(over)).toBe(LAMBDA_LIMITS.maxRecordBytes + 4);
  });
});
