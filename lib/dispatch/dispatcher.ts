import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import pLimit from 'p-limit';
import type { Naming } from '../config/naming.js';
import type { FanoutConfig, TargetConfig } from '../config/schema.js';
import { compareSequenceNumbers } from '../envelope/keys.js';
import { ENVELOPE_VERSION, OVERSIZE_KIND, type OversizeNotice } from '../envelope/types.js';
import type { HandoffPort } from '../handoff/types.js';
import { DURATIONS, METRICS, type Telemetry } from '../observability/telemetry.js';
import { type DecodedBatch, decodeBatch, type SourceRecord } from './decode.js';
import { packEnvelopes } from './pack.js';
import { createRouter } from './route.js';
import { type HandoffUnit, type QueueMessage, queueUnits, runUnit, type UnitOutcome } from './units.js';

export interface DispatcherDeps {
  config: FanoutConfig;
  names: Naming;
  handoff: HandoffPort;
  telemetry: Telemetry;
  now?: () => number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Attempts per hand-off call, the first included (bounded by the invocation's remaining time too). */
  maxAttempts?: number;
}

/** The part of Lambda's context the dispatcher needs. */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
}

export type DispatchHandler = (
  event: KinesisStreamEvent,
  context: InvocationContext,
) => Promise<KinesisStreamBatchResponse>;

/**
 * Builds the dispatcher: decode the batch once, route each record to its targets, pack envelopes up to the
 * hand-off limit and hand them off (async `Invoke` or `SendMessageBatch`) without waiting on any destination.
 *
 * Failure contract (Kinesis `ReportBatchItemFailures`): Lambda checkpoints at the LOWEST failed sequence number
 * and redelivers everything after it, so the dispatcher reports exactly one item, the lowest sequence number
 * among records it could not hand off. Records after it that were handed off come again; workers skip them by
 * idempotency key. It never throws for a partial failure.
 *
 * Powertools' BatchProcessor is not used here on purpose: it processes records one by one, while the dispatcher's
 * unit of work is a packed envelope of many records.
 */
export function createDispatcher(deps: DispatcherDeps): DispatchHandler {
  const now = deps.now ?? Date.now;
  const random = deps.random ?? Math.random;
  const { config, names, handoff, telemetry } = deps;
  const limit = pLimit(config.dispatcher.handoffConcurrency);
  const route = createRouter(config.targets);

  return async (event, context) => {
    const startedAt = now();
    const remaining = context.getRemainingTimeInMillis();
    // Keep time to answer Lambda: a reply after the timeout would fail the whole batch.
    const deadline = startedAt + remaining - Math.min(5_000, Math.max(200, remaining * 0.1));
    const batch = decodeBatch(event.Records ?? []);
    telemetry.count(METRICS.recordsIn, batch.records.length);
    if (batch.records.length === 0) return { batchItemFailures: [] };
    reportDecoding(batch, telemetry);

    const { routes, unrouted, notJson } = route(batch.records);
    if (unrouted > 0) telemetry.count(METRICS.recordsUnrouted, unrouted);
    if (notJson > 0) telemetry.count(METRICS.recordsNotJson, notJson);
    const units: HandoffUnit[] = [];
    for (const [target, records] of routes) {
      units.push(...unitsFor(target, records, batch.stream, startedAt));
    }

    const outcomes = await Promise.all(
      units.map((unit) =>
        limit(() =>
          runUnit(unit, handoff, {
            deadline,
            maxAttempts: deps.maxAttempts ?? 10,
            now,
            random,
            ...(deps.sleep ? { sleep: deps.sleep } : {}),
          }).then((outcome) => ({ unit, outcome })),
        ),
      ),
    );

    const failed = report(outcomes, telemetry);
    telemetry.duration(DURATIONS.dispatch, now() - startedAt);
    if (failed.length === 0) return { batchItemFailures: [] };
    const lowest = failed.reduce((min, r) => (compareSequenceNumbers(r.seq, min.seq) < 0 ? r : min));
    telemetry.warn('hand-off incomplete: checkpointing at the lowest failed sequence number', {
      stream: batch.stream,
      shard: lowest.shard,
      sequenceNumber: lowest.seq,
      failedRecords: failed.length,
    });
    return { batchItemFailures: [{ itemIdentifier: lowest.seq }] };
  };

  function unitsFor(
    target: TargetConfig,
    records: SourceRecord[],
    stream: string,
    sentAt: number,
  ): HandoffUnit[] {
    const viaQueue = target.via === 'queue';
    const limitBytes = viaQueue ? config.dispatcher.queueMessageLimit : config.dispatcher.invokePayloadLimit;
    const { envelopes, oversize } = packEnvelopes(target.name, stream, records, limitBytes, sentAt);
    telemetry.count(METRICS.recordsRouted, records.length, target.name);
    const units: HandoffUnit[] = viaQueue
      ? queueUnits(
          target.name,
          names.targetQueue(target.name),
          // SQS takes a string body; envelopes are ASCII but for partition keys, so this is one UTF-8 decode each.
          envelopes.map((e) => ({ body: e.payload.toString('utf8'), bytes: e.bytes, records: e.records })),
          config.dispatcher.queueMessageLimit,
        )
      : envelopes.map((e) => ({
          kind: 'invoke' as const,
          target: target.name,
          functionName: names.workerFunction(target.name),
          payload: e.payload,
          bytes: e.bytes,
          records: e.records,
        }));
    if (oversize.length > 0) {
      telemetry.count(METRICS.oversizeRecords, oversize.length, target.name);
      const notices = oversize.map((r) => oversizeNotice(target.name, stream, r, limitBytes));
      units.push(
        ...queueUnits(
          target.name,
          names.targetDlq(target.name),
          notices,
          config.dispatcher.queueMessageLimit,
          'dlq',
        ),
      );
    }
    return units;
  }
}

/**
 * A record too large for any envelope cannot be handed off; it is not dropped and does not block the shard:
 * its position goes to the target's DLQ (the data stays in the stream for its retention, so `fanout replay`
 * can re-read it), like Lambda's own on-failure records for Kinesis.
 */
function oversizeNotice(target: string, stream: string, record: SourceRecord, limit: number): QueueMessage {
  const entry = JSON.parse(record.entry.toString('utf8')) as OversizeNotice['record'] & { d?: string };
  delete entry.d;
  const notice: OversizeNotice = {
    v: ENVELOPE_VERSION,
    kind: OVERSIZE_KIND,
    target,
    stream,
    shard: record.shard,
    reason: `record of ${record.dataBytes} bytes needs a ${record.entryBytes}-byte envelope entry, over the ${limit}-byte hand-off limit`,
    bytes: record.entryBytes,
    limit,
    record: entry,
  };
  const body = JSON.stringify(notice);
  return { body, bytes: Buffer.byteLength(body), records: [record] };
}

function reportDecoding(batch: DecodedBatch, telemetry: Telemetry): void {
  if (batch.aggregated > 0) telemetry.count(METRICS.aggregatedRecords, batch.aggregated);
  if (batch.corrupt.length === 0) return;
  telemetry.count(METRICS.aggregatedRecordsCorrupt, batch.corrupt.length);
  telemetry.warn(
    'KPL-aggregated record(s) could not be split: handed on whole, as plain records (as the KCL does)',
    {
      stream: batch.stream,
      records: batch.corrupt.slice(0, 3),
    },
  );
}

function report(
  results: Array<{ unit: HandoffUnit; outcome: UnitOutcome }>,
  telemetry: Telemetry,
): SourceRecord[] {
  const failed: SourceRecord[] = [];
  for (const { unit, outcome } of results) {
    telemetry.count(METRICS.handoffCalls, outcome.calls, unit.target);
    if (outcome.calls > 1) telemetry.count(METRICS.handoffRetries, outcome.calls - 1, unit.target);
    if (outcome.handedOff > 0 && !(unit.kind === 'queue' && unit.purpose === 'dlq')) {
      telemetry.count(METRICS.recordsHandedOff, outcome.handedOff, unit.target);
      telemetry.count(METRICS.handoffBytes, outcome.bytes, unit.target);
    }
    if (outcome.failed.length > 0) {
      failed.push(...outcome.failed);
      telemetry.count(METRICS.handoffFailures, outcome.failed.length, unit.target);
      telemetry.error('hand-off failed', {
        target: unit.target,
        records: outcome.failed.length,
        reasons: outcome.reasons.slice(0, 3),
      });
    }
  }
  return failed;
}
