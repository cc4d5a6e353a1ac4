/**
 * Which targets keep each partition key's order, and the rules of an ordered target (docs/routing.md, "Ordered
 * targets"): the defaults (schema.ts fills them in) and the problems `fanout validate` reports with the others.
 */
import type { HandoffMode } from './constants.js';

/** Lambda reads at most 10 messages per batch from a FIFO queue. */
export const FIFO_BATCH_LIMIT = 10;
/**
 * Message groups of an ordered target unless `messageGroups` says otherwise. Each group costs the dispatcher,
 * SQS and the worker a message per batch that has records of it: in the local benchmark at 2,000 records/s,
 * 8 groups cost 766 ms of CPU per 1,000 records, 16: 892, 32: 1,112, 64: 1,306 (unordered: ~700). More groups
 * hold back fewer keys behind a failing record (1/8 of them here) for its retries (docs/routing.md).
 */
export const DEFAULT_MESSAGE_GROUPS = 8;

/** The fields of a target the ordering rules read, as written (`via` and `ordered` may be left out). */
export interface OrderingFields {
  type: string;
  destination: string;
  via?: HandoffMode | undefined;
  batchSize: number;
  ordered?: boolean | undefined;
  messageGroups?: number | undefined;
}

/**
 * Destinations that are ordered logs per key, where a copy that reorders a partition key's records is a wrong
 * copy: a Kinesis stream (ordered per partition key within a shard) and SQS FIFO queues and SNS FIFO topics
 * (ordered per message group, which the adapters set to the partition key). Standard queues and topics,
 * Firehose (buffered into objects), EventBridge buses (no order guarantee), Lambda functions (invoked
 * asynchronously) and http endpoints promise no order of their own: for them order is opt-in (`ordered: true`).
 */
export function isOrderedDestination(type: string, destination: string): boolean {
  if (type === 'kinesis') return true;
  return (type === 'sqs' || type === 'sns') && destination.endsWith('.fifo');
}

/** Whether a target keeps each partition key's order: its `ordered`, else whether its destination is ordered. */
export function isOrdered(target: {
  type: string;
  destination: string;
  ordered?: boolean | undefined;
}): boolean {
  return target.ordered ?? isOrderedDestination(target.type, target.destination);
}

/**
 * `via` when the target leaves it out: an ordered target hands off through its FIFO queue, any other one by
 * asynchronous invoke.
 */
export function defaultVia(target: {
  type: string;
  destination: string;
  via?: HandoffMode | undefined;
  ordered?: boolean | undefined;
}): HandoffMode {
  return target.via ?? (isOrdered(target) ? 'queue' : 'invoke');
}

/** Why a target is ordered, for messages: set so, or by default for its destination. */
export function orderedBecause(target: Pick<OrderingFields, 'type' | 'ordered'>): string {
  if (target.ordered !== undefined) return 'ordered: true';
  return `${target.type === 'kinesis' ? 'a kinesis target' : `an ${target.type} target with a FIFO destination`} keeps each partition key's order by default`;
}

/** The ordering rules of one target, as written: each problem with its field and what to do. */
export function orderingIssues(target: OrderingFields): Array<{ path: string[]; message: string }> {
  const issues: Array<{ path: string[]; message: string }> = [];
  const ordered = isOrdered(target);
  if (ordered && target.via === 'invoke') {
    // An async invoke has no order: Lambda runs queued events concurrently and retries a failed one minutes
    // later, after the events behind it.
    issues.push({
      path: ['via'],
      message:
        target.ordered === undefined
          ? `is "invoke", but ${orderedBecause(target)}, which an async invoke cannot: remove via (ordered hand-off through an SQS FIFO queue), or set ordered: false to hand off by invoke without order`
          : 'is "invoke", but an ordered target hands off through an SQS FIFO queue: set via: queue or leave via out',
    });
  }
  if (ordered && target.batchSize > FIFO_BATCH_LIMIT) {
    issues.push({
      path: ['batchSize'],
      message: `is ${target.batchSize}, but Lambda reads at most ${FIFO_BATCH_LIMIT} messages per batch from a FIFO queue (${orderedBecause(target)}${target.ordered === undefined ? '; ordered: false lifts this' : ''})`,
    });
  }
  if (target.messageGroups !== undefined && !ordered) {
    issues.push({
      path: ['messageGroups'],
      message:
        target.ordered === false
          ? 'applies to ordered targets only, and this one has ordered: false'
          : 'applies to ordered targets only; set ordered: true',
    });
  }
  return issues;
}
