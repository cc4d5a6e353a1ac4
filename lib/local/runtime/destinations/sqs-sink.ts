import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** Delivers an on-failure record to a destination; rejects when the destination refused it. */
export type FailureSink = (queueUrl: string, record: object) => Promise<void>;

/** On-failure destinations that are SQS queues (the only kind local mode needs). */
export function sqsFailureSink(sqs: SQSClient): FailureSink {
  return async (queueUrl, record) => {
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(record) }));
  };
}
