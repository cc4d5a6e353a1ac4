/**
 * The SQS event Lambda passes to a function, built from ReceiveMessage output
 * (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html#example-standard-queue-message-event).
 */

import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';

export interface SqsEventRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<string, SqsEventMessageAttribute>;
  md5OfBody: string;
  md5OfMessageAttributes?: string;
  eventSource: 'aws:sqs';
  eventSourceARN: string;
  awsRegion: string;
}

export interface SqsEventMessageAttribute {
  stringValue?: string;
  binaryValue?: string;
  stringListValues: string[];
  binaryListValues: string[];
  dataType: string;
}

/** Lambda lists the system attributes in this order; any others (FIFO, trace header) follow. */
const ATTRIBUTE_ORDER = [
  'ApproximateReceiveCount',
  'SentTimestamp',
  'SenderId',
  'ApproximateFirstReceiveTimestamp',
];

export function sqsEvent(
  messages: readonly Message[],
  source: { queueArn: string; region: string },
): { Records: SqsEventRecord[] } {
  return { Records: messages.map((message) => sqsEventRecord(message, source)) };
}

export function sqsEventRecord(
  message: Message,
  source: { queueArn: string; region: string },
): SqsEventRecord {
  const system = message.Attributes ?? {};
  const attributes: Record<string, string> = {};
  for (const key of ATTRIBUTE_ORDER)
    if (system[key as keyof typeof system] !== undefined)
      attributes[key] = system[key as keyof typeof system] as string;
  for (const [key, value] of Object.entries(system))
    if (!(key in attributes) && value !== undefined) attributes[key] = value;
  const messageAttributes: Record<string, SqsEventMessageAttribute> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = messageAttribute(value);
  }
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes,
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: source.queueArn,
    awsRegion: source.region,
  };
}

function messageAttribute(value: MessageAttributeValue): SqsEventMessageAttribute {
  return {
    ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
    ...(value.BinaryValue !== undefined
      ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }
      : {}),
    stringListValues: value.StringListValues ?? [],
    binaryListValues: (value.BinaryListValues ?? []).map((item) => Buffer.from(item).toString('base64')),
    dataType: value.DataType ?? 'String',
  };
}
