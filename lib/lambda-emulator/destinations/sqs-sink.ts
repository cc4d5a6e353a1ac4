import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { asciiJson } from '../../envelope/codec.js';

/** Delivers an on-failure record to a destination; rejects when the destination refused it. */
export type FailureSink = (queueUrl: string, record: object) => Promise<void>;

/**
 * On-failure destinations that are SQS queues (the only kind local mode needs). The record is written in ASCII
 * JSON: its requestPayload is the event parsed, and `JSON.stringify` would write a partition key's U+FFFE or
 * U+FFFF raw, which SQS (and fauxqs) refuse for ever; the record, and the envelope in it, would be dropped.
 */
export function sqsFailureSink(sqs: SQSClient): FailureSink {
  return async (queueUrl, record) => {
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: asciiJson(record) }));
  };
}
