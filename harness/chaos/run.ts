import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHarnessPipeline } from '../support/local-pipeline.js';
import { dlqMessages, type TargetAudit, unexplainedOutOfOrder } from './audit.js';
import { type DlqReason, dlqReasons, WorkerLogs } from './debug.js';
import { startHttpDestination } from './http-destination.js';
import { type Injector, startInjector } from './injector.js';
import type { FaultCounts } from './log.js';
import { type ChaosPlan, defaultPlan, FAULTS, type Fault } from './plan.js';
import { chaosInput } from './poison.js';
import { startFaultProxy } from './proxy.js';
import { waitForQuiescence } from './quiesce.js';
import { CHAOS_KEYS, putChaosRecords, recordIndexOf } from './records.js';
import type { ReplaySummary } from './replay.js';
import { auditTargets, printDebug } from './run-audit.js';
import { replayRounds } from './run-replay.js';
import { chaosConfig, chaosRun, ledgerLookup, shortenVisibility } from './run-setup.js';
import type { ChaosOptions, ChaosRun } from './run-types.js';
import { Teardown, untilAborted } from './teardown.js';

export type { ChaosOptions } from './run-types.js';

export interface ChaosReport {
  records: number;
  seed: number;
  keys: number;
  faults: Fault[];
  durationMs: number;
  injected: FaultCounts;
  replay: ReplaySummary;
  /** Failed batches left in the dispatcher's failure queue after the replay. */
  failureQueue: number;
  targets: TargetAudit[];
  /**
   * No record missing, no duplicate outside the deliver-then-die windows, and at an ordered target no record out
   * of order but those a DLQ replay delivered.
   */
  ok: boolean;
}

/**
 * One chaos run: the local pipeline with fault proxies in front of fauxqs and kinesalite for the functions,
 * a chaos http destination, and the injector; `records` records in; wait for quiescence; faults off; wait
 * again; replay every DLQ (lib/operate) and the dispatcher's failure queue; wait; audit every destination.
 * Whatever ends it (a failed step, `options.signal`), everything it started is stopped before it settles.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const plan: ChaosPlan = { ...defaultPlan(options.faults, options.seed), ...options.plan };
  const teardown = new Teardown();
  let report: ChaosReport;
  try {
    const running = await startRun(options, plan, teardown);
    report = await untilAborted(runAndAudit(running, plan, started), options.signal);
  } catch (error) {
    // What ended the run is its error: a stop that fails as well must not hide it.
    await teardown.stopAll().catch(() => {});
    throw error;
  }
  await teardown.stopAll();
  return report;
}

interface RunningChaos {
  run: ChaosRun;
  injector: Injector;
  debug: WorkerLogs | undefined;
}

/**
 * Everything a run needs before records go in, each part's stop registered in `teardown` as soon as it runs.
 * A stop request is honoured between steps: a pipeline that is starting finishes starting, then stops.
 */
async function startRun(options: ChaosOptions, plan: ChaosPlan, teardown: Teardown): Promise<RunningChaos> {
  const phase = options.onPhase ?? (() => {});
  const keep = <T extends { stop(): Promise<unknown> }>(part: T): T => {
    teardown.add(() => part.stop());
    return part;
  };
  // One after another: a part started beside one that failed would register its stop too late.
  const sqsProxy = keep(await startFaultProxy());
  const kinesisProxy = keep(await startFaultProxy());
  const http = keep(await startHttpDestination());
  const debug = process.env.CHAOS_DEBUG ? new WorkerLogs() : undefined;
  const dataDir = plan.faults.has('store-restart') ? mkdtempSync(join(tmpdir(), 'fanout-chaos-')) : undefined;
  if (dataDir) teardown.add(() => rmSync(dataDir, { recursive: true, force: true }));
  const { specs, poison, config } = chaosConfig(options, plan, http.url);
  options.signal?.throwIfAborted();
  phase('starting the local pipeline');
  const pipeline = keep(
    await startHarnessPipeline({
      config,
      // Async retries after 0.6 s and 1.2 s instead of 1 and 2 minutes.
      timeScale: 0.01,
      keepBodies: false,
      ...(dataDir ? { dataDir } : {}),
      ...(debug ? { onLog: debug.collect } : {}),
      functionEnv: { AWS_ENDPOINT_URL_SQS: sqsProxy.url, AWS_ENDPOINT_URL_KINESIS: kinesisProxy.url },
    }),
  );
  options.signal?.throwIfAborted();
  phase("setting up the targets' queues and the fault injector");
  if (debug) pipeline.runtime.events.on('invocation', debug.invocation);
  sqsProxy.upstream = pipeline.emulators.sqs.endpoint;
  kinesisProxy.upstream = pipeline.emulators.kinesis.endpoint;
  const timeoutOf = (name: string): number => config.targets.find((t) => t.name === name)?.timeout ?? 30;
  await shortenVisibility(pipeline, timeoutOf);
  const run = chaosRun({ options, specs, poison, pipeline, http, phase }, timeoutOf);
  const injector = startInjector({
    pipeline,
    plan,
    targets: run.targets,
    sqsProxy,
    kinesisProxy,
    http,
    expectedHandoffs: Math.ceil(options.records / 100) * run.targets.length,
    storeDataDir: dataDir ? join(dataDir, 'dynamodb') : undefined,
    indexOf: recordIndexOf,
    keyOf: run.keyOf,
    recorded: ledgerLookup(run, config),
  });
  // The pipeline knows only the first dynalite: the one a store restart started is stopped here.
  teardown.add(async () => {
    await injector.stop().catch(() => {});
    await injector.restartedStore()?.stop();
  });
  return { run, injector, debug };
}

/** Records in under faults, the DLQs replayed, every destination audited: the report. */
async function runAndAudit(running: RunningChaos, plan: ChaosPlan, started: number): Promise<ChaosReport> {
  const { run, injector, debug } = running;
  const { options, phase } = run;
  await runUnderFaults(run, injector);
  // Why envelopes are in the DLQs (Lambda's invocation records: responsePayload is the last error).
  const reasons = debug ? await printDlqReasons(run) : new Map<string, DlqReason[]>();
  const { replay, replayStartedAt } = await replayRounds(run, injector);
  phase('auditing the destinations');
  const attribution = await injector.attribution();
  const audits = await auditTargets(run, attribution, replay, replayStartedAt);
  if (debug) printDebug(run, audits, injector, reasons, debug, attribution);
  return {
    records: options.records,
    seed: options.seed,
    keys: options.keys ?? CHAOS_KEYS,
    faults: FAULTS.filter((f) => plan.faults.has(f)),
    durationMs: Date.now() - started,
    injected: { ...injector.counts },
    replay,
    failureQueue: await dlqMessages(run.sqs, run.pipeline.stack.failureQueueUrl),
    targets: audits,
    ok: audits.every(
      (a) => a.missing === 0 && a.unexplainedDuplicates === 0 && unexplainedOutOfOrder(a) === 0,
    ),
  };
}

/** The records in, the pipeline quiet under faults; faults off, quiet again; the store outage's records settled. */
async function runUnderFaults(run: ChaosRun, injector: Injector): Promise<void> {
  const { options, pipeline, sqs, poison, phase } = run;
  phase(`putting ${options.records} records`);
  await putChaosRecords(run.kinesis, 'chaos-input', options.records, run.positions, (i) =>
    chaosInput(i, poison.get(i), options.keys),
  );
  phase('waiting for quiescence under faults');
  await waitForQuiescence(pipeline, sqs, run.quiesce);
  await injector.stop();
  phase('faults off; waiting for quiescence');
  await waitForQuiescence(pipeline, sqs, run.quiesce);
  await injector.settleStoreOutage();
}

/** CHAOS_DEBUG: each target's DLQ reasons, printed, and kept for the records the audit finds wrong. */
async function printDlqReasons(run: ChaosRun): Promise<Map<string, DlqReason[]>> {
  const reasons = new Map<string, DlqReason[]>();
  for (const t of run.pipeline.stack.targets) reasons.set(t.name, await dlqReasons(run.sqs, t.dlqUrl));
  for (const [name, list] of reasons)
    for (const r of list)
      process.stderr.write(
        `${name} DLQ: ${r.errorType}: ${r.errorMessage.slice(0, 300)} (${r.records.length} records)\n`,
      );
  return reasons;
}
