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
 * A valid configuration with `targets` (default: two kinesis targets via invoke, `ordered: false`, so the
 * unordered hand-off is what the tests that use the default exercise; ordered ones say so). The claim check, on
 * by default in a real configuration, is off here unless `overrides` set it: a dispatcher with it needs a claim-check
 * store, which only the claim check's own tests give.
 */
export function configFactory(overrides: Partial<FanoutConfigInput> = {}): FanoutConfig {
  return parseConfig({
    source: { stream: 'input' },
    targets: [
      { name: 'output1', type: 'kinesis', destination: 'output1', ordered: false },
      { name: 'output2', type: 'kinesis', destination: 'output2', ordered: false },
    ],
    claimCheck: false,
    ...overrides,
  });
}

/** A Lambda-like context with a fixed remaining time. */
export function contextFactory(remainingMs = 60_000): { getRemainingTimeInMillis: () => number } {
  return { getRemainingTimeInMillis: () => remainingMs };
}

/**
 * A sequence number in Kinesis's version-2 layout, as AWS and kinesalite issue them (56-57 digits; hex digits
 * `2 | shard creation time | shard | record index | byte | arrival second | shard | 2`): record `n` of a shard,
 * `perSecond` records arriving each second. What the ledger's ranges are measured on.
 */
export function kinesisSequenceNumber(
  n: number,
  options: { shard?: number; perSecond?: number } = {},
): string {
  const shard = options.shard ?? 0;
  const second = 1_700_000_000 + Math.floor(n / (options.perSecond ?? 1_000));
  const hex = [
    '2',
    (1_690_000_000).toString(16).padStart(9, '0'),
    (shard % 16).toString(16),
    BigInt(1_000_000 + n)
      .toString(16)
      .padStart(16, '0'),
    '00',
    second.toString(16).padStart(9, '0'),
    shard.toString(16).padStart(8, '0'),
    '2',
  ].join('');
  return BigInt(`0x${hex}`).toString();
}
