import { DEFAULT_SOURCE_BATCH_SIZE } from '../../lib/config/constants.js';
import { DEFAULT_MESSAGE_GROUPS } from '../../lib/config/features.js';
import type { StepResult } from '../local/step.js';
import { count, ms, verdict } from '../support/format.js';
import type { ReportTable } from '../support/table.js';

/** Issue 3's performance goal for local mode, for the ordered defaults as for the unordered hand-off. */
export const GOAL_RATE = 2_000;
export const GOAL_P50_MS = 1_000;

/** Three targets, as in the example fanout.yml: two streams and a standard queue (via its SQS queue). */
export const TARGETS = [
  { name: 'out-a', type: 'kinesis', destination: 'out-a' },
  { name: 'out-b', type: 'kinesis', destination: 'out-b' },
  { name: 'audit', type: 'sqs', destination: 'audit', via: 'queue' },
] as const;

export type Ordering = 'ordered' | 'unordered' | 'hot-key';

export interface Variant {
  label: string;
  /**
   * ordered: the defaults (the kinesis targets keep each key's order: FIFO hand-off); unordered: the kinesis
   * targets with `ordered: false` (async invoke); hot-key: ordered, and every record under one partition key.
   */
  ordering: Ordering;
  /** Records per dispatcher batch at most (the source's batchSize). */
  batchSize: number;
  idempotency?: 'none';
  rates: number[];
}

export interface VariantResult {
  variant: Variant;
  steps: StepResult[];
  /** Rates not run, and why. */
  skipped: Array<{ rate: number; why: string }>;
}

const pct = (v: number | undefined): string =>
  v === undefined || !Number.isFinite(v) ? '-' : `${Math.round(v)}`;

function sustained(step: StepResult, target: string): boolean {
  const t = step.targets[target];
  if (!t) return false;
  // Within a second's worth of input behind when the input stops, and half the records there within a second.
  return (
    step.run.achievedRate >= 0.95 * step.rate &&
    t.records - t.deliveredBy <= step.rate &&
    t.p50 < GOAL_P50_MS &&
    step.drain.complete
  );
}

/** Issue 3's goal for the variants of one hand-off: met by a step at or above the goal's rate, or why not. */
function goalVerdict(results: VariantResult[], ordering: Ordering, what: string): string | undefined {
  const mine = results.filter((r) => r.variant.ordering === ordering);
  if (mine.length === 0) return undefined;
  const steps = mine.flatMap((r) => r.steps.map((step) => ({ label: r.variant.label, step })));
  const allSustained = (step: StepResult): boolean =>
    Object.keys(step.targets).every((t) => sustained(step, t));
  const met = steps.find(({ step }) => step.rate >= GOAL_RATE && allSustained(step));
  if (met)
    return `Goal (issue 3) with ${what}: PASS: ${met.label} sustained ${count(met.step.rate)} records/s through 3 targets, p50 under 1 s.`;
  const best = steps.filter(({ step }) => allSustained(step)).sort((a, b) => b.step.rate - a.step.rate)[0];
  return `Goal (issue 3) with ${what}: MISS: ${best ? `the highest rate sustained with p50 under 1 s was ${count(best.step.rate)} records/s (${best.label})` : 'no rate run was sustained with p50 under 1 s'}. What bounds it is CPU: see 4b.`;
}

export function throughputTable(results: VariantResult[], seconds: number): ReportTable {
  const rows: string[][] = [];
  for (const { variant, steps, skipped } of results) {
    for (const step of steps) {
      const secondsRun = (step.run.endedAt - step.run.startedAt) / 1000;
      for (const [name, t] of Object.entries(step.targets)) {
        rows.push([
          variant.label,
          count(step.rate),
          count(Math.round(step.run.achievedRate)),
          name,
          count(Math.round(t.deliveredBy / secondsRun)),
          count(t.records - t.deliveredBy),
          ms(t.p50),
          ms(t.p99),
          step.drain.complete ? `${(step.drain.waitedMs / 1000).toFixed(1)} s` : `no (${count(t.delivered)})`,
          step.rate >= GOAL_RATE && variant.ordering !== 'hot-key' ? verdict(sustained(step, name)) : '-',
        ]);
      }
    }
    for (const s of skipped)
      rows.push([variant.label, count(s.rate), `not run: ${s.why}`, '', '', '', '', '', '', '']);
  }
  return {
    title: `4. End-to-end in local mode: ${TARGETS.length} targets (out-a, out-b: kinesis, ordered by default through their FIFO queues, or ordered: false by async invoke; audit: sqs via a standard queue), zero batching window, ${seconds} s per rate`,
    head: [
      'configuration',
      'input/s',
      'put/s',
      'target',
      'delivered/s',
      'backlog at end',
      'p50 ms',
      'p99 ms',
      'drained after',
      `goal >=${count(GOAL_RATE)}/s, p50 <1 s`,
    ],
    rows,
    notes: [
      "put/s: records the producer got into the source stream per second (PutRecords of up to 500, 100 ms ticks); delivered/s: the rate's records that reached the target while the input ran, per second; backlog at end: those that had not.",
      "p50/p99: put -> delivered of each record (PutRecords sent -> ApproximateArrivalTimestamp on the target stream, or SentTimestamp on the target queue, both stamped by the emulator when the worker's call reached it; read after the input stopped), over all the rate's records, those delivered after the input stopped included.",
      'drained after: seconds after the input stopped until every target had every record (no: not within the wait; the count delivered). A rate is not run when the one before it did not drain.',
      ...(['ordered', 'unordered'] as const).flatMap(
        (o) =>
          goalVerdict(
            results,
            o,
            o === 'ordered' ? 'the ordered defaults' : 'ordered: false on the kinesis targets',
          ) ?? [],
      ),
      `Last column, per target at rates from the goal's up: put/s >= 95 % of the rate, at most 1 s of input left at the end, p50 under 1 s, and drained. Configuration: hand-off (ordered: the defaults, out-a and out-b through FIFO queues of ${DEFAULT_MESSAGE_GROUPS} message groups by partition key; unordered: ordered: false, async invoke; hot key: ordered, every record under one partition key), idempotency of every target (store: the default; none); always 1 shard, batchSize as labelled (${DEFAULT_SOURCE_BATCH_SIZE}: the default and the example fanout.yml's), batchWindow 0, parallelizationFactor 1, targets at concurrency 5. Records have a partition key each (key-<i>) but in the hot-key rows. Each configuration runs on a pipeline of its own, after a warm-up (2,000 records/s for 2 s, drained; hot key: its first rate).`,
    ],
  };
}

/** Process groups of the CPU table, in the order a record passes them. */
const GROUPS = [
  'bench process',
  'kinesalite',
  'dispatcher',
  'fauxqs',
  ...TARGETS.map((t) => t.name),
  'dynalite',
];

export function cpuTable(results: VariantResult[]): ReportTable {
  const rows: string[][] = [];
  for (const { variant, steps } of results) {
    for (const step of steps) {
      const { used } = step.cpuToDrain;
      // Per record the targets received by then (their mean): an undrained step processed only part of its input.
      const delivered = Object.values(step.deliveredToDrain);
      const processed = Math.min(step.run.count, delivered.reduce((a, b) => a + b, 0) / delivered.length);
      const perThousand = (seconds: number): number => (1e6 * seconds) / Math.max(1, processed);
      const total = Object.values(used).reduce((a, b) => a + b, 0);
      const ours = Object.values(step.cpu.groups).reduce((a, b) => a + b, 0);
      const d = step.functions.dispatcher;
      const workers = TARGETS.map((t) => step.functions[t.name]?.invocations ?? 0);
      rows.push([
        variant.label,
        count(step.rate),
        `${pct(step.cpu.machine)} / ${pct(step.cpu.outside)} / ${pct(ours)}`,
        ...GROUPS.map((g) => count(Math.round(perThousand(used[g] ?? 0)))),
        count(Math.round(perThousand(total))),
        count(Math.round((2 * 1000 * 1000) / perThousand(total))),
        `${pct(d?.busyPercent)} % / ${ms(d?.median ?? Number.NaN)} / ${count(Math.round(d?.recordsPerBatch ?? Number.NaN))}`,
        workers.map((n) => count(n)).join(' / '),
        count(Object.values(step.functions).reduce((sum, f) => sum + f.coldStarts, 0)),
      ]);
    }
  }
  return {
    title:
      "4b. Where the CPU goes: CPU ms per 1,000 records delivered, by process, from the input's start until the drain ended",
    head: [
      'configuration',
      'input/s',
      'CPU % machine / other / pipeline',
      ...GROUPS.map((g) => (TARGETS.some((t) => t.name === g) ? `${g} worker` : g)),
      'total',
      'ceiling/s on 2 cores',
      'dispatcher busy % / batch ms / records',
      'worker invocations (out-a / out-b / audit)',
      'cold starts',
    ],
    rows,
    notes: [
      "CPU time (utime + stime from /proc) of each process the bench started, from the input's start to the drain's end, over the records the targets received by then (RecordsDelivered, mean of the 3): bench process = the local Lambda runtime (Kinesis and SQS mappings, async queues, Invoke API, EMF parsing) and the producer (the targets are read after the drain, outside this window); workers by target (every container of the function).",
      'CPU % (of one core; 200 % = the whole machine) while the input ran: machine = all processes; other = outside the pipeline (other sessions on the machine); pipeline = the processes above.',
      'ceiling: 2 cores divided by the total CPU per record, the rate an otherwise idle machine could sustain if nothing but CPU bounded it. CPU per record is steadier under load than wall time, but contention inflates it somewhat.',
      'worker invocations: while the input ran (an ordered target: one per batch of up to 10 FIFO messages; unordered: one per envelope). cold starts: containers started while the input ran (each loads the bundled handler: ~0.5-1 s of CPU that Lambda would not bill to this machine). dispatcher: warm invocation time over the input time (one shard, one lane: batches run one at a time, so 100 % is its ceiling), their median, and the mean records per batch the Kinesis mapping delivered (at most the configured batch size).',
    ],
  };
}
