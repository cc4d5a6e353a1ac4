/**
 * CPU time of this process per warm SDK call, for the calls a worker makes per envelope: SQS SendMessageBatch and
 * Kinesis PutRecords through their target adapters, and the idempotency ledger's lease (Query, then a conditional
 * PutItem of the page) and settle (another PutItem) through DynamoLedger (lib/ledger/dynamo.ts). Clients come from
 * ClientPool, endpoints from `AWS_ENDPOINT_URL_*` (the emulators run in other processes, so their CPU time is not
 * counted here).
 * Usage: node bench/cases/sdk-calls-case.ts '<SdkCallsCaseInput JSON>'
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { kinesisSequenceNumber } from '../../harness/support/factories.js';
import { ClientPool } from '../../lib/aws/clients.js';
import { parseConfig } from '../../lib/config/load.js';
import type { TargetConfig } from '../../lib/config/schema.js';
import { DynamoLedger } from '../../lib/ledger/dynamo.js';
import type { Position } from '../../lib/ledger/position.js';
import type { LedgerLease } from '../../lib/ledger/types.js';
import { createKinesisAdapter } from '../../lib/targets/kinesis.js';
import { createSqsAdapter } from '../../lib/targets/sqs.js';
import type { DeliveryRecord } from '../../lib/targets/types.js';
import { recordBody } from './events.js';
import { caseInput, emit } from './harness.js';

export type SdkCall = 'sqs-send-batch' | 'kinesis-put-records' | 'ledger-lease' | 'ledger-lease-settle';

export interface SdkCallsCaseInput {
  queueUrl: string;
  stream: string;
  table: string;
  /** Measured calls per kind, in the order to run them (after `warmup` unmeasured ones). */
  calls: Partial<Record<SdkCall, number>>;
  warmup: number;
  recordBytes: number;
}

export interface SdkCallResult {
  call: SdkCall;
  /** Records (items) per call. */
  records: number;
  calls: number;
  /** This process's CPU time (user + system) over all measured calls divided by their number, microseconds. */
  cpuUsPerCall: number;
  /** Median of the per-call CPU times, microseconds (leaves out the calls a GC pause fell into). */
  cpuUsMedian: number;
  wallUsPerCall: number;
}

export interface SdkCallsCaseResult {
  results: SdkCallResult[];
}

const input = caseInput<SdkCallsCaseInput>();
const clients = new ClientPool();
const target = (type: 'sqs' | 'kinesis', destination: string): TargetConfig =>
  parseConfig({ source: { stream: 'input' }, targets: [{ name: 'out', type, destination }] })
    .targets[0] as TargetConfig;

let sequence = 0;
/** Records as the worker hands them to an adapter (the same ones every call: the emulators keep duplicates). */
const records = (n: number): DeliveryRecord[] =>
  Array.from({ length: n }, () => {
    sequence++;
    return {
      key: `out#shardId-000000000000:${String(sequence).padStart(56, '0')}`,
      partitionKey: `key-${sequence % 7}`,
      sequenceNumber: String(sequence).padStart(56, '0'),
      arrivedAt: 1_700_000_000_000 + sequence,
      data: Buffer.from(recordBody(sequence, input.recordBytes)),
    };
  });

function expectDelivered(outcomes: Array<{ ok: boolean }>, call: string): void {
  if (outcomes.some((o) => !o.ok)) throw new Error(`${call}: ${JSON.stringify(outcomes.find((o) => !o.ok))}`);
}

const sqs = createSqsAdapter({ target: target('sqs', input.queueUrl), clients, idempotency: 'store' });
const kinesis = createKinesisAdapter({
  target: target('kinesis', input.stream),
  clients,
  idempotency: 'store',
});
const ledger = new DynamoLedger({
  client: clients.get(DynamoDBClient),
  tableName: input.table,
  ttlSeconds: 86_400,
});
const sqsRecords = records(10);
const kinesisRecords = records(100);
// Positions never leased before (a ledger of this run's own, on a fresh shard): every lease succeeds.
const scope = { scope: 'out', stream: 'input', shard: `shardId-${randomUUID().slice(0, 8)}` };
let positionCounter = 0;
const freshPositions = (n: number): Position[] =>
  Array.from({ length: n }, () => ({ seq: kinesisSequenceNumber(++positionCounter) }));

// Every adapter call of the worker gets its own deadline signal (lib/delivery/deliver.ts), and the SDK listens to it.
const deadline = (): AbortSignal => AbortSignal.timeout(60_000);

const CALLS: Record<SdkCall, { records: number; run: () => Promise<void> }> = {
  'sqs-send-batch': {
    records: 10,
    run: async () => expectDelivered(await sqs.deliver(sqsRecords, deadline()), 'SendMessageBatch'),
  },
  'kinesis-put-records': {
    records: 100,
    run: async () => expectDelivered(await kinesis.deliver(kinesisRecords, deadline()), 'PutRecords'),
  },
  'ledger-lease': {
    records: 100,
    run: async () => {
      const positions = freshPositions(100);
      const outcome = await ledger.lease(scope, positions, Date.now() + 60_000);
      if (outcome.leased.length !== positions.length)
        throw new Error(`lease: ${outcome.leased.length} leased`);
    },
  },
  'ledger-lease-settle': {
    records: 100,
    run: async () => {
      const lease: LedgerLease = await ledger.lease(scope, freshPositions(100), Date.now() + 60_000);
      await lease.settle(lease.leased);
    },
  },
};

const results: SdkCallResult[] = [];
for (const [call, calls] of Object.entries(input.calls) as Array<[SdkCall, number]>) {
  const { records: n, run } = CALLS[call];
  for (let i = 0; i < input.warmup; i++) await run();
  const perCall: number[] = [];
  const total = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < calls; i++) {
    const cpu = process.cpuUsage();
    await run();
    const used = process.cpuUsage(cpu);
    perCall.push(used.user + used.system);
  }
  const wall = performance.now() - started;
  const used = process.cpuUsage(total);
  perCall.sort((a, b) => a - b);
  results.push({
    call,
    records: n,
    calls,
    cpuUsPerCall: (used.user + used.system) / calls,
    cpuUsMedian: perCall[Math.floor(calls / 2)] ?? Number.NaN,
    wallUsPerCall: (wall * 1_000) / calls,
  });
}
emit({ results } satisfies SdkCallsCaseResult);
