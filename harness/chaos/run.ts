import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { parseConfig } from '../../lib/config/index.js';
import { idempotencyKey, recordId } from '../../lib/envelope/keys.js';
import { DynamoLedger } from '../../lib/ledger/dynamo.js';
import { startHarnessPipeline } from '../support/local-pipeline.js';
import { arrivals, auditTarget, dlqMessages, type TargetAudit, unexplainedOutOfOrder } from './audit.js';
import { type DlqReason, dlqReasons, WorkerLogs } from './debug.js';
import { startHttpDestination } from './http-destination.js';
import { type ChaosTarget, startInjector } from './injector.js';
import type { FaultCounts } from './log.js';
import { type ChaosPlan, defaultPlan, FAULTS, type Fault } from './plan.js';
import { chaosInput, type PoisonKind, poisonExpectation, poisonPlan, recordsInDlq } from './poison.js';
import { startFaultProxy } from './proxy.js';
import { waitForQuiescence } from './quiesce.js';
import { CHAOS_KEYS, putChaosRecords, recordIndexOf, type SourcePosition } from './records.js';
import { type ReplaySummary, replayEverything } from './replay.js';
import { chaosTargets, QUEUE_VISIBILITY_FACTOR } from './targets.js';

export interface ChaosOptions {
  records: number;
  targets: number;
  faults: readonly Fault[];
  seed: number;
  /** Partition keys the records spread over (default {@link CHAOS_KEYS}). */
  keys?: number;
  /** Rates and windows over the defaults of {@link defaultPlan}. */
  plan?: Partial<Omit<ChaosPlan, 'faults' | 'seed'>>;
  /** Progress lines (phases), for a terminal. */
  onPhase?: (phase: string) => void;
  /** Longest time without progress while waiting for quiescence (default 120 s). */
  quiesceTimeoutMs?: number;
}

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
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const phase = options.onPhase ?? (() => {});
  const plan: ChaosPlan = { ...defaultPlan(options.faults, options.seed), ...options.plan };
  const [sqsProxy, kinesisProxy, http] = await Promise.all([
    startFaultProxy(),
    startFaultProxy(),
    startHttpDestination(),
  ]);
  const debug = process.env.CHAOS_DEBUG ? new WorkerLogs() : undefined;
  const dataDir = plan.faults.has('store-restart') ? mkdtempSync(join(tmpdir(), 'fanout-chaos-')) : undefined;
  const specs = chaosTargets(options.targets, http.url);
  const poison = plan.faults.has('poison-records')
    ? poisonPlan(options.seed, options.records)
    : new Map<number, PoisonKind>();
  // One target projects its records, so that data that is not JSON has a target it cannot go to.
  const projecting = plan.faults.has('poison-records') ? (specs[2] ?? specs[0]) : undefined;
  if (projecting) projecting.config.transform = { chaos: '$.chaos' };
  const config = parseConfig({
    source: { stream: 'chaos-input', shards: 2, batchSize: 100, startingPosition: 'TRIM_HORIZON' },
    targets: specs.map((s) => s.config),
  });
  phase('starting the local pipeline');
  const pipeline = await startHarnessPipeline({
    config,
    // Async retries after 0.6 s and 1.2 s instead of 1 and 2 minutes.
    timeScale: 0.01,
    keepBodies: false,
    ...(dataDir ? { dataDir } : {}),
    ...(debug ? { onLog: debug.collect } : {}),
    functionEnv: { AWS_ENDPOINT_URL_SQS: sqsProxy.url, AWS_ENDPOINT_URL_KINESIS: kinesisProxy.url },
  });
  if (debug) pipeline.runtime.events.on('invocation', debug.invocation);
  sqsProxy.upstream = pipeline.emulators.sqs.endpoint;
  kinesisProxy.upstream = pipeline.emulators.kinesis.endpoint;
  const sqs = pipeline.clients.get(SQSClient);
  const kinesis = pipeline.clients.get(KinesisClient);
  const dynamo = pipeline.clients.get(DynamoDBClient);
  // The stack sets 6 x the timeout (Lambda's advice); a shorter one (still above the timeout, which Lambda
  // requires) brings a failed message back sooner, so a run is not mostly waiting.
  const timeoutOf = (name: string): number => config.targets.find((t) => t.name === name)?.timeout ?? 30;
  for (const t of pipeline.stack.targets) {
    if (!t.queueUrl) continue;
    await sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: t.queueUrl,
        Attributes: { VisibilityTimeout: String(QUEUE_VISIBILITY_FACTOR * timeoutOf(t.name)) },
      }),
    );
  }
  const targets: ChaosTarget[] = specs.map((s) => ({
    name: s.config.name,
    type: s.config.type,
    worker: pipeline.names.workerFunction(s.config.name),
    expectedCalls: s.config.type === 'http' ? options.records : Math.ceil(options.records / 100),
    timeoutSeconds: timeoutOf(s.config.name),
  }));
  const maxTimeoutMs = Math.max(...targets.map((t) => t.timeoutSeconds)) * 1000;
  const positions: SourcePosition[] = [];
  const keyOf = (target: string, index: number): string | undefined => {
    const p = positions[index];
    return p && idempotencyKey(target, recordId('chaos-input', p.shard, p.sequenceNumber));
  };
  const ledger = new DynamoLedger({
    client: dynamo,
    tableName: pipeline.names.idempotencyTable(),
    ttlSeconds: config.idempotency.ttlSeconds,
    maxAttempts: 3,
  });
  const injector = startInjector({
    pipeline,
    plan,
    targets,
    sqsProxy,
    kinesisProxy,
    http,
    expectedHandoffs: Math.ceil(options.records / 100) * targets.length,
    storeDataDir: dataDir ? join(dataDir, 'dynamodb') : undefined,
    indexOf: recordIndexOf,
    keyOf,
    recorded: async (target, indexes) => {
      const found = new Set<number>();
      const byShard = new Map<string, number[]>();
      for (const i of indexes) {
        const p = positions[i];
        if (p) byShard.set(p.shard, [...(byShard.get(p.shard) ?? []), i]);
      }
      for (const [shard, mine] of byShard) {
        const seqs = new Map(mine.map((i) => [positions[i]?.sequenceNumber as string, i]));
        const delivered = await ledger.delivered(
          { scope: target, stream: 'chaos-input', shard },
          [...seqs.keys()].map((seq) => ({ seq })),
        );
        for (const p of delivered) found.add(seqs.get(p.seq) as number);
      }
      return found;
    },
  });
  const quiesce = {
    sourceRecords: options.records,
    timeoutMs: options.quiesceTimeoutMs ?? 120_000,
  };
  try {
    phase(`putting ${options.records} records`);
    await putChaosRecords(kinesis, 'chaos-input', options.records, positions, (i) =>
      chaosInput(i, poison.get(i), options.keys),
    );
    phase('waiting for quiescence under faults');
    await waitForQuiescence(pipeline, sqs, quiesce);
    await injector.stop();
    phase('faults off; waiting for quiescence');
    await waitForQuiescence(pipeline, sqs, quiesce);
    await injector.settleStoreOutage();
    const dlqs = [...pipeline.stack.targets.map((t) => t.dlqUrl), pipeline.stack.failureQueueUrl];
    const leftInDlqs = async (): Promise<number> =>
      (await Promise.all(dlqs.map((url) => dlqMessages(sqs, url)))).reduce((a, b) => a + b, 0);
    const reasons = new Map<string, DlqReason[]>();
    if (debug) {
      // Why envelopes are in the DLQs (Lambda's invocation records: responsePayload is the last error).
      for (const t of pipeline.stack.targets) reasons.set(t.name, await dlqReasons(sqs, t.dlqUrl));
      for (const [name, list] of reasons)
        for (const r of list)
          process.stderr.write(
            `${name} DLQ: ${r.errorType}: ${r.errorMessage.slice(0, 300)} (${r.records.length} records)\n`,
          );
    }
    const replay: ReplaySummary = { messages: {}, failedAgain: {}, records: {}, sourceBatches: 0 };
    // Records delivered from here on came from a replay: late by design, so out of order at an ordered target.
    let replayStartedAt: number | undefined;
    // A worker that died holds its lease on its records until its invocation would have ended:
    // a replay before that finds them busy. Real Lambda retries after 1 and 2 minutes, past any worker timeout;
    // here wait for the leases to end, replay synchronously, and go again while the DLQs shrink.
    for (let round = 1, before = await leftInDlqs(); before > 0 && round <= 4; round++) {
      const leasesFree = (injector.lastDeath() ?? 0) + maxTimeoutMs + 1_000;
      if (Date.now() < leasesFree) {
        phase(`waiting ${Math.ceil((leasesFree - Date.now()) / 1000)} s for dead workers' leases to end`);
        await new Promise((r) => setTimeout(r, leasesFree - Date.now()));
      }
      phase(`replaying the DLQs (round ${round}, ${before} message(s))`);
      replayStartedAt ??= Date.now();
      const done = await replayEverything(pipeline, {
        sqs,
        kinesis,
        lambda: pipeline.clients.get(LambdaClient),
        dynamo,
        s3: pipeline.clients.get(S3Client),
      });
      for (const [name, n] of Object.entries(done.messages))
        replay.messages[name] = (replay.messages[name] ?? 0) + n;
      for (const [name, n] of Object.entries(done.records))
        replay.records[name] = (replay.records[name] ?? 0) + n;
      for (const [name, reasons] of Object.entries(done.failedAgain)) {
        const all = replay.failedAgain[name] ?? new Map<string, string>();
        for (const [id, reason] of reasons) all.set(id, reason);
        replay.failedAgain[name] = all;
      }
      replay.sourceBatches += done.sourceBatches;
      await waitForQuiescence(pipeline, sqs, quiesce);
      const after = await leftInDlqs();
      if (after >= before) break;
      before = after;
    }
    phase('auditing the destinations');
    const attribution = await injector.attribution();
    const audits: TargetAudit[] = [];
    for (const target of targets) {
      const local = pipeline.stack.targets.find((t) => t.name === target.name);
      const spec = specs.find((s) => s.config.name === target.name);
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
    if (debug) {
      for (const target of targets.filter((t) => t.type === 'http')) {
        const wrong = http
          .accepted(`/${target.name}`)
          .filter((a) => a.idempotencyKey !== keyOf(target.name, recordIndexOf(a.body) ?? -1)).length;
        process.stderr.write(`${target.name}: ${wrong} accepted request(s) with another key than expected\n`);
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
          const worker = targets.find((t) => t.name === a.target)?.worker ?? '';
          for (const line of debug?.near(worker, first - 2_000, first + 40_000) ?? [])
            process.stderr.write(`  log: ${line}\n`);
        }
    }
    return {
      records: options.records,
      seed: options.seed,
      keys: options.keys ?? CHAOS_KEYS,
      faults: FAULTS.filter((f) => plan.faults.has(f)),
      durationMs: Date.now() - started,
      injected: { ...injector.counts },
      replay,
      failureQueue: await dlqMessages(sqs, pipeline.stack.failureQueueUrl),
      targets: audits,
      ok: audits.every(
        (a) => a.missing === 0 && a.unexplainedDuplicates === 0 && unexplainedOutOfOrder(a) === 0,
      ),
    };
  } finally {
    await injector.stop().catch(() => {});
    await pipeline.stop();
    await injector.restartedStore()?.stop();
    await Promise.all([sqsProxy.stop(), kinesisProxy.stop(), http.stop()]);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}
