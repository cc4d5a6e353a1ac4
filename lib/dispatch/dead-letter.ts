import { DEFAULT_MESSAGE_GROUPS } from '../config/features.js';
import type { Naming } from '../config/naming.js';
import type { FanoutConfig, TargetConfig } from '../config/schema.js';
import { targetNamed } from '../config/target.js';
import { asciiJson } from '../envelope/codec.js';
import { ENVELOPE_VERSION, REFUSED_KIND, type RefusedNotice } from '../envelope/types.js';
import type { HandoffPort } from '../handoff/types.js';
import { METRICS, type Telemetry } from '../observability/telemetry.js';
import type { SourceRecord } from './decode.js';
import type { CallUnit, HandoffUnit, QueueMessage } from './handoff-unit.js';
import { deduplicationId, messageGroupOf } from './ordered.js';
import { positionOf, type RefusedRecord } from './refusal.js';
import type { UnitOutcome } from './unit-outcome.js';
import { queueUnits, runUnit, type UnitRunOptions } from './units.js';

/** What dead-lettering a batch's refused records needs. */
export interface DeadLetterContext {
  config: FanoutConfig;
  names: Naming;
  handoff: HandoffPort;
  telemetry: Telemetry;
  run: UnitRunOptions;
  /** Runs a hand-off call under the dispatcher's concurrency limit. */
  limit: <T>(call: () => Promise<T>) => Promise<T>;
  stream: string;
  /** The source stream's ARN as the event names it (the failure queue's records carry it, as Lambda's do). */
  streamArn: string;
  now: () => number;
}

/**
 * The dispatcher's failure-queue record of a record that neither its target's worker nor its DLQ took. Shaped
 * like Lambda's own on-failure record (`KinesisBatchInfo`, a one-record range), so `fanout replay --source`
 * re-reads it from the stream; `fanoutRefusal` names the one target that still needs it, and why.
 */
export interface RefusalFailureRecord {
  version: '1.0';
  timestamp: string;
  requestContext: { condition: 'HandoffRefused' };
  KinesisBatchInfo: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    batchSize: 1;
    streamArn: string;
  };
  fanoutRefusal: { target: string; reason: string; subSequence?: number };
}

/**
 * Sends every record refused for good to its target's DLQ as a {@link RefusedNotice}, and a record whose
 * notice the DLQ refused too (or whose oversize notice was refused) to the dispatcher's failure queue, so no
 * refusal stalls the shard and none loses a record. Returns the records that could be parked nowhere (a DLQ or
 * failure queue that failed retryably, or refused): they fail the batch, and Lambda hands them over again.
 */
export async function deadLetter(
  results: ReadonlyArray<{ unit: HandoffUnit; outcome: UnitOutcome }>,
  context: DeadLetterContext,
): Promise<SourceRecord[]> {
  const { config, names, telemetry } = context;
  const toDlq = new Map<string, RefusedRecord[]>();
  const toFailureQueue: Array<{ target: string; refused: RefusedRecord }> = [];
  for (const { unit, outcome } of results) {
    for (const refused of outcome.refused) {
      if (unit.kind === 'queue' && unit.purpose === 'dlq')
        toFailureQueue.push({ target: unit.target, refused });
      else toDlq.set(unit.target, [...(toDlq.get(unit.target) ?? []), refused]);
    }
  }
  const stuck: SourceRecord[] = [];

  const dlqUnits: CallUnit[] = [];
  const reasonOf = new Map<SourceRecord, string>();
  for (const [name, refused] of toDlq) {
    const target = targetNamed(config, name) as TargetConfig;
    telemetry.count(METRICS.handoffRefused, refused.length, name);
    telemetry.error('hand-off refused for good: records sent to the target DLQ with the reason', {
      target: name,
      records: refused.length,
      reasons: [...new Set(refused.map((r) => r.reason))].slice(0, 3),
    });
    for (const r of refused) reasonOf.set(r.record, r.reason);
    const notices = refused.map((r) => refusedNoticeMessage(target, context.stream, r));
    dlqUnits.push(
      ...queueUnits(name, names.targetDlq(target), notices, config.dispatcher.queueMessageLimit, 'dlq'),
    );
  }
  for (const { unit, outcome } of await runAll(dlqUnits, context)) {
    stuck.push(...outcome.failed);
    for (const r of outcome.refused) {
      const first = reasonOf.get(r.record);
      toFailureQueue.push({
        target: unit.target,
        refused: { ...r, reason: first ? `${first}; its DLQ refused the notice: ${r.reason}` : r.reason },
      });
    }
  }
  if (toFailureQueue.length === 0) return stuck;

  telemetry.error("records neither handed off nor dead-lettered: sent to the dispatcher's failure queue", {
    records: toFailureQueue.length,
    reasons: [...new Set(toFailureQueue.map((f) => f.refused.reason))].slice(0, 3),
  });
  const records = toFailureQueue.map(({ target, refused }) => failureMessage(target, refused, context));
  const failureUnits = queueUnits(
    'dispatcher',
    names.dispatcherFailureQueue(),
    records,
    config.dispatcher.queueMessageLimit,
    'dlq',
  );
  for (const { outcome } of await runAll(failureUnits, context)) {
    stuck.push(...outcome.failed, ...outcome.refused.map((r) => r.record));
  }
  return stuck;
}

function runAll(
  units: CallUnit[],
  context: DeadLetterContext,
): Promise<Array<{ unit: CallUnit; outcome: UnitOutcome }>> {
  return Promise.all(
    units.map((unit) =>
      context.limit(async () => ({ unit, outcome: await runUnit(unit, context.handoff, context.run) })),
    ),
  );
}

function refusedNoticeMessage(target: TargetConfig, stream: string, refused: RefusedRecord): QueueMessage {
  const { record, reason, dest } = refused;
  const notice: RefusedNotice = {
    v: ENVELOPE_VERSION,
    kind: REFUSED_KIND,
    target: target.name,
    ...(dest === undefined ? {} : { dest }),
    stream,
    shard: record.shard,
    reason,
    record: positionOf(record),
  };
  // ASCII: the partition key may hold what SQS refuses in a body.
  const body = asciiJson(notice);
  const message: QueueMessage = { body, bytes: body.length, records: [record] };
  if (!target.ordered) return message;
  // A FIFO DLQ takes nothing without a group; notices need no order among themselves. The `refused` prefix keeps
  // a notice's deduplication id apart from that of an envelope of the same record.
  return {
    ...message,
    group: messageGroupOf(record.pk, target.messageGroups ?? DEFAULT_MESSAGE_GROUPS, dest),
    dedupId: deduplicationId(`refused\u0000${target.name}`, stream, [record], dest),
  };
}

function failureMessage(target: string, refused: RefusedRecord, context: DeadLetterContext): QueueMessage {
  const { record, reason } = refused;
  const failure: RefusalFailureRecord = {
    version: '1.0',
    timestamp: new Date(context.now()).toISOString(),
    requestContext: { condition: 'HandoffRefused' },
    KinesisBatchInfo: {
      shardId: record.shard,
      startSequenceNumber: record.seq,
      endSequenceNumber: record.seq,
      batchSize: 1,
      streamArn: context.streamArn,
    },
    fanoutRefusal: { target, reason, ...(record.sub === undefined ? {} : { subSequence: record.sub }) },
  };
  const body = asciiJson(failure);
  return { body, bytes: body.length, records: [record] };
}
