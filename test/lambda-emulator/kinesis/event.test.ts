import { describe, expect, it } from 'vitest';
import { fromKinesisRecord, kinesisEvent, laneOf } from '../../../lib/lambda-emulator/kinesis/event.js';

describe('Kinesis event', () => {
  it("builds Lambda's record shape from GetRecords output", () => {
    const record = fromKinesisRecord({
      SequenceNumber: '4959',
      PartitionKey: 'user-1',
      Data: new TextEncoder().encode('{"log":"Record 1"}'),
      ApproximateArrivalTimestamp: new Date(1_545_084_650_987),
    });
    const source = {
      shardId: 'shardId-000000000006',
      streamArn: 'arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream',
      region: 'us-east-2',
      invokeIdentityArn: 'arn:aws:iam::123456789012:role/lambda-role',
    };
    expect(kinesisEvent([record], source)).toEqual({
      Records: [
        {
          kinesis: {
            kinesisSchemaVersion: '1.0',
            partitionKey: 'user-1',
            sequenceNumber: '4959',
            data: 'eyJsb2ciOiJSZWNvcmQgMSJ9',
            approximateArrivalTimestamp: 1_545_084_650.987,
          },
          eventSource: 'aws:kinesis',
          eventVersion: '1.0',
          eventID: 'shardId-000000000006:4959',
          eventName: 'aws:kinesis:record',
          invokeIdentityArn: 'arn:aws:iam::123456789012:role/lambda-role',
          awsRegion: 'us-east-2',
          eventSourceARN: 'arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream',
        },
      ],
    });
  });

  it('puts a partition key always in the same lane, and spreads keys over the lanes', () => {
    expect(laneOf('user-1', 1)).toBe(0);
    expect(laneOf('user-1', 4)).toBe(laneOf('user-1', 4));
    const lanes = new Set(Array.from({ length: 100 }, (_, i) => laneOf(`key-${i}`, 4)));
    expect([...lanes].sort()).toEqual([0, 1, 2, 3]);
  });
});
