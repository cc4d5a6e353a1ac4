import { DEFAULT_MESSAGE_GROUPS } from '../config/features.js';
import type { Naming } from '../config/naming.js';
import type { FanoutConfig, TargetConfig } from '../config/schema.js';
import { asciiJson } from '../envelope/codec.js';
import { ENVELOPE_VERSION, OVERSIZE_KIND, type OversizeNotice } from '../envelope/types.js';
import { METRICS, type Telemetry } from '../observability/telemetry.js';
import type { SourceRecord } from './decode.js';
import type { HandoffUnit, QueueMessage } from './handoff-unit.js';
import { byMessageGroup, deduplicationId, messageGroupOf, toRounds } from './ordered.js';
import { type PackedEnvelope, packEnvelopes } from './pack.js';
import { positionOf } from './refusal.js';
import { queueUnits } from './units.js';

/** What planning a batch's hand-off needs besides the records. */
export interface PlanContext {
  config: FanoutConfig;
  names: Naming;
  telemetry: Telemetry;
  stream: string;
  sentAt: number;
}

/**
 * The hand-off units of one target's records: envelopes packed up to the target's hand-off limit, as async
 * invokes of its worker or messages to its queue (FIFO, packed per message group, for an ordered target), and
 * notices to its DLQ for records too large for any envelope. `dest` is set for each stream of a discovered
 * target: its envelopes name it, and its worker delivers there.
 */
export function targetUnits(
  target: TargetConfig,
  records: SourceRecord[],
  context: PlanContext,
  dest?: string,
): HandoffUnit[] {
  const { config, names, stream, sentAt } = context;
  const viaQueue = target.via === 'queue';
  const limitBytes = viaQueue ? config.dispatcher.queueMessageLimit : config.dispatcher.invokePayloadLimit;
  const units: HandoffUnit[] = [];
  const oversize: SourceRecord[] = [];
  if (target.ordered) {
    const groups: QueueMessage[][] = [];
    for (const [group, mine] of byMessageGroup(
      records,
      target.messageGroups ?? DEFAULT_MESSAGE_GROUPS,
      dest,
    )) {
      const packed = packEnvelopes(target.name, stream, mine, limitBytes, sentAt, dest);
      oversize.push(...packed.oversize);
      groups.push(
        packed.envelopes.map((e) => ({
          ...queueMessage(e),
          group,
          dedupId: deduplicationId(target.name, stream, e.records, dest),
        })),
      );
    }
    units.push({
      kind: 'ordered',
      target: target.name,
      queueName: names.targetQueue(target),
      rounds: toRounds(groups),
    });
  } else {
    const packed = packEnvelopes(target.name, stream, records, limitBytes, sentAt, dest);
    oversize.push(...packed.oversize);
    units.push(
      ...(viaQueue
        ? queueUnits(
            target.name,
            names.targetQueue(target),
            packed.envelopes.map(queueMessage),
            config.dispatcher.queueMessageLimit,
          )
        : packed.envelopes.map((e) => ({
            kind: 'invoke' as const,
            target: target.name,
            functionName: names.workerFunction(target.name),
            payload: e.payload,
            bytes: e.bytes,
            records: e.records,
          }))),
    );
  }
  if (oversize.length > 0) {
    context.telemetry.count(METRICS.oversizeRecords, oversize.length, target.name);
    const notices = oversize.map((r) => {
      const notice = oversizeNotice(target.name, stream, r, limitBytes, dest);
      // A FIFO DLQ takes nothing without a group; notices need no order among themselves.
      return target.ordered
        ? {
            ...notice,
            group: messageGroupOf(r.pk, target.messageGroups ?? DEFAULT_MESSAGE_GROUPS, dest),
            dedupId: deduplicationId(target.name, stream, [r], dest),
          }
        : notice;
    });
    units.push(
      ...queueUnits(
        target.name,
        names.targetDlq(target),
        notices,
        config.dispatcher.queueMessageLimit,
        'dlq',
      ),
    );
  }
  return units;
}

/** SQS takes a string body; an envelope is ASCII (codec.ts), so this is one plain decode each. */
function queueMessage(e: PackedEnvelope): QueueMessage {
  return { body: e.payload.toString('utf8'), bytes: e.bytes, records: e.records };
}

/**
 * A record too large for any envelope cannot be handed off; it is not dropped and does not block the shard:
 * its position goes to the target's DLQ (the data stays in the stream for its retention, so `fanout replay`
 * can re-read it), like Lambda's own on-failure records for Kinesis. With the claim check (on unless
 * `claimCheck: false`) no record gets here.
 */
function oversizeNotice(
  target: string,
  stream: string,
  record: SourceRecord,
  limit: number,
  dest?: string,
): QueueMessage {
  const notice: OversizeNotice = {
    v: ENVELOPE_VERSION,
    kind: OVERSIZE_KIND,
    target,
    ...(dest === undefined ? {} : { dest }),
    stream,
    shard: record.shard,
    reason: `record of ${record.dataBytes} bytes needs a ${record.entryBytes}-byte envelope entry, over the ${limit}-byte hand-off limit`,
    bytes: record.entryBytes,
    limit,
    record: positionOf(record),
  };
  // ASCII, as envelopes are: the partition key may hold characters SQS refuses in a body.
  const body = asciiJson(notice);
  return { body, bytes: body.length, records: [record] };
}
