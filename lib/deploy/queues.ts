import { SQS_MESSAGE_LIMIT, type TargetConfig } from '../config/index.js';
import { type CfnResource, getAtt } from './cfn.js';

/** 14 days, SQS's maximum: an operator has two weekends to notice a DLQ alarm and replay. */
export const DLQ_RETENTION_SECONDS = 1_209_600;
/**
 * Hand-off queues keep SQS's default 4 days. A message moved to a DLQ keeps its original enqueue time, so the
 * DLQ's retention must exceed the source queue's, or a message that failed late would expire in the DLQ soon.
 */
export const HANDOFF_RETENTION_SECONDS = 345_600;
/** Lambda's rule for an SQS event source: visibility timeout at least 6 x the function timeout. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

/** A standard queue encrypted with SQS-managed keys (SSE-SQS: no KMS permissions for senders or readers). */
function queue(name: string, properties: Record<string, CfnResource['Properties'][string]>): CfnResource {
  return {
    Type: 'AWS::SQS::Queue',
    Properties: {
      QueueName: name,
      SqsManagedSseEnabled: true,
      // Envelopes are packed up to the dispatcher's queueMessageLimit (at most 1 MiB); the queue must take them.
      MaximumMessageSize: SQS_MESSAGE_LIMIT,
      ...properties,
    },
  };
}

/**
 * FIFO attributes of an ordered target's queues. High-throughput mode: deduplication and the throughput limit
 * per message group (the dispatcher's deduplication ids are unique per envelope, and an envelope always goes to
 * one group), so a queue is not held to 300 messages/s.
 */
const FIFO = {
  FifoQueue: true,
  ContentBasedDeduplication: false,
  DeduplicationScope: 'messageGroup',
  FifoThroughputLimit: 'perMessageGroupId',
} as const;

/** A dead-letter queue: a target's DLQ (FIFO for an ordered target), or the dispatcher's on-failure destination. */
export function deadLetterQueue(name: string, fifo = false): CfnResource {
  return queue(name, { MessageRetentionPeriod: DLQ_RETENTION_SECONDS, ...(fifo ? FIFO : {}) });
}

/**
 * Hand-off queue of a `via: queue` target. SQS counts receives, so `retries` worker attempts after the first
 * mean `retries + 1` receives before the message moves to the DLQ.
 */
export function handoffQueue(name: string, target: TargetConfig, dlqLogicalId: string): CfnResource {
  return queue(name, {
    ...(target.ordered ? FIFO : {}),
    MessageRetentionPeriod: HANDOFF_RETENTION_SECONDS,
    VisibilityTimeout: VISIBILITY_TIMEOUT_FACTOR * target.timeout,
    RedrivePolicy: {
      deadLetterTargetArn: getAtt(dlqLogicalId, 'Arn'),
      maxReceiveCount: target.retries + 1,
    },
  });
}
