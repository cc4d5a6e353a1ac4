import { describe, expect, it } from 'vitest';
import {
  asyncFailureRecord,
  streamFailureRecord,
} from '../../../lib/lambda-emulator/destinations/records.js';

const arn = 'arn:aws:lambda:us-east-1:000000000000:function:worker';

describe('on-failure records', () => {
  it("an async record carries the request, Lambda's response context and the error", () => {
    const record = asyncFailureRecord({
      now: Date.UTC(2025, 0, 2, 3, 4, 5, 6),
      requestId: 'req-1',
      functionArn: arn,
      condition: 'RetriesExhausted',
      approximateInvokeCount: 3,
      requestPayload: '{"a":1}',
      lastError: { errorType: 'Error', errorMessage: 'boom' },
    });
    expect(record).toEqual({
      version: '1.0',
      timestamp: '2025-01-02T03:04:05.006Z',
      requestContext: {
        requestId: 'req-1',
        functionArn: `${arn}:$LATEST`,
        condition: 'RetriesExhausted',
        approximateInvokeCount: 3,
      },
      requestPayload: { a: 1 },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'Error', errorMessage: 'boom' },
    });
  });

  it('an async record of an event never invoked has no response', () => {
    const record = asyncFailureRecord({
      now: 0,
      requestId: 'r',
      functionArn: arn,
      condition: 'ZeroReservedConcurrency',
      approximateInvokeCount: 0,
      requestPayload: '{}',
    });
    expect(record).not.toHaveProperty('responseContext');
    expect(record).not.toHaveProperty('responsePayload');
  });

  it('a Kinesis record names the shard and sequence range, not the records', () => {
    const record = streamFailureRecord({
      now: 0,
      requestId: 'req-2',
      functionArn: arn,
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 4,
      lastResult: 'function-error',
      shardId: 'shardId-000000000001',
      streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/input',
      records: [
        { sequenceNumber: '100', arrivalMs: 1_000 },
        { sequenceNumber: '105', arrivalMs: 2_500 },
      ],
    });
    expect(record).toEqual({
      requestContext: {
        requestId: 'req-2',
        functionArn: arn,
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 4,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: '1970-01-01T00:00:00.000Z',
      KinesisBatchInfo: {
        shardId: 'shardId-000000000001',
        startSequenceNumber: '100',
        endSequenceNumber: '105',
        approximateArrivalOfFirstRecord: '1970-01-01T00:00:01.000Z',
        approximateArrivalOfLastRecord: '1970-01-01T00:00:02.500Z',
        batchSize: 2,
        streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/input',
      },
    });
  });

  it('a Kinesis record after partial failures has no functionError; one never invoked has no response', () => {
    const base = {
      now: 0,
      requestId: 'r',
      functionArn: arn,
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 1,
      shardId: 's',
      streamArn: 'a',
      records: [{ sequenceNumber: '1', arrivalMs: 0 }],
    };
    expect(streamFailureRecord({ ...base, lastResult: 'partial-failure' }).responseContext).toEqual({
      statusCode: 200,
      executedVersion: '$LATEST',
    });
    expect(streamFailureRecord(base)).not.toHaveProperty('responseContext');
    expect(() => streamFailureRecord({ ...base, records: [] })).toThrow(RangeError);
  });
});
