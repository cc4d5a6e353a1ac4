import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  InvalidArgumentException,
  KinesisClient,
} from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { sequenceNumber } from '../../harness/support/factories.js';
import { readSequenceRange, toLambdaRecord } from '../../lib/operate/stream.js';

const kinesis = mockClient(KinesisClient);
const record = (n: number) => ({
  SequenceNumber: sequenceNumber(n),
  PartitionKey: `k${n}`,
  Data: Buffer.from(`r${n}`),
  ApproximateArrivalTimestamp: new Date(1_700_000_000_000 + n),
});
const range = (start: number, end: number) => ({
  stream: 'input',
  shardId: 'shardId-000000000000',
  start: sequenceNumber(start),
  end: sequenceNumber(end),
});
const noSleep = async () => {};

describe('readSequenceRange', () => {
  beforeEach(() => kinesis.reset());

  it('reads from AT_SEQUENCE_NUMBER (by stream name) up to the end of the range, across pages', async () => {
    kinesis.on(GetShardIteratorCommand).resolves({ ShardIterator: 'it-1' });
    kinesis
      .on(GetRecordsCommand, { ShardIterator: 'it-1' })
      .resolves({ Records: [record(3), record(4)], NextShardIterator: 'it-2', MillisBehindLatest: 10 });
    kinesis
      .on(GetRecordsCommand, { ShardIterator: 'it-2' })
      .resolves({ Records: [record(5), record(6)], NextShardIterator: 'it-3', MillisBehindLatest: 0 });
    const read = await readSequenceRange(new KinesisClient({}), range(3, 5), { sleep: noSleep });
    expect(read.records.map((r) => r.PartitionKey)).toEqual(['k3', 'k4', 'k5']);
    expect(read.missing).toEqual([]);
    expect(kinesis.commandCalls(GetShardIteratorCommand)[0]?.args[0].input).toEqual({
      StreamName: 'input',
      ShardId: 'shardId-000000000000',
      ShardIteratorType: 'AT_SEQUENCE_NUMBER',
      StartingSequenceNumber: sequenceNumber(3),
    });
    expect(kinesis.commandCalls(GetRecordsCommand)).toHaveLength(2);
  });

  it('reports the head of a range that was trimmed (past retention)', async () => {
    kinesis.on(GetShardIteratorCommand).resolves({ ShardIterator: 'it' });
    kinesis.on(GetRecordsCommand).resolves({ Records: [record(8), record(9)], MillisBehindLatest: 0 });
    const read = await readSequenceRange(new KinesisClient({}), range(5, 9), { sleep: noSleep });
    expect(read.records).toHaveLength(2);
    expect(read.missing).toEqual([
      {
        from: sequenceNumber(5),
        to: sequenceNumber(8),
        reason: expect.stringMatching(/past the stream's retention/),
      },
    ]);
  });

  it('reports the whole range when the stream has nothing left of it, or refuses the position', async () => {
    kinesis.on(GetShardIteratorCommand).resolves({ ShardIterator: 'it' });
    kinesis.on(GetRecordsCommand).resolves({ Records: [], MillisBehindLatest: 0 });
    const empty = await readSequenceRange(new KinesisClient({}), range(1, 2), { sleep: noSleep });
    expect(empty.missing).toEqual([
      { from: sequenceNumber(1), to: sequenceNumber(2), reason: expect.stringMatching(/retention/) },
    ]);

    kinesis.reset();
    kinesis
      .on(GetShardIteratorCommand)
      .rejects(new InvalidArgumentException({ message: 'StartingSequenceNumber is trimmed', $metadata: {} }));
    const refused = await readSequenceRange(new KinesisClient({}), range(1, 2), { sleep: noSleep });
    expect(refused).toEqual({
      records: [],
      missing: [
        {
          from: sequenceNumber(1),
          to: sequenceNumber(2),
          reason: 'InvalidArgumentException: StartingSequenceNumber is trimmed',
        },
      ],
    });
  });
});

describe('toLambdaRecord', () => {
  it("builds the record of Lambda's Kinesis event", () => {
    const arn = 'arn:aws:kinesis:eu-west-1:123456789012:stream/input';
    expect(toLambdaRecord(record(1), 'shardId-000000000001', arn)).toEqual({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: 'k1',
        sequenceNumber: sequenceNumber(1),
        data: Buffer.from('r1').toString('base64'),
        approximateArrivalTimestamp: 1_700_000_000.001,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `shardId-000000000001:${sequenceNumber(1)}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: '',
      awsRegion: 'eu-west-1',
      eventSourceARN: arn,
    });
  });
});
