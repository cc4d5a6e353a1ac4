import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { parseConfig } from '../../lib/config/load.js';
import type { TargetConfig } from '../../lib/config/schema.js';
import { DynamoKeyStore, noKeyStore } from '../../lib/delivery/store.js';
import { createWorker, type WorkerDeps } from '../../lib/delivery/worker.js';
import { decodeBatch } from '../../lib/dispatch/decode.js';
import { packEnvelopes } from '../../lib/dispatch/pack.js';
import type { Envelope } from '../../lib/envelope/types.js';
import { startEmulator } from '../../lib/local/emulators.js';
import { recordingTelemetry } from '../../lib/observability/telemetry.js';
import { KINESIS_LIMITS, kinesisRecordSize } from '../../lib/targets/kinesis.js';
import type { TargetAdapter } from '../../lib/targets/types.js';
import { kinesisRecordFactory } from '../../test/support/factories.js';
import { recordBody } from '../cases/events.js';
import { benchContext } from '../cases/harness.js';
import { type DynamoCounts, meterDynamo } from '../support/dynamo-meter.js';
import { count } from '../support/format.js';
import type { Section, SectionContext, SectionReport } from '../support/section.js';

const TABLE = 'bench-idempotency';
/** The `store` mode as deployed (lib/runtime/worker.ts): the batched key store's record claims. */
const STORE = 'store: record claims';
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

/** The envelope the dispatcher would build for records `first`..`first + n - 1`, as the worker receives it. */
function envelopeOf(first: number, n: number): Envelope {
  const records = Array.from({ length: n }, (_, i) =>
    kinesisRecordFactory(recordBody(first + i, 200), { n: first + i }),
  );
  const batch = decodeBatch(records);
  const { envelopes } = packEnvelopes('out', batch.stream, batch.records, 100_000_000, Date.now());
  return JSON.parse((envelopes[0]?.payload ?? Buffer.from('{}')).toString('utf8')) as Envelope;
}

/** A destination that accepts everything: the section counts store operations, not delivery. */
const acceptAll: TargetAdapter = {
  type: 'kinesis',
  limits: KINESIS_LIMITS,
  sizeOf: kinesisRecordSize,
  deliver: async (records) => records.map(() => ({ ok: true as const })),
};

interface Row {
  mode: string;
  scenario: string;
  records: number;
  delivered: number;
  counts: DynamoCounts;
  computed?: boolean;
}

async function run(context: SectionContext): Promise<SectionReport> {
  context.log('idempotency: starting dynalite');
  const dynalite = await startEmulator('dynamodb');
  try {
    const client = new DynamoDBClient({
      endpoint: dynalite.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    });
    await client.send(
      new CreateTableCommand({
        TableName: TABLE,
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const meter = meterDynamo(client);
    const rows: Row[] = [];
    const ttl = 3_600;
    const store = (): DynamoKeyStore => new DynamoKeyStore({ client, tableName: TABLE, ttlSeconds: ttl });
    const deps = (extra: Partial<WorkerDeps>): WorkerDeps => ({
      target: TARGET,
      adapter: acceptAll,
      store: noKeyStore(),
      telemetry: recordingTelemetry(),
      ...extra,
    });
    const sizes = context.options.quick ? [100] : [100, 1_000];
    for (const n of sizes) {
      context.log(`idempotency: envelopes of ${n} records`);
      const base = n * 1_000;
      const measure = async (
        mode: string,
        scenario: string,
        worker: ReturnType<typeof createWorker>,
        e: Envelope,
      ) => {
        meter.reset();
        const out = (await worker(e, LAMBDA_CONTEXT)) as { delivered: number };
        rows.push({
          mode,
          scenario,
          records: e.records.length,
          delivered: out.delivered,
          counts: meter.counts(),
        });
      };
      const first = envelopeOf(base, n);
      const worker = createWorker(deps({ store: store() }));
      await measure(STORE, 'first delivery', worker, first);
      await measure(STORE, 'replay of the same envelope', worker, first);
      await measure(STORE, 're-packed: half delivered, half new', worker, envelopeOf(base + n / 2, n));
      await measure('native / none', 'any', createWorker(deps({})), envelopeOf(base + 10 * n, n));
      // Powertools makeIdempotent per record: a conditional PutItem (INPROGRESS) and an UpdateItem (COMPLETED)
      // per new record; a duplicate costs its refused conditional PutItem (a write is billed even when refused).
      const computed = (scenario: string, fresh: number): Row => ({
        mode: 'Powertools per record (computed)',
        scenario,
        records: n,
        delivered: fresh,
        computed: true,
        counts: { calls: 2 * fresh + (n - fresh), reads: 0, writes: 2 * fresh + (n - fresh), byCommand: {} },
      });
      rows.push(
        computed('first delivery', n),
        computed('replay of the same envelope', 0),
        computed('re-packed: half delivered, half new', n / 2),
      );
    }
    const per = (v: number, r: Row): string => count(Number((v / r.records).toFixed(3)));
    return {
      tables: [
        {
          title: '6. Idempotency cost: DynamoDB operations of the real worker path (createWorker, dynalite)',
          head: [
            'mode',
            'scenario',
            'records',
            'delivered',
            'calls',
            'calls/record',
            'reads/record',
            'writes/record',
            'calls by API',
          ],
          rows: rows.map((r) => [
            r.mode,
            r.scenario,
            count(r.records),
            count(r.delivered),
            count(r.counts.calls),
            per(r.counts.calls, r),
            per(r.counts.reads, r),
            per(r.counts.writes, r),
            r.computed
              ? 'computed, not measured'
              : Object.entries(r.counts.byCommand)
                  .map(([k, v]) => `${k} ${v}`)
                  .join(', ') || '-',
          ]),
          notes: [
            '/record: per record of the envelope (delivered or skipped). Reads/writes are items asked for (a BatchGetItem key is billed whether or not it exists).',
            'Stub adapter (accepts every record, Kinesis limits: 500 records per call). The key store claims the keys in TransactWriteItems of 100 conditional puts (billed as 2 writes per item), and writes the delivered ones after each destination call in BatchWriteItem calls of 25.',
          ],
        },
      ],
      data: rows,
    };
  } finally {
    await dynalite.stop();
  }
}

export const idempotencySection: Section = {
  name: 'idempotency',
  title: 'Idempotency cost',
  run,
};
