import type { KinesisStreamEvent } from 'aws-lambda';
import { kinesisEventFactory } from '../../harness/support/factories.js';

/** A benchmark batch: how many records, of how many bytes of data each. */
export interface BatchShape {
  records: number;
  recordBytes: number;
}

/** Lambda's synchronous payload limit, which caps the Kinesis event a function receives. */
export const LAMBDA_EVENT_LIMIT = 6_291_456;

/** A JSON log line of exactly `size` bytes (ASCII), like the records most streams carry. */
export function recordBody(i: number, size: number): string {
  const head = `{"log":"Record ${i}","level":"info","pad":"`;
  return `${head}${'x'.repeat(Math.max(0, size - head.length - 2))}"}`;
}

/** The Lambda Kinesis event of a shape, built by the tests' own factory (one shard, increasing sequence numbers). */
export function batchEvent(shape: BatchShape): KinesisStreamEvent {
  return kinesisEventFactory(shape.records, (i) => recordBody(i, shape.recordBytes));
}

export interface BatchSize {
  /** Bytes of the event as Lambda would deliver it (JSON). */
  eventBytes: number;
  /** Bytes of the records' base64 data: the `bytes` of the hand-off call bound. */
  dataBytes: number;
}

export function batchSize(event: KinesisStreamEvent): BatchSize {
  let dataBytes = 0;
  for (const r of event.Records) dataBytes += r.kinesis.data.length;
  return { eventBytes: Buffer.byteLength(JSON.stringify(event)), dataBytes };
}

/** Shapes over Lambda's event limit (the factory's records carry the same fields as a real event's). */
export function eventBytesOf(shape: BatchShape): number {
  return batchSize(batchEvent({ records: 1, recordBytes: shape.recordBytes })).eventBytes * shape.records;
}
