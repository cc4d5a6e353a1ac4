import type { KinesisStreamRecord } from 'aws-lambda';
import { startLedgerTable } from '../../harness/support/aws.js';
import { kinesisRecordFactory, kinesisSequenceNumber } from '../../harness/support/factories.js';
import { parseConfig } from '../../lib/config/load.js';
import type { TargetConfig } from '../../lib/config/schema.js';
import { createWorker, type WorkerDeps } from '../../lib/delivery/worker.js';
import { decodeBatch } from '../../lib/dispatch/decode.js';
import { packEnvelopes } from '../../lib/dispatch/pack.js';
import type { Envelope } from '../../lib/envelope/types.js';
import { DynamoLedger } from '../../lib/ledger/dynamo.js';
import { type LedgerStats, noLedger } from '../../lib/ledger/types.js';
import { recordingTelemetry } from '../../lib/observability/telemetry.js';
import { groupedCalls } from '../../lib/targets/grouped.js';
import { HTTP_LIMITS } from '../../lib/targets/http.js';
import { KINESIS_LIMITS, kinesisRecordSize } from '../../lib/targets/kinesis.js';
import { SQS_LIMITS } from '../../lib/targets/sqs.js';
import type { TargetAdapter, TargetLimits } from '../../lib/targets/types.js';
import { recordBody } from '../cases/events.js';
import { benchContext } from '../cases/harness.js';
import { count } from '../support/format.js';
import type { Section, SectionContext, SectionReport } from '../support/section.js';

const TABLE = 'bench-idempotency';
/** DynamoDB on-demand prices, us-east-1, since November 2024 (../shared/REFERENCE.md): USD per million units. */
export const DYNAMODB_PRICES = { write: 0.625, read: 0.125 } as const;
const LAMBDA_CONTEXT = {
  ...benchContext,
  functionName: 'fanout-bench-out-worker',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:fanout-bench-out-worker',
  memoryLimitInMB: '512',
  awsRequestId: 'bench',
};
const TARGET = parseConfig({
  source: { stream: 'input' },
  // Unordered: the section counts store operations per record, one envelope delivered in parallel calls.
  targets: [{ name: 'out', type: 'kinesis', destination: 'out', ordered: false }],
}).targets[0] as TargetConfig;

/**
 * The envelope the dispatcher would build for records `first`..`first + n - 1` (those `keep` keeps: the others
 * went elsewhere, a filter or another message group), as the worker receives it. Sequence numbers have Kinesis's
 * version-2 layout, 1,000 records arriving a second: what the ledger's ranges are made of on AWS.
 */
function envelopeOf(
  shard: string,
  first: number,
  n: number,
  keep: (i: number) => boolean = () => true,
): Envelope {
  const records: KinesisStreamRecord[] = [];
  for (let i = first; i < first + n; i++) {
    if (!keep(i)) continue;
    const record = kinesisRecordFactory(recordBody(i, 200), { n: i, shard });
    const seq = kinesisSequenceNumber(i);
    record.kinesis.sequenceNumber = seq;
    record.eventID = `${shard}:${seq}`;
    records.push(record);
  }
  const batch = decodeBatch(records);
  const { envelopes } = packEnvelopes('out', batch.stream, batch.records, 100_000_000, Date.now());
  return JSON.parse((envelopes[0]?.payload ?? Buffer.from('{}')).toString('utf8')) as Envelope;
}

/** Milliseconds the stub destination takes to answer a call: a fast destination (same region). */
const CALL_MS = 5;

/**
 * A destination that accepts everything after {@link CALL_MS}, with a real adapter's limits: the section counts the
 * ledger's work. The wait matters: calls answered at once would all record their deliveries at the same instant.
 */
const acceptAll = (limits: TargetLimits): TargetAdapter => ({
  type: 'kinesis',
  limits,
  sizeOf: kinesisRecordSize,
  deliver: async (records) => {
    await new Promise((resolve) => setTimeout(resolve, CALL_MS));
    return records.map(() => ({ ok: true as const }));
  },
});

interface Row {
  mode: string;
  scenario: string;
  records: number;
  delivered: number;
  stats: LedgerStats;
}

async function run(context: SectionContext): Promise<SectionReport> {
  context.log('idempotency: starting dynalite');
  const ledgerTable = await startLedgerTable(TABLE);
  try {
    const { client } = ledgerTable;
    const rows: Row[] = [];
    let shard = 0;
    /** A worker with a ledger of its own on a fresh shard, so every scenario starts from what it says. */
    const workerOn = (adapter: TargetAdapter) => {
      const ledger = new DynamoLedger({ client, tableName: TABLE, ttlSeconds: 3_600 });
      const deps: WorkerDeps = {
        target: TARGET,
        adapter,
        ledger,
        telemetry: recordingTelemetry(),
      };
      return { worker: createWorker(deps), ledger };
    };
    const measure = async (
      mode: string,
      scenario: string,
      adapter: TargetAdapter,
      build: (shard: string) => Envelope[],
    ) => {
      // Each scenario on a shard of its own. Earlier envelopes set the scene (what was delivered before); the
      // last one is measured.
      const { worker, ledger } = workerOn(adapter);
      const envelopes = build(`shardId-${String(++shard).padStart(12, '0')}`);
      for (const e of envelopes.slice(0, -1)) await worker(e, LAMBDA_CONTEXT);
      const measured = envelopes[envelopes.length - 1] as Envelope;
      const before = { ...ledger.stats, byCommand: { ...ledger.stats.byCommand } };
      const out = (await worker(measured, LAMBDA_CONTEXT)) as { delivered: number };
      rows.push({
        mode,
        scenario,
        records: measured.records.length,
        delivered: out.delivered,
        stats: minus(ledger.stats, before),
      });
    };
    const sizes = context.options.quick ? [1_000] : [100, 1_000];
    for (const n of sizes) {
      context.log(`idempotency: envelopes of ${n} records`);
      const kinesis = `store (kinesis: ${KINESIS_LIMITS.maxRecords}/call)`;
      const KINESIS = acceptAll(KINESIS_LIMITS);
      // As the registry makes it: a call is a round of up to 10 SendMessageBatch requests (lib/targets/grouped.ts).
      const SQS = groupedCalls(acceptAll(SQS_LIMITS));
      await measure(kinesis, 'first delivery', KINESIS, (s) => [envelopeOf(s, 0, n)]);
      await measure(kinesis, 'replay of the same envelope', KINESIS, (s) => [
        envelopeOf(s, 0, n),
        envelopeOf(s, 0, n),
      ]);
      await measure(kinesis, 're-packed: half delivered, half new', KINESIS, (s) => [
        envelopeOf(s, 0, n),
        envelopeOf(s, n / 2, n),
      ]);
      await measure(kinesis, 'a lane of a shard (every 10th record)', KINESIS, (s) => [
        envelopeOf(s, 0, n * 10, (i) => i % 10 === 3),
      ]);
      await measure(`store (sqs: ${SQS.limits.maxRecords}/call)`, 'first delivery', SQS, (s) => [
        envelopeOf(s, 0, n),
      ]);
      await measure(
        `store (http: ${HTTP_LIMITS.maxRecords}/call)`,
        'first delivery',
        acceptAll(HTTP_LIMITS),
        (s) => [envelopeOf(s, 0, n)],
      );
      const none = noLedger();
      const worker = createWorker({ ...workerDeps(), ledger: none });
      const out = (await worker(envelopeOf('shardId-none', 0, n), LAMBDA_CONTEXT)) as { delivered: number };
      rows.push({
        mode: 'native / none',
        scenario: 'any',
        records: n,
        delivered: out.delivered,
        stats: none.stats,
      });
    }
    return { tables: [table(rows)], data: rows };
  } finally {
    await ledgerTable.stop();
  }
}

function workerDeps(): Omit<WorkerDeps, 'ledger'> {
  return { target: TARGET, adapter: acceptAll(KINESIS_LIMITS), telemetry: recordingTelemetry() };
}

function minus(after: LedgerStats, before: LedgerStats): LedgerStats {
  const byCommand: Record<string, number> = {};
  for (const [k, v] of Object.entries(after.byCommand)) {
    const d = v - (before.byCommand[k] ?? 0);
    if (d > 0) byCommand[k] = d;
  }
  return {
    calls: after.calls - before.calls,
    byCommand,
    readUnits: after.readUnits - before.readUnits,
    writeUnits: after.writeUnits - before.writeUnits,
    conflicts: after.conflicts - before.conflicts,
  };
}

/** Dollars per million records for the units of one row. */
export function dollarsPerMillion(writeUnitsPerRecord: number, readUnitsPerRecord: number): number {
  return writeUnitsPerRecord * DYNAMODB_PRICES.write + readUnitsPerRecord * DYNAMODB_PRICES.read;
}

function table(rows: Row[]): SectionReport['tables'][number] {
  const per = (v: number, r: Row): number => (r.records === 0 ? 0 : v / r.records);
  const fixed = (v: number, digits = 4): string => count(Number(v.toFixed(digits)));
  return {
    title: '6. Idempotency cost: the ledger on the real worker path (createWorker, dynalite), billed units',
    head: [
      'mode',
      'scenario',
      'records',
      'delivered',
      'calls',
      'write units/record',
      'read units/record',
      '$/M records',
      'calls by API',
      'baseline: record claims (before)',
    ],
    rows: rows.map((r) => {
      const w = per(r.stats.writeUnits, r);
      const rd = per(r.stats.readUnits, r);
      return [
        r.mode,
        r.scenario,
        count(r.records),
        count(r.delivered),
        count(r.stats.calls),
        fixed(w),
        fixed(rd),
        fixed(dollarsPerMillion(w, rd), 3),
        Object.entries(r.stats.byCommand)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ') || '-',
        r.mode.startsWith('store') ? baseline(r.scenario) : '-',
      ];
    }),
    notes: [
      'Units as DynamoDB bills them: a write is 1 unit per KB of the whole item (the larger of before and after), a refused conditional write too; a strongly consistent read 1 unit per 4 KB; a transaction twice. /record: per record of the envelope (delivered or skipped). $/M: the units at on-demand prices (us-east-1, Nov 2024: $0.625 per million writes, $0.125 per million reads), per million records per target.',
      "Stub adapter that accepts every record after 5 ms, with the named adapter's limits (records per destination call, sqs a round of 10 SendMessageBatch requests as the registry makes it; the ledger records each call's deliveries when it answers). Sequence numbers in Kinesis's version-2 layout, 1,000 records a second. \"a lane of a shard\": the envelope holds every 10th record of the shard (a ParallelizationFactor of 10, or one message group of an ordered target): the ledger stores them exactly, not as one range.",
      'Baseline: the record claims this replaced (session 3, same path and scenarios): per record 1 transactional put (2 units) + 1 write = 3 write units on first delivery, 2 on a replay (each refused transactional put is billed), 2.5 re-packed; $1.875, $1.25 and $1.56 per million records.',
    ],
  };
}

function baseline(scenario: string): string {
  if (scenario.startsWith('first')) return '3 writes/record ($1.875/M)';
  if (scenario.startsWith('replay')) return '2 writes/record ($1.25/M)';
  if (scenario.startsWith('re-packed')) return '2.5 writes/record ($1.563/M)';
  return '3 writes/record ($1.875/M)';
}

export const idempotencySection: Section = {
  name: 'idempotency',
  title: 'Idempotency cost',
  run,
};
