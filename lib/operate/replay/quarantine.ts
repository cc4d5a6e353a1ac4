import {
  CreateQueueCommand,
  type MessageAttributeValue,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { ReceivedMessage } from '../queue.js';

/** Default quarantine queue of a target: next to its DLQ, so it is easy to find and to clean up. */
export const quarantineQueueName = (dlqName: string): string => `${dlqName}-quarantine`;

/**
 * The quarantine queue's URL: a URL is taken as is, a name is created if missing (CreateQueue is idempotent)
 * with the DLQs' 14-day retention.
 */
export async function quarantineQueueUrl(sqs: SQSClient, nameOrUrl: string): Promise<string> {
  if (/^https?:\/\//.test(nameOrUrl)) return nameOrUrl;
  const out = await sqs.send(
    new CreateQueueCommand({ QueueName: nameOrUrl, Attributes: { MessageRetentionPeriod: '1209600' } }),
  );
  if (!out.QueueUrl) throw new Error(`CreateQueue ${nameOrUrl} returned no URL`);
  return out.QueueUrl;
}

/**
 * Copies a message to the quarantine queue with why and where from (message attributes). The caller deletes
 * the original only after this resolved, so a message is never in neither queue.
 */
export async function sendToQuarantine(
  sqs: SQSClient,
  url: string,
  message: ReceivedMessage,
  from: string,
  reason: string,
): Promise<void> {
  const attributes: Record<string, MessageAttributeValue> = {};
  // SQS allows 10 message attributes: keep up to 8 of the original's and add two.
  for (const [name, value] of Object.entries(message.messageAttributes ?? {}).slice(0, 8)) {
    attributes[name] = { DataType: 'String', StringValue: value };
  }
  attributes.FanoutQuarantinedFrom = { DataType: 'String', StringValue: from };
  attributes.FanoutQuarantineReason = { DataType: 'String', StringValue: reason.slice(0, 1_000) };
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: url,
      // An empty body is not allowed by SQS; keep the message recognizable.
      MessageBody: message.body.length > 0 ? message.body : '(empty message)',
      MessageAttributes: attributes,
    }),
  );
}
