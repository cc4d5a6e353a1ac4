import { describe, expect, it } from 'vitest';
import { parseBatchInfo } from '../../../lib/operate/replay/batch-info.js';

const info = {
  shardId: 'shardId-000000000000',
  startSequenceNumber: '49590000000000000000000000000000000000000000000000000001',
  endSequenceNumber: '49590000000000000000000000000000000000000000000000000009',
  approximateArrivalOfFirstRecord: '2024-01-01T00:00:00.000Z',
  approximateArrivalOfLastRecord: '2024-01-01T00:00:01.000Z',
  batchSize: 9,
  streamArn: 'arn:aws:kinesis:us-east-1:123456789012:stream/input',
};

describe('parseBatchInfo', () => {
  it("reads Lambda's Kinesis on-failure record", () => {
    const body = JSON.stringify({
      requestContext: {
        requestId: 'r',
        functionArn: 'f',
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 1,
      },
      version: '1.0',
      timestamp: '2024-01-01T00:00:02.000Z',
      KinesisBatchInfo: info,
    });
    expect(parseBatchInfo(body)).toEqual(info);
  });

  it.each([
    ['not JSON', 'nope', /not JSON/],
    ['another record', '{"requestPayload":{}}', /no KinesisBatchInfo/],
    [
      'a range without an end',
      JSON.stringify({ KinesisBatchInfo: { ...info, endSequenceNumber: undefined } }),
      /without shardId/,
    ],
    [
      'a bad sequence number',
      JSON.stringify({ KinesisBatchInfo: { ...info, startSequenceNumber: 'abc' } }),
      /without shardId/,
    ],
    ['no stream', JSON.stringify({ KinesisBatchInfo: { ...info, streamArn: '' } }), /without streamArn/],
  ])('explains why %s is not one', (_what, body, reason) => {
    expect(parseBatchInfo(body)).toMatch(reason);
  });
});
