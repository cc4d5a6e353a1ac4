import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import pLimit, { type LimitFunction } from 'p-limit';
import type { ClaimCheckStore } from '../claim-check/types.js';
import type { Naming } from '../config/naming.js';
import type { FanoutConfig } from '../config/schema.js';
import type { HandoffPort } from '../handoff/types.js';
import { DURATIONS, METRICS, type Telemetry } from '../observability/telemetry.js';
import type { StreamDiscovery } from '../targets/discovery.js';
import { checkpoint, reportDecoding, reportHandoffs } from './batch-outcome.js';
import { type ClaimCheckDeps, claimCheck, claimCheckSettings, reportClaimCheck } from './claim-check.js';
import { deadLetter } from './dead-letter.js';
import { decodeBatch, type SourceRecord } from './decode.js';
import { discoveredUnits, type PlannedUnits } from './discovered.js';
import { runOrderedUnit } from './ordered.js';
import { type PlanContext, targetUnits } from './plan.js';
import { createRouter, type Router } from './route.js';
import { runUnit, type UnitRunOptions } from './units.js';

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
  const { config, names } = deps;
  const limit = pLimit(config.dispatcher.handoffConcurrency);
  const route = createRouter(config.targets);
  const claimCheckDeps = claimCheckSettings(config, names.prefix, deps.claimCheck);
  const discovered = config.discover?.name;
  if (config.discover && !deps.discovery) {
    throw new Error('the configuration has `discover`: the dispatcher needs a stream discovery');
  }
  const dispatcher: Dispatcher = { deps, now, random, limit, route, claimCheck: claimCheckDeps, discovered };
  return (event, context) => dispatchBatch(event, context, dispatcher);
}

/** What the dispatcher builds once per container, for every batch. */
interface Dispatcher {
  deps: DispatcherDeps;
  now: () => number;
  random: () => number;
  /** The hand-off calls in flight at once (`dispatcher.handoffConcurrency`). */
  limit: LimitFunction;
  route: Router;
  claimCheck: ClaimCheckDeps | undefined;
  /** The name of the target whose streams are discovered (with `discover`). */
  discovered: string | undefined;
}

/** One batch: decode, claim check, route and plan, hand off, dead-letter what was refused, checkpoint. */
async function dispatchBatch(
  event: KinesisStreamEvent,
  context: InvocationContext,
  dispatcher: Dispatcher,
): Promise<KinesisStreamBatchResponse> {
  const { deps, now } = dispatcher;
  const { config, names, handoff, telemetry } = deps;
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
    random: dispatcher.random,
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
  };
  const failed: SourceRecord[] = [];

  let records = batch.records;
  if (dispatcher.claimCheck) {
    const checked = await claimCheck(records, batch.stream, dispatcher.claimCheck, run);
    records = checked.records;
    reportClaimCheck(checked, telemetry);
    failed.push(...checked.failed);
  }

  const plan: PlanContext = { config, names, telemetry, stream: batch.stream, sentAt: startedAt };
  const { units, failed: unplanned } = await planUnits(records, plan, dispatcher);
  failed.push(...unplanned);
  const outcomes = await Promise.all(
    units.map((unit) =>
      dispatcher.limit(() =>
        (unit.kind === 'ordered'
          ? runOrderedUnit(unit, handoff, run, config.dispatcher.queueMessageLimit)
          : runUnit(unit, handoff, run)
        ).then((outcome) => ({ unit, outcome })),
      ),
    ),
  );

  failed.push(...reportHandoffs(outcomes, telemetry));
  // Refused for good: to the DLQs (or the failure queue), not the checkpoint, so the shard goes on.
  failed.push(
    ...(await deadLetter(outcomes, {
      config,
      names,
      handoff,
      telemetry,
      run,
      limit: dispatcher.limit,
      stream: batch.stream,
      streamArn: event.Records?.[0]?.eventSourceARN ?? batch.stream,
      now,
    })),
  );
  telemetry.duration(DURATIONS.dispatch, now() - startedAt);
  return checkpoint(failed, batch.stream, telemetry);
}

/** Routes the records and plans each target's hand-off units (a discovered target's once per stream). */
async function planUnits(
  records: SourceRecord[],
  plan: PlanContext,
  dispatcher: Dispatcher,
): Promise<PlannedUnits> {
  const { telemetry } = plan;
  const { routes, unrouted, notJson } = dispatcher.route(records);
  if (unrouted > 0) telemetry.count(METRICS.recordsUnrouted, unrouted);
  if (notJson > 0) telemetry.count(METRICS.recordsNotJson, notJson);
  const planned: PlannedUnits = { units: [], failed: [] };
  for (const [target, routed] of routes) {
    telemetry.count(METRICS.recordsRouted, routed.length, target.name);
    if (target.name !== dispatcher.discovered) planned.units.push(...targetUnits(target, routed, plan));
    else {
      const discovery = dispatcher.deps.discovery as StreamDiscovery;
      const discovered = await discoveredUnits(target, routed, plan, discovery);
      planned.units.push(...discovered.units);
      planned.failed.push(...discovered.failed);
    }
  }
  return planned;
}
