import { PublishBatchCommand, type PublishBatchRequestEntry, SNSClient } from '@aws-sdk/client-sns';
import { parseArn } from '../aws/arn.js';
import { TargetDestinationError } from './errors.js';
import { messageBatchAdapter } from './message-batch.js';
import type { AdapterContext, TargetAdapter, TargetLimits } from './types.js';

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
  return messageBatchAdapter({
    type: 'sns',
    api: 'PublishBatch',
    limits: SNS_LIMITS,
    fifo: destination.endsWith('.fifo'),
    entry: (message): Omit<PublishBatchRequestEntry, 'Id'> => ({
      Message: message.body,
      MessageAttributes: message.attributes,
    }),
    send: (entries, signal) =>
      client.send(new PublishBatchCommand({ TopicArn: destination, PublishBatchRequestEntries: entries }), {
        abortSignal: signal,
      }),
  });
}
