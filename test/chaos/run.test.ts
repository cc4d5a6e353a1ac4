/**
 * The chaos run at CI size: every fault on (poison records among them), 3 targets (kinesis ordered through its
 * FIFO queue, http/queue, http/invoke with a transform), DLQs replayed, every destination audited. Nothing may be
 * missing, every duplicate must be one a deliver-then-die window explains (harness/chaos/audit.ts), and at the
 * ordered target every partition key's records arrive in order but those a DLQ replay delivered late
 * (harness/chaos/order.ts). The larger runs are `npm run chaos:check` (2,000
 * records) and `npm run chaos -- --records 100000` (docs/chaos.md).
 */
import { describe, expect, it } from 'vitest';
import { unexplainedOutOfOrder } from '../../harness/chaos/audit.js';
import { FAULTS } from '../../harness/chaos/plan.js';
import { poisonExpectation, poisonPlan } from '../../harness/chaos/poison.js';
import { runChaos } from '../../harness/chaos/run.js';

const RECORDS = 1_000;

describe('chaos run (all faults, small)', () => {
  it(`delivers ${RECORDS} records to every target with nothing missing and no unexplained duplicate`, async () => {
    const report = await runChaos({ records: RECORDS, targets: 3, faults: FAULTS, seed: 1 });
    const summary = report.targets.map((t) => ({
      target: t.target,
      missing: t.missing,
      unexplained: t.unexplainedDuplicates,
      outOfOrder: unexplainedOutOfOrder(t),
      examples: t.examples,
    }));
    expect(summary).toEqual(
      report.targets.map((t) => ({
        target: t.target,
        missing: 0,
        unexplained: 0,
        outOfOrder: 0,
        examples: { missing: [], unexplained: [], outOfOrder: [] },
      })),
    );
    expect(report.targets.filter((t) => t.ordered).map((t) => t.target)).toEqual(['stream1-ordered']);
    // Every record delivered, but the poison records a target cannot take (harness/chaos/poison.ts), each in its
    // DLQ with the reason; nothing else is left in a DLQ.
    const cannotTake = (kind: string) =>
      [...poisonPlan(1, RECORDS).values()].filter(
        (p) =>
          poisonExpectation(p, {
            type: kind.split('/')[0] ?? '',
            ...(kind.includes('+transform') ? { transform: {} } : {}),
          }).outcome === 'dlq',
      ).length;
    expect(report.targets.map((t) => [t.expected, t.delivered, t.poisonInDlq, t.inDlq > 0])).toEqual(
      report.targets.map((t) => [
        RECORDS,
        RECORDS - cannotTake(t.kind),
        cannotTake(t.kind),
        cannotTake(t.kind) > 0,
      ]),
    );
    expect(report.targets.map((t) => t.kind)).toEqual([
      'kinesis/ordered',
      'http/queue',
      'http/invoke+transform',
    ]);
    expect(report.ok).toBe(true);
    // The faults did happen: a run where the injector did nothing would prove nothing.
    const { injected } = report;
    expect(injected.dispatcherCrashes).toBeGreaterThan(0);
    expect(injected.workerCrashes).toBeGreaterThan(0);
    expect(injected.storeRestarts).toBe(1);
    expect(injected.kinesisFailedEntries).toBeGreaterThan(0);
    expect(injected.httpOutageRefusals).toBeGreaterThan(0);
    expect(injected.invokeThrottles + injected.sqsThrottles + injected.sqsFailedEntries).toBeGreaterThan(0);
  }, 600_000);
});
