/**
 * The Kinesis event Lambda passes to a function, built from GetRecords output. Field order and types
 * follow Lambda's own events (https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html#services-kinesis-event-example):
 * `data` is base64, `approximateArrivalTimestamp` is epoch seconds with a fraction.
 */

import { createHash } from 'node:crypto';
import type { _Record as KinesisRecord } from '@aws-sdk/client-kinesis';

/** A record as the mapping keeps it between reading and invoking. */
export interface StreamRecord {
  sequenceNumber: string;
  partitionKey: string;
  /** Base64. */
  data: string;
  arrivalMs: number;
}

/** Where a batch comes from, as the event names it. */
export interface ShardSource {
  shardId: string;
  streamArn: string;
  region: string;
  invokeIdentityArn: string;
}

export interface KinesisEventRecord {
  kinesis: {
    kinesisSchemaVersion: '1.0';
    partitionKey: string;
    sequenceNumber: string;
    data: string;
    approximateArrivalTimestamp: number;
  };
  eventSource: 'aws:kinesis';
  eventVersion: '1.0';
  eventID: string;
  eventName: 'aws:kinesis:record';
  invokeIdentityArn: string;
  awsRegion: string;
  eventSourceARN: string;
}

export function fromKinesisRecord(record: KinesisRecord): StreamRecord {
  return {
    sequenceNumber: record.SequenceNumber ?? '',
    partitionKey: record.PartitionKey ?? '',
    data: Buffer.from(record.Data ?? new Uint8Array()).toString('base64'),
    arrivalMs: record.ApproximateArrivalTimestamp?.getTime() ?? Date.now(),
  };
}

export function kinesisEvent(
  records: readonly StreamRecord[],
  source: ShardSource,
): { Records: KinesisEventRecord[] } {
  return {
    Records: records.map((record) => ({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: record.partitionKey,
        sequenceNumber: record.sequenceNumber,
        data: record.data,
        approximateArrivalTimestamp: record.arrivalMs / 1000,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${source.shardId}:${record.sequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: source.invokeIdentityArn,
      awsRegion: source.region,
      eventSourceARN: source.streamArn,
    })),
  };
}

/** Bytes a record adds to the event's JSON, a bound for the 6 MB invocation payload. */
export function eventBytes(record: StreamRecord, source: ShardSource): number {
  return (
    record.data.length +
    record.partitionKey.length +
    2 * record.sequenceNumber.length +
    source.shardId.length +
    source.streamArn.length +
    source.invokeIdentityArn.length +
    source.region.length +
    260
  );
}

/**
 * The lane (0..lanes-1) of a partition key under ParallelizationFactor: a hash of the key, so records of one
 * key always share a lane and keep their order while different keys run in parallel.
 */
export function laneOf(partitionKey: string, lanes: number): number {
  if (lanes <= 1) return 0;
  return createHash('md5').update(partitionKey).digest().readUInt32BE(0) % lanes;
}
