import { createMessageEncoder, type EncodedMessage, fifoFields, refuseAsMessage } from './message.js';
import {
  type BatchEntryFailure,
  deliverCall,
  outcomesByEntryId,
  type Prepared,
  prepareEach,
  sizeOrZero,
  withIndexIds,
} from './outcomes.js';
import type { DeliveryRecord, RecordOutcome, TargetAdapter, TargetLimits } from './types.js';

/** What SQS SendMessageBatch and SNS PublishBatch answer: the entries taken and the ones refused, by Id. */
export interface MessageBatchResponse {
  Successful?: readonly { Id?: string | undefined }[] | undefined;
  Failed?: readonly BatchEntryFailure[] | undefined;
}

/** How a message batch API differs between SQS and SNS: its name, limits, field names and call. */
export interface MessageBatchApi<E> {
  type: 'sqs' | 'sns';
  /** The API, as failure reasons name it (`SendMessageBatch`, `PublishBatch`). */
  api: string;
  limits: TargetLimits;
  /** A FIFO queue or topic: each message gets a group and a deduplication id, and calls go one at a time. */
  fifo: boolean;
  /** The API's entry for a message's body and attributes. */
  entry(message: EncodedMessage): E;
  /** One batch call of entries whose Ids are their indexes. */
  send(entries: Array<E & { Id: string }>, signal?: AbortSignal): Promise<MessageBatchResponse>;
}

/**
 * The adapter of an SQS queue or SNS topic: each record becomes one message (`encodeMessage` in message.ts, body
 * plus attributes, with `fifoFields` for a FIFO destination), a record that cannot be a message fails before the
 * call, and a call's outcomes are read back by entry Id. A FIFO destination takes one call at a time so each
 * message group stays in order.
 */
export function messageBatchAdapter<E>(spec: MessageBatchApi<E>): TargetAdapter {
  const { api, fifo } = spec;
  const encode = createMessageEncoder();
  const messageEntry = (record: DeliveryRecord): Prepared<E> => {
    const refused = refuseAsMessage(record);
    if (refused) return { refused };
    return { entry: { ...spec.entry(encode(record)), ...(fifo ? fifoFields(record) : {}) } };
  };
  return {
    type: spec.type,
    limits: Object.freeze({ ...spec.limits, parallelCalls: fifo ? 1 : spec.limits.parallelCalls }),
    sizeOf: sizeOrZero((record) => encode(record).bytes),
    async deliver(records, signal): Promise<RecordOutcome[]> {
      return deliverCall(
        prepareEach(records, api, messageEntry),
        api,
        (entries) => spec.send(withIndexIds(entries), signal),
        (response, entries) => outcomesByEntryId(api, entries.length, response.Successful, response.Failed),
      );
    },
  };
}
