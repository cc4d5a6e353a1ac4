import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { readWholeStream } from '../../lib/aws/kinesis-read.js';
import { queueDepth } from '../../lib/operate/queue.js';
import { REDRIVEN_ERROR } from '../../lib/operate/replay/classify.js';
import type { HttpDestination } from './http-destination.js';
import type { Attribution } from './log.js';
import { type Arrival, auditOrder } from './order.js';
import type { DlqRecord, PoisonExpectation } from './poison.js';
import type { SourcePosition } from './records.js';

/** One target's audit: every record expected once at its destination. */
export interface TargetAudit {
  target: string;
  kind: string;
  expected: number;
  /** Distinct records that arrived. */
  delivered: number;
  missing: number;
  /** Deliveries beyond the first, over all records. */
  duplicated: number;
  /** Of those, records a worker that died (crash or timeout) applied without recording their keys (log.ts). */
  crashDuplicates: number;
  /** Of those, records the http destination applied while the caller had gone away (it saw a failure). */
  answerLostDuplicates: number;
  /** Of those, records delivered while the store was down (the key could not be recorded). */
  storeDuplicates: number;
  unexplainedDuplicates: number;
  /** Messages still in the target's DLQ (visible or in flight). */
  inDlq: number;
  /** Whether the target keeps each partition key's order: then a record out of order is a finding. */
  ordered: boolean;
  /** Records first delivered after a later record of their partition key (harness/chaos/order.ts). */
  outOfOrder: number;
  /** Of those, records first delivered after the DLQ replay began: order ends where a record was dead-lettered. */
  outOfOrderAfterReplay: number;
  /** Poison records of the run (harness/chaos/poison.ts), and those this target cannot take found in its DLQ. */
  poison: number;
  poisonInDlq: number;
  /** A few missing, unexplained duplicate and (ordered targets) unexplained out-of-order record indexes. */
  examples: { missing: number[]; unexplained: number[]; outOfOrder: number[] };
}

/** Out-of-order deliveries that count as findings: at an ordered target, and not from a DLQ replay. */
export const unexplainedOutOfOrder = (audit: TargetAudit): number =>
  audit.ordered ? audit.outOfOrder - audit.outOfOrderAfterReplay : 0;

/**
 * Counts arrivals per record, splits duplicates into the windows that explain them, and audits each partition
 * key's order (harness/chaos/order.ts).
 */
export function auditTarget(input: {
  target: string;
  kind: string;
  records: number;
  /** In the order the destination took them. */
  arrived: readonly Arrival[];
  indexOf: (data: Buffer) => number | undefined;
  attribution: Attribution;
  inDlq: number;
  order: {
    ordered: boolean;
    partitionKeyOf: (index: number) => string;
    positions: readonly SourcePosition[];
    replayStartedAt: number | undefined;
  };
  /** The poison records, each with what this target must do with it (deliver it, or dead-letter it). */
  poison?: ReadonlyMap<number, PoisonExpectation>;
  /** The records in this target's DLQ, by index, with the reason of their message. */
  dlqRecords?: ReadonlyMap<number, DlqRecord>;
}): TargetAudit {
  const counts = new Uint32Array(input.records);
  for (const { data } of input.arrived) {
    const i = input.indexOf(data);
    if (i !== undefined && i < input.records) counts[i] = (counts[i] ?? 0) + 1;
  }
  const died = input.attribution.diedAfterDelivery.get(input.target) ?? new Map<number, number>();
  const lost = input.attribution.answerLost.get(input.target) ?? new Map<number, number>();
  const store = input.attribution.storeOutage.get(input.target) ?? new Set<number>();
  const order = auditOrder({ arrived: input.arrived, indexOf: input.indexOf, ...input.order });
  const audit: TargetAudit = {
    target: input.target,
    kind: input.kind,
    expected: input.records,
    delivered: 0,
    missing: 0,
    duplicated: 0,
    crashDuplicates: 0,
    answerLostDuplicates: 0,
    storeDuplicates: 0,
    unexplainedDuplicates: 0,
    inDlq: input.inDlq,
    ordered: input.order.ordered,
    outOfOrder: order.outOfOrder,
    outOfOrderAfterReplay: order.afterReplay,
    poison: input.poison?.size ?? 0,
    poisonInDlq: 0,
    examples: { missing: [], unexplained: [], outOfOrder: input.order.ordered ? order.examples : [] },
  };
  counts.forEach((n, i) => {
    if (n === 0 && deadLettered(i, input.poison, input.dlqRecords)) {
      audit.poisonInDlq++;
      return;
    }
    if (n === 0) {
      audit.missing++;
      if (audit.examples.missing.length < 10) audit.examples.missing.push(i);
      return;
    }
    audit.delivered++;
    if (n === 1) return;
    audit.duplicated += n - 1;
    // Each window explains one more delivery of a record it covers, no more.
    let extra = n - 1;
    const take = (available: number): number => {
      const taken = Math.min(extra, available);
      extra -= taken;
      return taken;
    };
    audit.crashDuplicates += take(died.get(i) ?? 0);
    audit.answerLostDuplicates += take(lost.get(i) ?? 0);
    audit.storeDuplicates += take(store.has(i) ? 1 : 0);
    if (extra > 0) {
      audit.unexplainedDuplicates += extra;
      if (audit.examples.unexplained.length < 10) audit.examples.unexplained.push(i);
    }
  });
  return audit;
}

/**
 * A poison record this target cannot take, in its DLQ with the reason it must give (a redriven queue message
 * records none: SQS keeps no reason, lib/operate/replay/classify.ts).
 */
function deadLettered(
  index: number,
  poison: ReadonlyMap<number, PoisonExpectation> | undefined,
  dlq: ReadonlyMap<number, DlqRecord> | undefined,
): boolean {
  const expected = poison?.get(index);
  const found = dlq?.get(index);
  if (expected?.outcome !== 'dlq' || !found) return false;
  return found.reason.includes(REDRIVEN_ERROR) || found.reason.includes(expected.reason ?? '');
}

/**
 * What arrived at a target's destination, in the order it took it: its stream (one shard), or the http
 * destination's accepted bodies.
 */
export async function arrivals(
  target: { name: string; type: string },
  deps: { kinesis: KinesisClient; http: HttpDestination },
): Promise<Arrival[]> {
  if (target.type === 'kinesis')
    return (await readWholeStream(deps.kinesis, target.name)).map((r) => ({
      data: Buffer.from(r.Data ?? new Uint8Array()),
      at: r.ApproximateArrivalTimestamp?.getTime() ?? 0,
    }));
  return deps.http.accepted(`/${target.name}`).map((a) => ({ data: a.body, at: a.at }));
}

export async function dlqMessages(sqs: SQSClient, url: string): Promise<number> {
  const depth = await queueDepth(sqs, url);
  return depth.visible + depth.inFlight;
}
