import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { type FanoutConfig, type FanoutConfigInput, parseConfig } from '../../lib/config/index.js';

export const STREAM_ARN = 'arn:aws:kinesis:us-east-1:123456789012:stream/input';

/** Sequence numbers shaped like Kinesis's: 56 decimal digits, increasing with `n`. */
export function sequenceNumber(n: number): string {
  return `4959${String(n).padStart(52, '0')}`;
}

/** One record of a Lambda Kinesis event. */
export function kinesisRecordFactory(
  body: string | Buffer,
  overrides: { n?: number; partitionKey?: string; shard?: string; arrival?: number } = {},
): KinesisStreamRecord {
  const n = overrides.n ?? 0;
  const seq = sequenceNumber(n);
  const shard = overrides.shard ?? 'shardId-000000000000';
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: overrides.partitionKey ?? `key-${n % 7}`,
      sequenceNumber: seq,
      data: Buffer.from(body).toString('base64'),
      approximateArrivalTimestamp: overrides.arrival ?? 1_700_000_000 + n / 1000,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${shard}:${seq}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: 'arn:aws:iam::123456789012:role/dispatcher',
    awsRegion: 'us-east-1',
    eventSourceARN: STREAM_ARN,
  };
}

/** A Kinesis event of `count` records; `body(i)` gives each record's data (default `{"log":"Record i"}`). */
export function kinesisEventFactory(
  count: number,
  body: (i: number) => string | Buffer = (i) => `{"log":"Record ${i}"}`,
): KinesisStreamEvent {
  return { Records: Array.from({ length: count }, (_, i) => kinesisRecordFactory(body(i), { n: i })) };
}

/**
 * A valid configuration with `targets` (default: two kinesis targets via invoke). The claim check, on by
 * default in a real configuration, is off here unless `overrides` set it: a dispatcher with it needs a claim
 * store, which only the claim check's own tests give.
 */
export function configFactory(overrides: Partial<FanoutConfigInput> = {}): FanoutConfig {
  return parseConfig({
    source: { stream: 'input' },
    targets: [
      { name: 'output1', type: 'kinesis', destination: 'output1' },
      { name: 'output2', type: 'kinesis', destination: 'output2' },
    ],
    claimCheck: false,
    ...overrides,
  });
}

/** A Lambda-like context with a fixed remaining time. */
export function contextFactory(remainingMs = 60_000): { getRemainingTimeInMillis: () => number } {
  return { getRemainingTimeInMillis: () => remainingMs };
}
