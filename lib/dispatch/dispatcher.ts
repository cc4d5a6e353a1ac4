import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import pLimit from 'p-limit';
import type { ClaimCheckStore } from '../claim-check/types.js';
import type { Naming } from '../config/naming.js';
import type { FanoutConfig, TargetConfig } from '../config/schema.js';
import { compareSequenceNumbers } from '../envelope/keys.js';
import type { HandoffPort } from '../handoff/types.js';
import { DURATIONS, METRICS, type Telemetry } from '../observability/telemetry.js';
import type { DiscoveredStreams, StreamDiscovery } from '../targets/discovery.js';
import { claimCheck, claimCheckSettings, reportClaimCheck } from './claim-check.js';
import { deadLetter } from './dead-letter.js';
import { type DecodedBatch, decodeBatch, type SourceRecord } from './decode.js';
import { runOrderedUnit } from './ordered.js';
import { type PlanContext, targetUnits } from './plan.js';
import { createRouter } from './route.js';
import { type HandoffUnit, runUnit, type UnitOutcome, type UnitRunOptions } from './units.js';

/**
 * Attempts per hand-off call (an async Invoke, a SendMessageBatch), the first included, unless the deps say
 * otherwise; the invocation's deadline bounds them too. More than a worker makes (DELIVERY_ATTEMPTS): a hand-off
 * that runs out fails the batch from its lowest record, and Lambda then hands over that record and everything
 * after it again, for every target. Ten attempts with the default backoff wait at most 9.15 s (caps of 50 ms
 * doubling to 2 s), about half on average.
 */
export const HANDOFF_ATTEMPTS = 10;

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
  /** Where records above the hand-off limit go (required with `claimCheck`). */
  claimCheck?: { store: ClaimCheckStore; bucket: string };
  /** The streams of `discover.kinesisStreamPrefix`, cached (required with `discover`). */
  discovery?: StreamDiscovery;
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
 * among records it could not hand off (throttled, 5xx, network: a retry can help). A hand-off refused for a
 * reason that will not change (invalid contents, access denied, no such queue) is isolated to its records and
 * they go to the target's DLQ with the reason (dead-letter.ts): the checkpoint moves on. Records after it that were handed off come again; workers skip them by
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
  const claimCheckDeps = claimCheckSettings(config, names.prefix, deps.claimCheck);
  const discovered = config.discover?.name;
  if (config.discover && !deps.discovery) {
    throw new Error('the configuration has `discover`: the dispatcher needs a stream discovery');
  }

  return async (event, context) => {
    const startedAt = now();
    const remaining = context.getRemainingTimeInMillis();
    // Keep time to answer Lambda: a reply after the timeout would fail the whole batch.
    const deadline = startedAt + remaining - Math.min(5_000, Math.max(200, remaining * 0.1));
    const batch = decodeBatch(event.Records ?? []);
    telemetry.count(METRICS.recordsIn, batch.records.length);
    if (batch.records.length === 0) return { batchItemFailures: [] };
    reportDecoding(batch, telemetry);
    const run: UnitRunOptions = {
      deadline,
      maxAttempts: deps.maxAttempts ?? HANDOFF_ATTEMPTS,
      now,
      random,
      ...(deps.sleep ? { sleep: deps.sleep } : {}),
    };
    const failed: SourceRecord[] = [];

    let records = batch.records;
    if (claimCheckDeps) {
      const checked = await claimCheck(records, batch.stream, claimCheckDeps, run);
      records = checked.records;
      reportClaimCheck(checked, telemetry);
      failed.push(...checked.failed);
    }

    const { routes, unrouted, notJson } = route(records);
    if (unrouted > 0) telemetry.count(METRICS.recordsUnrouted, unrouted);
    if (notJson > 0) telemetry.count(METRICS.recordsNotJson, notJson);
    const plan: PlanContext = { config, names, telemetry, stream: batch.stream, sentAt: startedAt };
    const units: HandoffUnit[] = [];
    for (const [target, routed] of routes) {
      telemetry.count(METRICS.recordsRouted, routed.length, target.name);
      if (target.name !== discovered) units.push(...targetUnits(target, routed, plan));
      else units.push(...(await discoveredUnits(target, routed, plan, failed)));
    }

    const outcomes = await Promise.all(
      units.map((unit) =>
        limit(() =>
          (unit.kind === 'ordered'
            ? runOrderedUnit(unit, handoff, run, config.dispatcher.queueMessageLimit)
            : runUnit(unit, handoff, run)
          ).then((outcome) => ({ unit, outcome })),
        ),
      ),
    );

    failed.push(...report(outcomes, telemetry));
    // Refused for good: to the DLQs (or the failure queue), not the checkpoint, so the shard goes on.
    failed.push(
      ...(await deadLetter(outcomes, {
        config,
        names,
        handoff,
        telemetry,
        run,
        limit,
        stream: batch.stream,
        streamArn: event.Records?.[0]?.eventSourceARN ?? batch.stream,
        now,
      })),
    );
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

  /**
   * The discovered target's units: its records once per stream the discovery knows (each envelope names its
   * stream). Without any list (ListStreams failed and nothing is cached), its records count as not handed off.
   */
  async function discoveredUnits(
    target: TargetConfig,
    records: SourceRecord[],
    plan: PlanContext,
    failed: SourceRecord[],
  ): Promise<HandoffUnit[]> {
    let streams: DiscoveredStreams;
    try {
      streams = await (deps.discovery as StreamDiscovery).streams();
    } catch (error) {
      failed.push(...records);
      telemetry.count(METRICS.handoffFailures, records.length, target.name);
      telemetry.error('stream discovery failed: no stream list to deliver to', {
        target: target.name,
        reason: (error as Error).message,
      });
      return [];
    }
    if (streams.stale) {
      telemetry.warn('stream discovery could not refresh: using the last list', {
        target: target.name,
        streams: streams.names.length,
        reason: streams.stale,
      });
    }
    return streams.names.flatMap((stream) => targetUnits(target, records, plan, stream));
  }
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
