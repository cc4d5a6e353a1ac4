import type { KinesisStreamRecord } from 'aws-lambda';
import type { ClaimStore } from '../../claims/types.js';
import type { Naming } from '../../config/naming.js';
import type { FanoutConfig, TargetConfig } from '../../config/schema.js';
import { idempotencyModeOf } from '../../config/target.js';
import type { DeliveredKeyStore } from '../../delivery/store.js';
import { type DecodedBatch, decodeBatch } from '../../dispatch/decode.js';
import { createDispatcher } from '../../dispatch/dispatcher.js';
import { createRouter } from '../../dispatch/route.js';
import { idempotencyKey, recordId } from '../../envelope/keys.js';
import type { HandoffPort } from '../../handoff/types.js';
import { METRICS, recordingTelemetry } from '../../observability/telemetry.js';

/** Per target, the Kinesis records to re-dispatch (those with a record the target has not delivered). */
export interface PendingRecords {
  records: KinesisStreamRecord[];
  /** Records (KPL user records counted one by one) the target had delivered already. */
  alreadyDelivered: number;
}

/**
 * The records a target still needs. For `idempotency: store` targets the delivered keys are looked up (one
 * BatchGetItem per 100 records), so a range re-read for one failed target does not hand every other target its
 * records again; targets without a store (`native`, `none`) get the whole range and rely on their destination.
 */
export async function undeliveredRecords(
  target: TargetConfig,
  event: readonly KinesisStreamRecord[],
  decoded: DecodedBatch,
  store: DeliveredKeyStore,
): Promise<PendingRecords> {
  if (idempotencyModeOf(target) !== 'store') return { records: [...event], alreadyDelivered: 0 };
  // The ids the dispatcher gives records (position in the stream), so the keys are the workers' keys.
  const keys = decoded.records.map((r) =>
    idempotencyKey(target.name, recordId(decoded.stream, r.shard, r.seq, r.sub)),
  );
  const delivered = await store.filterDelivered(keys);
  const pending = new Set<string>();
  let alreadyDelivered = 0;
  decoded.records.forEach((record, i) => {
    if (delivered.has(keys[i] as string)) alreadyDelivered++;
    else pending.add(record.seq);
  });
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
  claims?: { store: ClaimStore; bucket: string },
): TargetDispatch {
  const telemetry = recordingTelemetry();
  const dispatch = createDispatcher({
    config: { ...config, targets: [target] },
    names,
    handoff,
    telemetry,
    ...(now ? { now } : {}),
    ...(claims ? { claims } : {}),
  });
  const route = createRouter([target]);
  const counter = (name: (typeof METRICS)[keyof typeof METRICS]): number =>
    telemetry.counter(name, target.name);
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
