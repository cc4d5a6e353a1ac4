import {
  GetQueueUrlCommand,
  type GetQueueUrlRequest,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { parseArn } from '../aws/arn.js';
import { SQS_MESSAGE_LIMIT } from '../config/index.js';
import { regionOf } from './destination.js';
import { messageBatchAdapter } from './message-batch.js';
import type { AdapterContext, TargetAdapter, TargetLimits } from './types.js';

/**
 * SendMessageBatch limits: 10 entries and 1 MiB per call, 1 MiB per message (body plus attributes).
 * A FIFO queue takes one call at a time so each message group stays in order.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html
 */
export const SQS_LIMITS: TargetLimits = Object.freeze({
  maxRecords: 10,
  maxBytes: SQS_MESSAGE_LIMIT,
  maxRecordBytes: SQS_MESSAGE_LIMIT,
  parallelCalls: 4,
});

export interface SqsAdapterOptions {
  /**
   * Bytes of one message and of one call (default 1 MiB). Lower it for a queue, a region or an emulator
   * still at the former 256 KiB limit.
   */
  maxMessageBytes?: number;
}

/**
 * Target adapter for an SQS queue (`destination`: queue URL, name or ARN; a name or ARN is resolved once
 * with GetQueueUrl, never built by hand). The body and attributes are those of `encodeMessage` (message.ts); a FIFO queue
 * gets the partition key as message group and a digest of the idempotency key as deduplication id.
 *
 * @example
 * const adapter = createSqsAdapter({ target, clients, idempotency: 'native' });
 */
export function createSqsAdapter(context: AdapterContext, options: SqsAdapterOptions = {}): TargetAdapter {
  const { destination } = context.target;
  const client = context.clients.get(SQSClient, regionOf(destination));
  const maxBytes = options.maxMessageBytes ?? SQS_MESSAGE_LIMIT;
  const queueUrl = createQueueUrlResolver(client, destination);
  return messageBatchAdapter({
    type: 'sqs',
    api: 'SendMessageBatch',
    limits: { ...SQS_LIMITS, maxBytes, maxRecordBytes: maxBytes },
    fifo: destination.endsWith('.fifo'),
    entry: (message): Omit<SendMessageBatchRequestEntry, 'Id'> => ({
      MessageBody: message.body,
      MessageAttributes: message.attributes,
    }),
    send: async (entries, signal) =>
      client.send(new SendMessageBatchCommand({ QueueUrl: await queueUrl(signal), Entries: entries }), {
        abortSignal: signal,
      }),
  });
}

/**
 * The queue URL of a destination: the destination itself when it is a URL, else GetQueueUrl once (a failed
 * lookup is not cached, so the next call tries again).
 */
function createQueueUrlResolver(
  client: SQSClient,
  destination: string,
): (signal?: AbortSignal) => Promise<string> {
  if (/^https?:\/\//.test(destination)) return async () => destination;
  const arn = parseArn(destination);
  const request: GetQueueUrlRequest = arn
    ? { QueueName: arn.resource, QueueOwnerAWSAccountId: arn.account }
    : { QueueName: destination };
  let pending: Promise<string> | undefined;
  return (signal) => {
    pending ??= client
      .send(new GetQueueUrlCommand(request), { abortSignal: signal })
      .then((response) => {
        if (!response.QueueUrl) throw new Error(`GetQueueUrl returned no URL for "${destination}"`);
        return response.QueueUrl;
      })
      .catch((error: unknown) => {
        pending = undefined;
        throw error;
      });
    return pending;
  };
}
