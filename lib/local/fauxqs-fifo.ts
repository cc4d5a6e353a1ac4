/**
 * FIFO queues as SQS serves them, on fauxqs 1.9.2.
 *
 * fauxqs hands out at most one message of a message group per receive (its `dequeueFifo` stops at the first), so
 * a Lambda event source mapping on a FIFO queue never sees what it sees on AWS: a batch with several messages of
 * one group, in order. An ordered target's batches in local mode were one message per group, which hid the
 * multi-message path of the worker (lib/delivery/fifo-batch.ts) and drained a busy queue a message per group at
 * a time. And fauxqs returns a message whose visibility ended to the front of its group with `unshift`, one by
 * one, which reverses a group's order once several of its messages were in flight together.
 *
 * SQS's rules, reproduced here: a receive takes up to 10 messages, as many of one group as it holds (in order),
 * from groups with no message in flight; a message that comes back (visibility timeout, or visibility set to 0)
 * goes back to its place in its group, by sequence number.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-understanding-logic.html
 */

import { randomUUID } from 'node:crypto';

/** The fields of fauxqs's queue this relies on (SqsQueue in fauxqs/dist/sqs/sqsStore.js, 1.9.2). */
export interface FauxqsFifoQueue {
  isFifo(): boolean;
  attributes: Record<string, string>;
  sequenceCounter: number;
  fifoMessages: Map<string, FifoMessage[]>;
  fifoLockedGroups: Map<string, number>;
  inflightMessages: Map<string, { message: FifoMessage; receiptHandle: string; visibilityDeadline: number }>;
  processTimers(): void;
  changeVisibility(receiptHandle: string, timeoutSeconds: number): void;
  dequeueFifo(
    maxCount: number,
    visibilityTimeout?: number,
    dlqResolver?: (arn: string) => unknown,
  ): unknown[];
  spy?: { addMessage(entry: Record<string, unknown>): void };
}

interface FifoMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  md5OfMessageAttributes?: string;
  messageAttributes: Record<string, unknown>;
  messageGroupId?: string;
  sequenceNumber?: string;
  approximateReceiveCount: number;
  approximateFirstReceiveTimestamp?: number;
}

/** SQS's most messages per receive. */
const MAX_RECEIVE = 10;

/** Makes a FIFO queue of fauxqs receive and return messages as SQS does (see the file's comment). */
export function faithfulFifo(queue: FauxqsFifoQueue): void {
  if (!queue.isFifo()) return;
  const processTimers = queue.processTimers.bind(queue);
  const changeVisibility = queue.changeVisibility.bind(queue);
  queue.processTimers = () => keepingGroupOrder(queue, processTimers);
  queue.changeVisibility = (handle, seconds) =>
    keepingGroupOrder(queue, () => changeVisibility(handle, seconds));
  queue.dequeueFifo = (maxCount, visibilityTimeout, dlqResolver) =>
    receiveFifo(queue, maxCount, visibilityTimeout, dlqResolver);
}

/** Messages restored into a queue keep their sequence numbers: new ones must be numbered after them. */
export function continueSequence(
  queue: FauxqsFifoQueue,
  restored: ReadonlyArray<{ sequenceNumber?: unknown }>,
): void {
  for (const message of restored) {
    const n = Number(message.sequenceNumber);
    if (Number.isSafeInteger(n) && n > queue.sequenceCounter) queue.sequenceCounter = n;
  }
}

/** Runs `requeue` (fauxqs's own), then, if a message left flight, puts every group back in sequence order. */
function keepingGroupOrder(queue: FauxqsFifoQueue, requeue: () => void): void {
  const inFlight = queue.inflightMessages.size;
  requeue();
  if (queue.inflightMessages.size === inFlight) return;
  for (const messages of queue.fifoMessages.values()) messages.sort(bySequence);
}

const bySequence = (a: FifoMessage, b: FifoMessage): number =>
  (a.sequenceNumber ?? '') < (b.sequenceNumber ?? '')
    ? -1
    : (a.sequenceNumber ?? '') > (b.sequenceNumber ?? '')
      ? 1
      : 0;

/** fauxqs's `dequeueFifo`, taking as many messages of a group as the receive has room for (SQS does). */
function receiveFifo(
  queue: FauxqsFifoQueue,
  maxCount: number,
  visibilityTimeout: number | undefined,
  dlqResolver: ((arn: string) => unknown) | undefined,
): unknown[] {
  queue.processTimers();
  const timeout = visibilityTimeout ?? Number.parseInt(queue.attributes.VisibilityTimeout ?? '30', 10);
  const redrive = redrivePolicy(queue.attributes.RedrivePolicy);
  const result: unknown[] = [];
  const count = Math.min(maxCount, MAX_RECEIVE);
  for (const [groupId, messages] of queue.fifoMessages) {
    if (result.length >= count) break;
    if (queue.fifoLockedGroups.has(groupId) || messages.length === 0) continue;
    while (result.length < count && messages.length > 0) {
      const message = messages.shift() as FifoMessage;
      message.approximateReceiveCount++;
      message.approximateFirstReceiveTimestamp ??= Date.now();
      const dlq =
        redrive && message.approximateReceiveCount > redrive.maxReceiveCount && dlqResolver?.(redrive.arn);
      if (dlq) {
        queue.spy?.addMessage({
          service: 'sqs',
          queueName: (queue as unknown as { name: string }).name,
          messageId: message.messageId,
          body: message.body,
          messageAttributes: message.messageAttributes,
          status: 'dlq',
          timestamp: Date.now(),
        });
        (dlq as { enqueue(m: FifoMessage): void }).enqueue(message);
        continue;
      }
      result.push(inFlight(queue, message, timeout));
      queue.fifoLockedGroups.set(groupId, (queue.fifoLockedGroups.get(groupId) ?? 0) + 1);
    }
    if (messages.length === 0) queue.fifoMessages.delete(groupId);
  }
  return result;
}

function redrivePolicy(text: string | undefined): { maxReceiveCount: number; arn: string } | undefined {
  if (!text) return undefined;
  try {
    const policy = JSON.parse(text) as { maxReceiveCount?: number | string; deadLetterTargetArn?: string };
    if (!policy.deadLetterTargetArn) return undefined;
    return {
      maxReceiveCount: Number(policy.maxReceiveCount ?? Number.POSITIVE_INFINITY),
      arn: policy.deadLetterTargetArn,
    };
  } catch {
    return undefined; // fauxqs ignores a policy it cannot read, too
  }
}

/** Puts `message` in flight for `timeout` seconds and returns it as ReceiveMessage does. */
function inFlight(queue: FauxqsFifoQueue, message: FifoMessage, timeout: number): Record<string, unknown> {
  const receiptHandle = randomUUID();
  queue.inflightMessages.set(receiptHandle, {
    message,
    receiptHandle,
    visibilityDeadline: Date.now() + timeout * 1000,
  });
  return {
    MessageId: message.messageId,
    ReceiptHandle: receiptHandle,
    MD5OfBody: message.md5OfBody,
    Body: message.body,
    ...(message.md5OfMessageAttributes ? { MD5OfMessageAttributes: message.md5OfMessageAttributes } : {}),
    ...(Object.keys(message.messageAttributes).length > 0
      ? { MessageAttributes: message.messageAttributes }
      : {}),
  };
}
