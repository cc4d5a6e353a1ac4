import type { KinesisStreamRecord } from 'aws-lambda';
import type { ClaimCheckStore } from '../../claim-check/types.js';
import type { Naming } from '../../config/naming.js';
import type { FanoutConfig, TargetConfig } from '../../config/schema.js';
import { idempotencyModeOf } from '../../config/target.js';
import { type DecodedBatch, decodeBatch } from '../../dispatch/decode.js';
import { createDispatcher } from '../../dispatch/dispatcher.js';
import { createRouter } from '../../dispatch/route.js';
import type { HandoffPort } from '../../handoff/types.js';
import { positionKey } from '../../ledger/position.js';
import type { IdempotencyLedger } from '../../ledger/types.js';
import { METRICS, type MetricName, recordingTelemetry } from '../../observability/telemetry.js';

/** Per target, the Kinesis records to re-dispatch (those with a record the target has not delivered). */
export interface PendingRecords {
  records: KinesisStreamRecord[];
  /** Records (KPL user records counted one by one) the target had delivered already. */
  alreadyDelivered: number;
}

/**
 * The records a target still needs. For `idempotency: store` targets the ledger is read (one Query per shard of
 * the range, reading its pages), so a range re-read for one failed target does not hand every other target its
 * records again; targets without a store (`native`, `none`) get the whole range and rely on their destination.
 */
export async function undeliveredRecords(
  target: TargetConfig,
  event: readonly KinesisStreamRecord[],
  decoded: DecodedBatch,
  ledger: IdempotencyLedger,
): Promise<PendingRecords> {
  if (idempotencyModeOf(target) !== 'store') return { records: [...event], alreadyDelivered: 0 };
  // The positions the workers record, in the ledger of the target and each shard.
  const delivered = new Set<string>();
  for (const shard of new Set(decoded.records.map((r) => r.shard))) {
    const positions = decoded.records
      .filter((r) => r.shard === shard)
      .map((r) => ({ seq: r.seq, sub: r.sub }));
    const found = await ledger.delivered({ scope: target.name, stream: decoded.stream, shard }, positions);
    for (const p of found) delivered.add(`${shard}/${positionKey(p)}`);
  }
  const pending = new Set<string>();
  let alreadyDelivered = 0;
  for (const record of decoded.records) {
    if (delivered.has(`${record.shard}/${positionKey({ seq: record.seq, sub: record.sub })}`))
      alreadyDelivered++;
    else pending.add(record.seq);
  }
  return { records: event.filter((r) => pending.has(r.kinesis.sequenceNumber)), alreadyDelivered };
}

export interface DispatchCounts {
  /** Records the target's filter took. */
  routed: number;
  handedOff: number;
  failed: number;
}

/** Runs records through the dispatcher for one target; `dryRun` only routes them. */
export type TargetDispatch = (
  records: KinesisStreamRecord[],
  dryRun: boolean,
) => Promise<{ counts: DispatchCounts; failed: boolean }>;

/** Long enough for any range: the dispatcher keeps a margin of this "invocation" for itself. */
const REPLAY_BUDGET_MS = 300_000;

/**
 * The real dispatcher (routing, claim check, packing, hand-off with retries, DLQ notices) for a configuration that
 * holds only `target`, so a re-dispatch reaches no other target.
 */
export function targetDispatcher(
  config: FanoutConfig,
  names: Naming,
  target: TargetConfig,
  handoff: HandoffPort,
  now?: () => number,
  claimCheck?: { store: ClaimCheckStore; bucket: string },
): TargetDispatch {
  const telemetry = recordingTelemetry();
  // Built at the first real re-dispatch: a dry run only routes, so it needs none of the dispatcher's
  // dependencies (with `claimCheck`, a claim-check store).
  let dispatcher: ReturnType<typeof createDispatcher> | undefined;
  const dispatch: ReturnType<typeof createDispatcher> = (event, context) => {
    dispatcher ??= createDispatcher({
      config: { ...config, targets: [target] },
      names,
      handoff,
      telemetry,
      ...(now ? { now } : {}),
      ...(claimCheck ? { claimCheck } : {}),
    });
    return dispatcher(event, context);
  };
  const route = createRouter([target]);
  const counter = (name: MetricName): number => telemetry.counter(name, target.name);
  return async (records, dryRun) => {
    if (dryRun) {
      const routed = [...route(decodeBatch(records).records).routes.values()][0]?.length ?? 0;
      return { counts: { routed, handedOff: 0, failed: 0 }, failed: false };
    }
    const before = {
      routed: counter(METRICS.recordsRouted),
      handedOff: counter(METRICS.recordsHandedOff),
      failed: counter(METRICS.handoffFailures),
    };
    const response = await dispatch(
      { Records: records },
      { getRemainingTimeInMillis: () => REPLAY_BUDGET_MS },
    );
    return {
      counts: {
        routed: counter(METRICS.recordsRouted) - before.routed,
        handedOff: counter(METRICS.recordsHandedOff) - before.handedOff,
        failed: counter(METRICS.handoffFailures) - before.failed,
      },
      failed: response.batchItemFailures.length > 0,
    };
  };
}
