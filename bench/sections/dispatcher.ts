import { ASYNC_INVOKE_PAYLOAD_LIMIT, SQS_MESSAGE_LIMIT } from '../../lib/config/constants.js';
import type { DispatchCaseResult } from '../cases/dispatch-case.js';
import { type BatchShape, eventBytesOf, LAMBDA_EVENT_LIMIT } from '../cases/events.js';
import { type DispatchCaseSpec, runDispatchCase } from '../cases/run.js';
import { bytes, count, MB, ms, verdict } from '../support/format.js';
import type { Section, SectionContext, SectionReport } from '../support/section.js';
import { summarize } from '../support/stats.js';

const SHAPES: BatchShape[] = [
  { records: 1_000, recordBytes: 200 },
  { records: 1_000, recordBytes: 1_024 },
  { records: 10_000, recordBytes: 200 },
  { records: 10_000, recordBytes: 1_024 },
];

/** Issue 6's wall-time targets: median ms against the instant stub, 2 targets, ~200 B records. */
const TIME_TARGETS: Record<number, number> = { 1000: 20, 10000: 150 };

function cases(quick: boolean): DispatchCaseSpec[] {
  const invoke = (shape: BatchShape, targets: number, delayMs: number): DispatchCaseSpec => ({
    shape,
    targets,
    via: 'invoke',
    delayMs,
  });
  const [small, , big] = SHAPES as [BatchShape, BatchShape, BatchShape, BatchShape];
  if (quick) {
    return [
      invoke(small, 2, 0),
      invoke(small, 10, 0),
      invoke(small, 2, 5),
      invoke(big, 2, 0),
      { shape: small, targets: 2, via: 'queue', delayMs: 0 },
    ];
  }
  const all: DispatchCaseSpec[] = [];
  for (const delayMs of [0, 5])
    for (const shape of SHAPES) for (const targets of [2, 10]) all.push(invoke(shape, targets, delayMs));
  all.push({ shape: small, targets: 2, via: 'queue', delayMs: 0 });
  all.push({ shape: big, targets: 2, via: 'queue', delayMs: 0 });
  return all;
}

export interface DispatchRow {
  spec: DispatchCaseSpec;
  eventBytes: number;
  skipped?: string;
  result?: DispatchCaseResult;
  callBound?: number;
  rssBound?: number;
  timeTarget?: number;
}

const shapeLabel = (s: BatchShape): string =>
  `${count(s.records)} x ${s.recordBytes === 1_024 ? '1 KB' : `${s.recordBytes} B`}`;

function row(r: DispatchRow): string[] {
  const { spec } = r;
  const over = r.eventBytes > LAMBDA_EVENT_LIMIT ? '*' : '';
  const head = [`${shapeLabel(spec.shape)}${over}`, String(spec.targets), spec.via, `${spec.delayMs} ms`];
  if (!r.result) return [...head, r.skipped ?? 'not run', '', '', '', '', '', '', '', '', ''];
  const wall = summarize(r.result.wallMs);
  const cpu = summarize(r.result.cpuMs);
  const calls = r.result.callsPerTarget;
  const timeOk = r.timeTarget === undefined ? undefined : wall.median <= r.timeTarget;
  return [
    ...head,
    ms(wall.median),
    ms(wall.p90),
    ms(wall.min),
    ms(cpu.median),
    `${count(calls)} / ${r.callBound}`,
    bytes(r.result.handoffBytes),
    [r.result.peakRss, r.result.firstBatchPeakRss, r.result.idleRss]
      .map((b) => (b / MB).toFixed(0))
      .join(' / '),
    r.timeTarget === undefined ? '-' : `${verdict(timeOk)} <=${r.timeTarget}`,
    verdict(calls <= (r.callBound ?? 0)),
    `${verdict(r.result.peakRss <= (r.rssBound ?? 0))} <=${((r.rssBound ?? 0) / MB).toFixed(0)}`,
  ];
}

async function run(context: SectionContext): Promise<SectionReport> {
  const rows: DispatchRow[] = [];
  for (const spec of cases(context.options.quick)) {
    const eventBytes = eventBytesOf(spec.shape);
    const r: DispatchRow = { spec, eventBytes };
    rows.push(r);
    // Its data alone exceeds Lambda's 6 MB event limit: no Kinesis batch of this shape can reach a function.
    if (spec.shape.records * spec.shape.recordBytes > LAMBDA_EVENT_LIMIT) {
      r.skipped = 'not run (†)';
      continue;
    }
    r.result = await runDispatchCase(context, spec);
    const limit = spec.via === 'queue' ? SQS_MESSAGE_LIMIT : ASYNC_INVOKE_PAYLOAD_LIMIT;
    r.callBound = Math.ceil(r.result.dataBytes / limit) + 1;
    r.rssBound = 3 * r.result.eventBytes + 60 * MB;
    if (spec.targets === 2 && spec.delayMs === 0 && spec.shape.recordBytes === 200)
      r.timeTarget = TIME_TARGETS[spec.shape.records];
  }
  const protocols = new Set<string>();
  let failed = 0;
  for (const r of rows) {
    for (const p of Object.values(r.result?.protocols ?? {})) protocols.add(p);
    failed += r.result?.failedBatches ?? 0;
    if (r.result && Math.abs(r.result.stubCalls - r.result.callsPerTarget * r.spec.targets) > 0.01)
      protocols.add(`MISMATCH ${r.spec.shape.records}: stub ${r.result.stubCalls} calls per batch`);
  }
  return {
    tables: [
      {
        title:
          '1. Dispatcher cost per batch (real createDispatcher + awsHandoff, stub endpoint in its own process)',
        head: [
          'batch',
          'targets',
          'via',
          'stub',
          'median ms',
          'p90 ms',
          'min ms',
          'CPU ms',
          'calls/target / bound',
          'sent/batch',
          'RSS MB peak / 1st / idle',
          'time',
          'calls',
          'RSS',
        ],
        rows: rows.map(row),
        notes: [
          'median/p90/min: wall time per batch; CPU ms: median user+system CPU time of the dispatcher process per batch (the figure least moved by other load on the machine).',
          'calls/target: hand-off calls per target per batch (HandoffCalls; the stub counted the same); bound = ceil(base64 data bytes / payload limit) + 1.',
          'sent/batch: envelope bytes handed off per batch over all targets.',
          'RSS: each case runs in a process of its own (the dispatcher bundled as deployed, no TypeScript loader): peak over all its batches / peak after its first batch / idle after start-up, before the batch was built. RSS bound (last column, MB) = 3 x event bytes + 60 MB, checked against the peak.',
          "* event over Lambda's 6 MB payload limit (the factory's records carry the fields of a real event, ~530 B each): Lambda would split this batch; run anyway because issue 6 sets a target for it.",
          `† not run: its event (${bytes(eventBytesOf(SHAPES[3] as BatchShape))}) and even its data alone exceed Lambda's 6 MB event limit; no Kinesis batch of this shape reaches a function.`,
          'A MISS is explained, with the profile that bounds it, under Targets in docs/benchmarks.md.',
          `Wire protocols seen by the stub: ${[...protocols].join('; ') || 'none'}. Batches that reported a failed record: ${failed}.`,
        ],
      },
    ],
    data: rows,
  };
}

export const dispatcherSection: Section = {
  name: 'dispatcher',
  title: 'Dispatcher cost',
  run,
};
