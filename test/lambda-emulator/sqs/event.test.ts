import { describe, expect, it } from 'vitest';
import { sqsEvent } from '../../../lib/lambda-emulator/sqs/event.js';

describe('SQS event', () => {
  it("builds Lambda's record shape from ReceiveMessage output", () => {
    const event = sqsEvent(
      [
        {
          MessageId: 'm1',
          ReceiptHandle: 'h1',
          Body: 'hello',
          MD5OfBody: '5d41402abc4b2a76b9719d911017c592',
          Attributes: {
            SentTimestamp: '2',
            ApproximateFirstReceiveTimestamp: '3',
            ApproximateReceiveCount: '1',
            SenderId: 'me',
          },
          MessageAttributes: {
            text: { DataType: 'String', StringValue: 'v' },
            blob: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2]) },
          },
        },
      ],
      { queueArn: 'arn:aws:sqs:us-east-1:000000000000:q', region: 'us-east-1' },
    );
    const [record] = event.Records;
    expect(record).toEqual({
      messageId: 'm1',
      receiptHandle: 'h1',
      body: 'hello',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '2',
        SenderId: 'me',
        ApproximateFirstReceiveTimestamp: '3',
      },
      messageAttributes: {
        text: { stringValue: 'v', stringListValues: [], binaryListValues: [], dataType: 'String' },
        blob: { binaryValue: 'AQI=', stringListValues: [], binaryListValues: [], dataType: 'Binary' },
      },
      md5OfBody: '5d41402abc4b2a76b9719d911017c592',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q',
      awsRegion: 'us-east-1',
    });
    // Lambda's attribute order, whatever order the queue returned them in.
    expect(Object.keys(record?.attributes ?? {})).toEqual([
      'ApproximateReceiveCount',
      'SentTimestamp',
      'SenderId',
      'ApproximateFirstReceiveTimestamp',
    ]);
  });
});
