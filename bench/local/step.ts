import { KinesisClient } from '@aws-sdk/client-kinesis';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { TargetConfig } from '../../lib/config/schema.js';
import { METRICS } from '../../lib/observability/telemetry.js';
import { type CpuShares, PipelineCpu } from './cpu.js';
import {
  DeliveryLog,
  type DeliverySource,
  type LatencySummary,
  latencyOf,
  queueDeliveries,
  receiverDeliveries,
  streamDeliveries,
} from './deliveries.js';
import type { BenchPipeline, InvocationSummary } from './pipeline.js';
import { PutLedger, produceSteadily, type SteadyRun } from './producer.js';

/** Bytes of each record's data, as in the dispatcher section's small records. */
export const RECORD_BYTES = 200;

/** What one step of steady input did: the input, each target's deliveries, the functions, the CPU. */
export interface StepResult {
  rate: number;
  run: SteadyRun;
  drain: { waitedMs: number; complete: boolean };
  /** Per target, for the step's records; `deliveredBy` counts those delivered before the input stopped. */
  targets: Record<string, LatencySummary>;
  /** Warm invocations that ended while the input ran, per function (dispatcher and each target's worker). */
  functions: Record<string, InvocationSummary>;
  cpu: CpuShares;
  /** CPU from the input's start until the drain ended: what processing the step's records cost. */
  cpuToDrain: CpuShares;
  /** Records each target's worker reported delivered (RecordsDelivered) from the input's start to the drain's end. */
  deliveredToDrain: Record<string, number>;
}

/**
 * Drives a running local pipeline with steps of steady input and reads back what each target received: http
 * targets from the local receiver, kinesis targets from their streams, sqs targets from their queues. Other kinds
 * are not read (the sections do not use them).
 */
export class StepDriver {
  readonly bench: BenchPipeline;
  readonly ledger = new PutLedger();
  readonly sources: DeliverySource[];
  readonly #cpu: PipelineCpu;
  readonly #kinesis: KinesisClient;
  readonly #functions: Map<string, string>;
  #waitFor: string[] | undefined;

  constructor(bench: BenchPipeline) {
    this.bench = bench;
    const { pipeline } = bench;
    this.#kinesis = pipeline.clients.get(KinesisClient);
    const targets = pipeline.config.targets.filter((t) => t.enabled);
    this.sources = targets.map((t) => this.#source(t));
    this.#functions = new Map([
      ['dispatcher', pipeline.names.dispatcherFunction()],
      ...targets.map((t): [string, string] => [t.name, pipeline.names.workerFunction(t.name)]),
    ]);
    const byFunction = new Map([...this.#functions].map(([label, fn]) => [fn, label]));
    this.#cpu = new PipelineCpu(pipeline, (fn) => byFunction.get(fn) ?? 'other functions');
  }

  /** Targets whose deliveries end a step's drain (default: every target). */
  only(targets: string[] | undefined): void {
    this.#waitFor = targets;
  }

  /** Waits (up to `timeoutMs`) until every target has every record put so far. */
  async settle(timeoutMs: number): Promise<{ waitedMs: number; complete: boolean }> {
    return this.#drain(
      this.sources.map((s) => s.log.name),
      timeoutMs,
    );
  }

  /**
   * Waits until the workers of `targets` report (RecordsDelivered, from their EMF lines, which the local
   * runtime already reads) every record put so far, or `timeoutMs` passed. Counting costs nothing, where reading
   * the destinations would compete with the pipeline and add to its CPU; they are read after this.
   */
  async #drain(targets: string[], timeoutMs: number): Promise<{ waitedMs: number; complete: boolean }> {
    const { metrics } = this.bench.pipeline;
    const started = Date.now();
    for (;;) {
      const complete = targets.every((t) => metrics.count(METRICS.delivered, t) >= this.ledger.size);
      const waitedMs = Date.now() - started;
      if (complete || waitedMs >= timeoutMs) return { waitedMs, complete };
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /**
   * Puts records at `rate` for `seconds` (each with a partition key of its own, or `partitionKey`'s), then waits
   * (up to `drainMs`) for every target to receive them.
   */
  async step(
    rate: number,
    seconds: number,
    drainMs: number,
    options: { partitionKey?: (i: number) => string } = {},
  ): Promise<StepResult> {
    const { metrics } = this.bench.pipeline;
    const names = this.sources.map((s) => s.log.name);
    const deliveredBefore = names.map((t) => metrics.count(METRICS.delivered, t));
    this.#cpu.take();
    const run = await produceSteadily(this.#kinesis, this.bench.pipeline.stack.sourceStream, this.ledger, {
      rate,
      seconds,
      recordBytes: RECORD_BYTES,
      ...(options.partitionKey ? { partitionKey: options.partitionKey } : {}),
    });
    const cpu = this.#cpu.take();
    const drained = await this.#drain(this.#waitFor ?? this.sources.map((s) => s.log.name), drainMs);
    const afterDrain = this.#cpu.take();
    const deliveredToDrain = Object.fromEntries(
      names.map((t, k) => [t, metrics.count(METRICS.delivered, t) - (deliveredBefore[k] ?? 0)]),
    );
    await Promise.all(this.sources.map((s) => s.poll()));
    const targets: Record<string, LatencySummary> = {};
    for (const s of this.sources)
      targets[s.log.name] = latencyOf(this.ledger, s.log, run.first, run.count, run.endedAt);
    const functions: Record<string, InvocationSummary> = {};
    for (const [label, fn] of this.#functions)
      functions[label] = this.bench.summarize(fn, run.startedAt, run.endedAt);
    const cpuToDrain = combine(cpu, afterDrain);
    return { rate, run, drain: drained, targets, functions, cpu, cpuToDrain, deliveredToDrain };
  }

  #source(target: TargetConfig): DeliverySource {
    const log = new DeliveryLog(target.name);
    const { pipeline } = this.bench;
    if (target.type === 'http') {
      const path = new URL(target.destination).pathname;
      return receiverDeliveries(pipeline.receiver, path, log);
    }
    if (target.type === 'kinesis') return streamDeliveries(this.#kinesis, target.destination, log);
    if (target.type === 'sqs')
      return queueDeliveries(pipeline.clients.get(SQSClient), target.destination, log);
    throw new Error(
      `the local benchmarks read kinesis, sqs and http targets, not ${target.type} (${target.name})`,
    );
  }
}

/** Two consecutive CPU measurements as one. */
function combine(a: CpuShares, b: CpuShares): CpuShares {
  const seconds = a.seconds + b.seconds;
  const used: Record<string, number> = {};
  for (const m of [a, b]) for (const [g, v] of Object.entries(m.used)) used[g] = (used[g] ?? 0) + v;
  const groups: Record<string, number> = {};
  for (const [g, v] of Object.entries(used)) groups[g] = (100 * v) / Math.max(0.001, seconds);
  const mean = (f: (m: CpuShares) => number): number => (f(a) * a.seconds + f(b) * b.seconds) / seconds;
  return { seconds, used, groups, outside: mean((m) => m.outside), machine: mean((m) => m.machine) };
}
