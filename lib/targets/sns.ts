import {
  PublishBatchCommand,
  type PublishBatchCommandOutput,
  type PublishBatchRequestEntry,
  SNSClient,
} from '@aws-sdk/client-sns';
import { parseArn } from '../aws/arn.js';
import { TargetDestinationError } from './errors.js';
import { createMessageEncoder, fifoFields, refuseAsMessage } from './message.js';
import {
  deliverAccepted,
  failAll,
  outcomesByEntryId,
  type Prepared,
  prepareEach,
  sizeOrZero,
} from './outcomes.js';
import type { AdapterContext, RecordOutcome, TargetAdapter, TargetLimits } from './types.js';

/**
 * PublishBatch limits: 10 entries and 256 KiB per call, 256 KiB per message (body plus attributes).
 * A FIFO topic takes one call at a time so each message group stays in order.
 * https://docs.aws.amazon.com/sns/latest/api/API_PublishBatch.html
 */
export const SNS_LIMITS: TargetLimits = Object.freeze({
  maxRecords: 10,
  maxBytes: 262_144,
  maxRecordBytes: 262_144,
  parallelCalls: 4,
});

/**
 * Target adapter for an SNS topic (`destination`: topic ARN; PublishBatch takes nothing else, and a name
 * cannot be turned into an ARN without guessing the account). Body, attributes and FIFO fields follow the
 * same rules as the sqs adapter (`encodeMessage`, `fifoFields` in message.ts).
 *
 * @throws {@link TargetDestinationError} when the destination is not an SNS topic ARN.
 * @example
 * const adapter = createSnsAdapter({ target, clients, idempotency: 'store' });
 */
export function createSnsAdapter(context: AdapterContext): TargetAdapter {
  const { name, destination } = context.target;
  const arn = parseArn(destination);
  if (arn?.service !== 'sns') {
    throw new TargetDestinationError(
      name,
      destination,
      'is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>)',
    );
  }
  const client = context.clients.get(SNSClient, arn.region || undefined);
  const fifo = destination.endsWith('.fifo');
  const limits: TargetLimits = Object.freeze({
    ...SNS_LIMITS,
    parallelCalls: fifo ? 1 : SNS_LIMITS.parallelCalls,
  });
  const encode = createMessageEncoder();
  return {
    type: 'sns',
    limits,
    sizeOf: sizeOrZero((record) => encode(record).bytes),
    async deliver(records, signal): Promise<RecordOutcome[]> {
      type Entry = Omit<PublishBatchRequestEntry, 'Id'>;
      const prepared = prepareEach(records, 'PublishBatch', (record): Prepared<Entry> => {
        const refused = refuseAsMessage(record);
        if (refused) return { refused };
        const message = encode(record);
        const entry: Entry = {
          Message: message.body,
          MessageAttributes: message.attributes,
          ...(fifo ? fifoFields(record) : {}),
        };
        return { entry };
      });
      return deliverAccepted(prepared, async (entries) => {
        let response: PublishBatchCommandOutput;
        try {
          response = await client.send(
            new PublishBatchCommand({
              TopicArn: destination,
              // Ids must be unique in the call and match [A-Za-z0-9_-]{1,80}: the index is both.
              PublishBatchRequestEntries: entries.map((entry, i) => ({ ...entry, Id: String(i) })),
            }),
            { abortSignal: signal },
          );
        } catch (error) {
          return failAll(entries.length, 'PublishBatch', error);
        }
        return outcomesByEntryId('PublishBatch', entries.length, response.Successful, response.Failed);
      });
    },
  };
}
