import { GetQueueUrlCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetterQueue } from '../delivery/last-receive.js';

/**
 * A target's DLQ on SQS, for the worker of an ordered target (lib/delivery/last-receive.ts): SendMessage with
 * the reason as the `ErrorMessage` attribute, the attribute a Lambda DLQ uses and `fanout replay` reads. The URL
 * is resolved once (never built by hand: emulators use other forms); a failed look-up is asked again next time.
 * The client's own retries cover throttles; an error that remains is thrown.
 */
export function sqsDeadLetterQueue(sqs: SQSClient, queueName: string): DeadLetterQueue {
  let url: Promise<string> | undefined;
  const resolve = (): Promise<string> => {
    url ??= sqs.send(new GetQueueUrlCommand({ QueueName: queueName })).then(
      (out) => {
        if (!out.QueueUrl) throw new Error(`GetQueueUrl ${queueName} returned no URL`);
        return out.QueueUrl;
      },
      (error: unknown) => {
        url = undefined;
        throw error;
      },
    );
    return url;
  };
  return {
    async send(message) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: await resolve(),
          MessageBody: message.body,
          MessageGroupId: message.groupId,
          MessageDeduplicationId: message.deduplicationId,
          MessageAttributes: { ErrorMessage: { DataType: 'String', StringValue: message.reason } },
        }),
      );
    },
  };
}
