import { GetShardIteratorCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../lib/lambda-emulator/clock.js';
import { resumeIterator, type ShardReaderDeps } from '../../../lib/lambda-emulator/kinesis/shard-reader.js';

const kinesisMock = mockClient(KinesisClient);

function deps(problems: unknown[]): ShardReaderDeps {
  return {
    kinesis: new KinesisClient({ region: 'us-east-1' }),
    streamName: 'input',
    shardId: 'shardId-000000000000',
    startingPosition: 'LATEST',
    pollIntervalMs: 100,
    clock: systemClock,
    signal: new AbortController().signal,
    deliver: () => {},
    backlog: () => 0,
    maxBacklog: 1_000,
    onProblem: (error) => problems.push(error),
  };
}

describe('resumeIterator', () => {
  it('resumes just after the checkpoint', async () => {
    kinesisMock.reset();
    kinesisMock.on(GetShardIteratorCommand).resolves({ ShardIterator: 'after-42' });
    expect(await resumeIterator(deps([]), '42')).toBe('after-42');
    expect(kinesisMock.commandCalls(GetShardIteratorCommand)[0]?.args[0].input).toMatchObject({
      ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
      StartingSequenceNumber: '42',
    });
  });

  it('reads a stream that does not know the checkpoint from its oldest record, and says so', async () => {
    kinesisMock.reset();
    const refused = Object.assign(new Error('StartingSequenceNumber 42 ... invalid'), {
      name: 'InvalidArgumentException',
    });
    kinesisMock
      .on(GetShardIteratorCommand, { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' })
      .rejects(refused)
      .on(GetShardIteratorCommand, { ShardIteratorType: 'TRIM_HORIZON' })
      .resolves({ ShardIterator: 'oldest' });
    const problems: unknown[] = [];
    expect(await resumeIterator(deps(problems), '42')).toBe('oldest');
    expect(String(problems[0])).toContain(
      'input/shardId-000000000000 does not know sequence number 42 (the stream was created again): reading it from its oldest record',
    );
  });

  it('starts at the starting position without a checkpoint', async () => {
    kinesisMock.reset();
    kinesisMock.on(GetShardIteratorCommand).resolves({ ShardIterator: 'latest' });
    expect(await resumeIterator(deps([]), undefined)).toBe('latest');
    expect(kinesisMock.commandCalls(GetShardIteratorCommand)[0]?.args[0].input.ShardIteratorType).toBe(
      'LATEST',
    );
  });
});
