import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { failed } from './outcomes.js';
import type { DeliveryRecord, RecordOutcome } from './types.js';

/** Message attributes the sqs and sns adapters add, so a consumer can decode and deduplicate. */
export const MESSAGE_ATTRIBUTES = {
  /** The record's idempotency key. */
  key: 'fanout-key',
  /** The record's partition key in the source stream. */
  partitionKey: 'fanout-partition-key',
  /** `base64` when the body is the base64 of the data (binary data, or characters SQS/SNS refuse). */
  encoding: 'fanout-encoding',
} as const;

/** An SQS/SNS message attribute (both APIs share this shape). */
export interface MessageAttribute {
  DataType: 'String' | 'Binary';
  StringValue?: string;
  BinaryValue?: Uint8Array;
}

/** A record as an SQS/SNS message, and the bytes the service counts for it. */
export interface EncodedMessage {
  body: string;
  attributes: Record<string, MessageAttribute>;
  /** Body plus each attribute's name, data type and value: what SQS/SNS count against their size limits. */
  bytes: number;
}

// The characters SQS (and SNS) accept in a message body and a String attribute:
// #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF.
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
const ALLOWED_TEXT = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;

/** True when `text` contains only characters SQS/SNS accept in a message body. */
export function isMessageSafeText(text: string): boolean {
  return ALLOWED_TEXT.test(text);
}

function stringAttribute(value: string): MessageAttribute {
  // A partition key may hold any Unicode; what a String attribute refuses goes as its UTF-8 bytes instead.
  return isMessageSafeText(value)
    ? { DataType: 'String', StringValue: value }
    : { DataType: 'Binary', BinaryValue: Buffer.from(value, 'utf8') };
}

function attributeBytes(name: string, attribute: MessageAttribute): number {
  const value =
    attribute.StringValue !== undefined
      ? Buffer.byteLength(attribute.StringValue)
      : (attribute.BinaryValue?.length ?? 0);
  return Buffer.byteLength(name) + attribute.DataType.length + value;
}

/**
 * Encodes a record as a message: the data as text when it is valid UTF-8 made of characters SQS/SNS
 * accept, else its base64 with the attribute `fanout-encoding=base64`. Adds `fanout-key` and
 * `fanout-partition-key` (left out for an empty partition key, which no attribute can hold).
 */
export function encodeMessage(record: DeliveryRecord): EncodedMessage {
  const text = isUtf8(record.data) ? record.data.toString('utf8') : undefined;
  const asText = text !== undefined && isMessageSafeText(text);
  const attributes: Record<string, MessageAttribute> = {
    [MESSAGE_ATTRIBUTES.key]: stringAttribute(record.key),
  };
  // SQS and SNS refuse an attribute without a value; only a KPL user record can have an empty key.
  if (record.partitionKey !== '') {
    attributes[MESSAGE_ATTRIBUTES.partitionKey] = stringAttribute(record.partitionKey);
  }
  if (!asText) attributes[MESSAGE_ATTRIBUTES.encoding] = { DataType: 'String', StringValue: 'base64' };
  const body = asText ? text : record.data.toString('base64');
  let bytes = Buffer.byteLength(body);
  for (const [name, attribute] of Object.entries(attributes)) bytes += attributeBytes(name, attribute);
  return { body, attributes, bytes };
}

/**
 * {@link encodeMessage} memoized per record: `sizeOf` (called by the packer) and `deliver` need the same
 * encoding, and checking a 1 MiB record's characters twice is wasted work.
 */
export function createMessageEncoder(): (record: DeliveryRecord) => EncodedMessage {
  const cache = new WeakMap<DeliveryRecord, EncodedMessage>();
  return (record) => {
    let encoded = cache.get(record);
    if (!encoded) {
      encoded = encodeMessage(record);
      cache.set(record, encoded);
    }
    return encoded;
  };
}

/**
 * A record that cannot be a message at all: SQS and SNS refuse an empty body, and an empty record has no
 * text or base64 form that is not empty. Permanent, so it reaches the DLQ with this reason.
 */
export function refuseAsMessage(record: DeliveryRecord): RecordOutcome | undefined {
  return record.data.length === 0
    ? failed(false, 'record data is empty; an SQS/SNS message body needs at least one character')
    : undefined;
}

const digest = (value: string): string => createHash('sha256').update(value).digest('base64url');

// MessageGroupId and MessageDeduplicationId: 1-128 characters of printable ASCII without space.
const FIFO_ID = /^[\x21-\x7E]{1,128}$/;

/**
 * FIFO fields of a record: the partition key as the message group (so per-key order holds, as in the stream),
 * and a digest of the idempotency key as the deduplication id (SQS/SNS drop a repeat within 5 minutes).
 * A partition key that is not a valid group id (too long, non-ASCII) is replaced by its digest: still one
 * group per key.
 */
export function fifoFields(record: DeliveryRecord): {
  MessageGroupId: string;
  MessageDeduplicationId: string;
} {
  return {
    MessageGroupId: FIFO_ID.test(record.partitionKey) ? record.partitionKey : digest(record.partitionKey),
    MessageDeduplicationId: digest(record.key),
  };
}
