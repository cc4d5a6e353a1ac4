/** The end of a chaos run: every target audited, and with CHAOS_DEBUG the story of what went wrong. */
import { arrivals, auditTarget, dlqMessages, type TargetAudit } from './audit.js';
import type { DlqReason, WorkerLogs } from './debug.js';
import type { Injector } from './injector.js';
import type { Attribution } from './log.js';
import { chaosInput, poisonExpectation, recordsInDlq } from './poison.js';
import { recordIndexOf } from './records.js';
import type { ReplaySummary } from './replay.js';
import type { ChaosRun } from './run-types.js';

/** Audits what arrived at each target against what was put, what the faults explain and what is in its DLQ. */
export async function auditTargets(
  run: ChaosRun,
  attribution: Attribution,
  replay: ReplaySummary,
  replayStartedAt: number | undefined,
): Promise<TargetAudit[]> {
  const { pipeline, sqs, kinesis, http, poison, positions, options } = run;
  const audits: TargetAudit[] = [];
  for (const target of run.targets) {
    const local = pipeline.stack.targets.find((t) => t.name === target.name);
    const spec = run.specs.find((s) => s.config.name === target.name);
    const expected = new Map(
      [...poison].map(([i, kind]) => [
        i,
        poisonExpectation(kind, { type: target.type, transform: spec?.config.transform }),
      ]),
    );
    audits.push(
      auditTarget({
        target: target.name,
        kind: `${target.type}/${spec?.config.ordered ? 'ordered' : spec?.config.via}${spec?.config.transform ? '+transform' : ''}`,
        records: options.records,
        arrived: await arrivals(target, { kinesis, http }),
        indexOf: recordIndexOf,
        attribution,
        inDlq: local ? await dlqMessages(sqs, local.dlqUrl) : 0,
        order: {
          ordered: spec?.config.ordered ?? false,
          partitionKeyOf: (i) => chaosInput(i, poison.get(i), options.keys).partitionKey,
          positions,
          replayStartedAt,
        },
        poison: expected,
        ...(local
          ? {
              dlqRecords: await recordsInDlq(
                sqs,
                local.dlqUrl,
                target.name,
                positions,
                replay.failedAgain[target.name],
              ),
            }
          : {}),
      }),
    );
  }
  return audits;
}

/**
 * CHAOS_DEBUG: http requests that came with another idempotency key than expected, and for the first records
 * missing, duplicated without explanation or out of order, their timeline, DLQ reason and the worker's log; per
 * target, how many records had their answer lost more than once (each loss explains one more delivery).
 */
export function printDebug(
  run: ChaosRun,
  audits: readonly TargetAudit[],
  injector: Injector,
  reasons: ReadonlyMap<string, DlqReason[]>,
  debug: WorkerLogs,
  attribution: Attribution,
): void {
  for (const target of run.targets.filter((t) => t.type === 'http')) {
    const wrong = run.http
      .accepted(`/${target.name}`)
      .filter((a) => a.idempotencyKey !== run.keyOf(target.name, recordIndexOf(a.body) ?? -1)).length;
    process.stderr.write(`${target.name}: ${wrong} accepted request(s) with another key than expected\n`);
  }
  for (const [target, lost] of attribution.answerLost) {
    const repeated = [...lost].filter(([, n]) => n > 1).map(([i]) => i);
    const thrice = repeated.filter((i) => injector.timeline(target, i).applied.length > 2).length;
    process.stderr.write(
      `${target}: ${repeated.length} record(s) with 2 or more lost answers, ${thrice} of them applied 3 or more times\n`,
    );
  }
  for (const a of audits)
    for (const i of [...a.examples.unexplained, ...a.examples.missing, ...a.examples.outOfOrder].slice(
      0,
      6,
    )) {
      const timeline = injector.timeline(a.target, i);
      process.stderr.write(`${a.target} #${i}: ${JSON.stringify(timeline)}\n`);
      for (const r of reasons.get(a.target) ?? [])
        if (r.records.includes(i)) process.stderr.write(`  in DLQ: ${r.errorType}: ${r.errorMessage}\n`);
      const first = timeline.t0 + (timeline.applied[0] ?? 0);
      const worker = run.targets.find((t) => t.name === a.target)?.worker ?? '';
      for (const line of debug.near(worker, first - 2_000, first + 40_000))
        process.stderr.write(`  log: ${line}\n`);
    }
}
