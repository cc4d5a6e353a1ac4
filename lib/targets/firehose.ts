import {
  FirehoseClient,
  type _Record as FirehoseRecord,
  PutRecordBatchCommand,
} from '@aws-sdk/client-firehose';
import { parseArn } from '../aws/arn.js';
import { deliverCall, outcomesInOrder, prepareEach, sizeOrZero } from './outcomes.js';
import type { AdapterContext, DeliveryRecord, RecordOutcome, TargetAdapter, TargetLimits } from './types.js';

/**
 * PutRecordBatch limits: 500 records and 4 MiB per call, 1,000 KiB per record (data only).
 * https://docs.aws.amazon.com/firehose/latest/APIReference/API_PutRecordBatch.html
 */
export const FIREHOSE_LIMITS: TargetLimits = Object.freeze({
  maxRecords: 500,
  maxBytes: 4_194_304,
  maxRecordBytes: 1_024_000,
  parallelCalls: 4,
});

/**
 * Target adapter for an Amazon Data Firehose stream (`destination`: delivery stream name or ARN). The data
 * goes as is: Firehose concatenates records, so a delimiter (a newline) is the producer's to add.
 * `RequestResponses[i].ErrorCode` becomes each record's outcome (ServiceUnavailableException is retryable).
 *
 * @example
 * const adapter = createFirehoseAdapter({ target, clients, idempotency: 'store' });
 */
export function createFirehoseAdapter(context: AdapterContext): TargetAdapter {
  const { destination } = context.target;
  const arn = parseArn(destination);
  // PutRecordBatch takes a name only: arn:aws:firehose:<region>:<account>:deliverystream/<name>.
  const streamName = arn ? arn.resource.replace(/^deliverystream\//, '') : destination;
  const client = context.clients.get(FirehoseClient, arn?.region || undefined);
  return {
    type: 'firehose',
    limits: FIREHOSE_LIMITS,
    sizeOf: sizeOrZero((record: DeliveryRecord) => record.data.length),
    async deliver(records, signal): Promise<RecordOutcome[]> {
      const prepared = prepareEach(records, 'PutRecordBatch', (record) => {
        if (!(record.data instanceof Uint8Array)) throw new TypeError('the record data is not bytes');
        return { entry: { Data: record.data } satisfies FirehoseRecord };
      });
      return deliverCall(
        prepared,
        'PutRecordBatch',
        (entries) =>
          client.send(new PutRecordBatchCommand({ DeliveryStreamName: streamName, Records: entries }), {
            abortSignal: signal,
          }),
        (response, entries) =>
          outcomesInOrder('PutRecordBatch', entries.length, response.RequestResponses, (r) => r.RecordId),
      );
    },
  };
}
