import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/** Receives (and deletes, so a FIFO group releases its next message) until `count` arrived or polls come back empty. */
export async function receiveAll(
  sqs: SQSClient,
  queueUrl: string,
  count: number,
  emptyPolls = 3,
): Promise<Message[]> {
  const messages: Message[] = [];
  for (let empty = 0; messages.length < count && empty < emptyPolls; ) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
        WaitTimeSeconds: 1,
      }),
    );
    empty = Messages.length === 0 ? empty + 1 : 0;
    messages.push(...Messages);
    if (Messages.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
  }
  return messages;
}

/** The record data and partition key a message carries, decoded as a consumer would. */
export function decodeMessage(message: Message): {
  partitionKey: string | undefined;
  data: string;
  key: string | undefined;
} {
  const attributes = message.MessageAttributes ?? {};
  const base64 = attributes['fanout-encoding']?.StringValue === 'base64';
  return {
    key: attributes['fanout-key']?.StringValue,
    partitionKey: attributes['fanout-partition-key']?.StringValue,
    data: Buffer.from(message.Body ?? '', base64 ? 'base64' : 'utf8').toString('hex'),
  };
}
