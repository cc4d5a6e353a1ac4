import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { LocalStack } from './stack.js';

/**
 * Messages (visible, in flight and delayed) of work not finished: in the targets' hand-off queues and DLQs and
 * the dispatcher's failure queue (not the local destination queues: what is there was delivered).
 */
export async function countQueuedMessages(sqs: SQSClient, stack: LocalStack): Promise<number> {
  const urls = new Set<string>([stack.failureQueueUrl]);
  for (const target of stack.targets) {
    urls.add(target.dlqUrl);
    if (target.queueUrl) urls.add(target.queueUrl);
  }
  const counts = await Promise.all(
    [...urls].map(async (url) => {
      const out = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: [
            'ApproximateNumberOfMessages',
            'ApproximateNumberOfMessagesNotVisible',
            'ApproximateNumberOfMessagesDelayed',
          ],
        }),
      );
      const a = out.Attributes ?? {};
      return (
        Number(a.ApproximateNumberOfMessages ?? 0) +
        Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) +
        Number(a.ApproximateNumberOfMessagesDelayed ?? 0)
      );
    }),
  );
  return counts.reduce((sum, n) => sum + n, 0);
}
