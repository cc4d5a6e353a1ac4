import {
  KinesisClient,
  PutRecordsCommand,
  type PutRecordsInput,
  type PutRecordsRequestEntry,
} from '@aws-sdk/client-kinesis';
import { parseArn } from '../aws/arn.js';
import { regionOf } from './destination.js';
import { deliverCall, outcomesInOrder, type Prepared, prepareEach, refuse, sizeOrZero } from './outcomes.js';
import type { AdapterContext, DeliveryRecord, RecordOutcome, TargetAdapter, TargetLimits } from './types.js';

/**
 * PutRecords limits: 500 records and 5 MiB per call, 1 MiB per record, where a record counts its data and
 * its partition key. One call at a time, so records of one partition key arrive in order.
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html
 */
export const KINESIS_LIMITS: TargetLimits = Object.freeze({
  maxRecords: 500,
  maxBytes: 5_242_880,
  maxRecordBytes: 1_048_576,
  parallelCalls: 1,
});

/** Bytes a record costs in PutRecords: data plus the UTF-8 partition key. */
export function kinesisRecordSize(record: DeliveryRecord): number {
  return record.data.length + Buffer.byteLength(record.partitionKey);
}

/** A partition key is 1-256 characters (UTF-16 code units, as the service counts them). */
export const PARTITION_KEY_MAX = 256;

/**
 * The PutRecords entry of a record. A partition key out of bounds makes Kinesis refuse the whole call
 * (ValidationException), so it is refused here, for its record alone: a KPL user record's key comes from the
 * aggregate, which no service checked (a record put directly always has a valid key).
 */
function putRecordsEntry(record: DeliveryRecord): Prepared<PutRecordsRequestEntry> {
  const length = record.partitionKey.length;
  if (length < 1 || length > PARTITION_KEY_MAX) {
    return refuse(
      'PutRecords',
      `the partition key is ${length} characters long; Kinesis takes 1-${PARTITION_KEY_MAX} (a KPL user record's key?)`,
    );
  }
  if (!(record.data instanceof Uint8Array)) throw new TypeError('the record data is not bytes');
  return { entry: { Data: record.data, PartitionKey: record.partitionKey } };
}

/**
 * Target adapter for a Kinesis data stream (`destination`: stream name or ARN). Each record keeps its
 * partition key; per-record `ErrorCode`s become outcomes (throughput exceeded and internal failures are
 * retryable).
 *
 * @example
 * const adapter = createKinesisAdapter({ target, clients: new ClientPool(), idempotency: 'store' });
 * const outcomes = await adapter.deliver(records);
 */
export function createKinesisAdapter(context: AdapterContext): TargetAdapter {
  const { destination } = context.target;
  const client = context.clients.get(KinesisClient, regionOf(destination));
  // kinesalite refuses StreamARN, so a name goes as StreamName; an ARN (another account) needs StreamARN.
  const stream: Pick<PutRecordsInput, 'StreamName' | 'StreamARN'> =
    parseArn(destination)?.service === 'kinesis' ? { StreamARN: destination } : { StreamName: destination };
  return {
    type: 'kinesis',
    limits: KINESIS_LIMITS,
    sizeOf: sizeOrZero(kinesisRecordSize),
    async deliver(records, signal): Promise<RecordOutcome[]> {
      return deliverCall(
        prepareEach(records, 'PutRecords', putRecordsEntry),
        'PutRecords',
        (entries) =>
          client.send(new PutRecordsCommand({ ...stream, Records: entries }), { abortSignal: signal }),
        (response, entries) =>
          outcomesInOrder('PutRecords', entries.length, response.Records, (r) => r.SequenceNumber),
      );
    },
  };
}
