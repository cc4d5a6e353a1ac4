/**
 * The order audit of a chaos run: at an ordered target, each partition key's records must arrive in the order
 * of the source stream. A record whose first delivery came after the first delivery of a later record of its
 * key is out of order: a finding, like a duplicate, unless it came from the replay of a DLQ (docs/routing.md:
 * order is kept up to a record that could not be delivered at all, and a replay comes after the rest).
 */
import { compareSequenceNumbers } from '../../lib/envelope/keys.js';
import type { SourcePosition } from './records.js';

/** One delivery at a destination, in the order the destination took them. */
export interface Arrival {
  data: Buffer;
  /** When the destination took it (epoch ms). */
  at: number;
}

export interface OrderAudit {
  /** Records whose first delivery came after that of a later record of their partition key. */
  outOfOrder: number;
  /** Of those, records first delivered after the DLQ replay began: what a replay does by design. */
  afterReplay: number;
  /** A few record indexes out of order, not explained by a replay. */
  examples: number[];
}

/**
 * Walks the arrivals in destination order, first deliveries only (a duplicate is the duplicate audit's), and
 * keeps per partition key the highest source sequence number delivered so far: a record below it is out of order.
 */
export function auditOrder(input: {
  arrived: readonly Arrival[];
  indexOf: (data: Buffer) => number | undefined;
  partitionKeyOf: (index: number) => string;
  positions: readonly SourcePosition[];
  /** When the first DLQ replay began (epoch ms); undefined when there was none. */
  replayStartedAt: number | undefined;
}): OrderAudit {
  const audit: OrderAudit = { outOfOrder: 0, afterReplay: 0, examples: [] };
  const seen = new Set<number>();
  const highest = new Map<string, string>();
  for (const arrival of input.arrived) {
    const i = input.indexOf(arrival.data);
    const position = i === undefined ? undefined : input.positions[i];
    if (i === undefined || !position || seen.has(i)) continue;
    seen.add(i);
    // Records of one key share a shard (the key chose it), so their sequence numbers order them.
    const key = input.partitionKeyOf(i);
    const top = highest.get(key);
    if (top === undefined || compareSequenceNumbers(position.sequenceNumber, top) > 0) {
      highest.set(key, position.sequenceNumber);
      continue;
    }
    audit.outOfOrder++;
    if (input.replayStartedAt !== undefined && arrival.at >= input.replayStartedAt) audit.afterReplay++;
    else if (audit.examples.length < 10) audit.examples.push(i);
  }
  return audit;
}
