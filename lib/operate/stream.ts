import {
  type _Record,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import type { KinesisStreamRecord } from 'aws-lambda';
import { sleep as realSleep } from '../aws/retry.js';
import { compareSequenceNumbers } from '../envelope/keys.js';

/** A shard's records from `start` to `end`, both included (Lambda's KinesisBatchInfo, or one record). */
export interface SequenceRange {
  /** Stream name: kinesalite refuses StreamARN parameters. */
  stream: string;
  shardId: string;
  start: string;
  end: string;
}

/** Part of a range that could not be read, and why (usually: past the stream's retention). */
export interface MissingRange {
  from: string;
  to: string;
  reason: string;
}

export interface RangeRead {
  records: _Record[];
  missing: MissingRange[];
}

export interface RangeReadOptions {
  /** GetRecords `Limit` per call (1 for a single record: no need to pull 10 MB for it). */
  pageLimit?: number;
  /** Empty pages in a row after which the shard counts as read to its end. */
  maxEmptyPages?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** Errors that mean the position cannot be read at all (stream or shard gone, position trimmed). */
const UNREADABLE = new Set(['ResourceNotFoundException', 'InvalidArgumentException']);

/**
 * Reads a sequence range again while the stream's retention lasts: GetShardIterator `AT_SEQUENCE_NUMBER` with
 * StreamName, then GetRecords until past `end`. Whatever is no longer there is reported as missing, never
 * guessed: a first record after `start` means the head of the range was trimmed.
 */
export async function readSequenceRange(
  kinesis: KinesisClient,
  range: SequenceRange,
  options: RangeReadOptions = {},
): Promise<RangeRead> {
  const sleep = options.sleep ?? realSleep;
  let iterator: string | undefined;
  try {
    iterator = (
      await kinesis.send(
        new GetShardIteratorCommand({
          StreamName: range.stream,
          ShardId: range.shardId,
          ShardIteratorType: 'AT_SEQUENCE_NUMBER',
          StartingSequenceNumber: range.start,
        }),
      )
    ).ShardIterator;
  } catch (error) {
    const e = error as Error;
    if (!UNREADABLE.has(e.name)) throw error;
    return {
      records: [],
      missing: [{ from: range.start, to: range.end, reason: `${e.name}: ${e.message}` }],
    };
  }
  const records: _Record[] = [];
  let empty = 0;
  let pastEnd = false;
  while (iterator && !pastEnd) {
    let out: GetRecordsCommandOutput;
    try {
      out = await kinesis.send(
        new GetRecordsCommand({ ShardIterator: iterator, Limit: options.pageLimit ?? 10_000 }),
      );
    } catch (error) {
      // 5 GetRecords calls per second per shard, shared with the dispatcher: wait and try again.
      if ((error as Error).name !== 'ProvisionedThroughputExceededException') throw error;
      await sleep(1_000);
      continue;
    }
    for (const record of out.Records ?? []) {
      if (compareSequenceNumbers(record.SequenceNumber ?? '', range.end) > 0) {
        pastEnd = true;
        break;
      }
      records.push(record);
    }
    if (records.at(-1)?.SequenceNumber === range.end) pastEnd = true;
    iterator = out.NextShardIterator;
    if ((out.Records ?? []).length === 0) {
      empty++;
      if (out.MillisBehindLatest === 0 || empty >= (options.maxEmptyPages ?? 5)) break;
      await sleep(200);
    } else empty = 0;
  }
  return { records, missing: missingParts(range, records) };
}

function missingParts(range: SequenceRange, records: readonly _Record[]): MissingRange[] {
  const first = records[0]?.SequenceNumber;
  const last = records.at(-1)?.SequenceNumber;
  if (!first || !last) {
    return [
      {
        from: range.start,
        to: range.end,
        reason: "no record at or after the start: past the stream's retention",
      },
    ];
  }
  const missing: MissingRange[] = [];
  if (first !== range.start) {
    missing.push({
      from: range.start,
      to: first,
      reason: `the range starts before the oldest record left (${first}): past the stream's retention`,
    });
  }
  if (compareSequenceNumbers(last, range.end) < 0) {
    missing.push({ from: last, to: range.end, reason: 'the shard ended before the end of the range' });
  }
  return missing;
}

/** Lambda's Kinesis event record for a record read with GetRecords (what the dispatcher receives). */
export function toLambdaRecord(record: _Record, shardId: string, streamArn: string): KinesisStreamRecord {
  const arrival = record.ApproximateArrivalTimestamp?.getTime() ?? Date.now();
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: record.PartitionKey ?? '',
      sequenceNumber: record.SequenceNumber ?? '',
      data: Buffer.from(record.Data ?? new Uint8Array()).toString('base64'),
      approximateArrivalTimestamp: arrival / 1000,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${shardId}:${record.SequenceNumber ?? ''}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: '',
    awsRegion: /^arn:aws[a-z-]*:kinesis:([a-z0-9-]+):/.exec(streamArn)?.[1] ?? '',
    eventSourceARN: streamArn,
  };
}
