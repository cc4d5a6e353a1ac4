import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { createIdempotencyTable, createQueue, createStream } from '../../harness/support/aws.js';
import { startEmulators } from '../../lib/local/emulator-set.js';
import type {
  SdkCall,
  SdkCallResult,
  SdkCallsCaseInput,
  SdkCallsCaseResult,
} from '../cases/sdk-calls-case.js';
import { bundle } from '../support/bundle.js';
import { runJsonChild } from '../support/child.js';
import type { Section, SectionContext, SectionReport } from '../support/section.js';
import { summarize } from '../support/stats.js';

const LABELS: Record<SdkCall, string> = {
  'sqs-send-batch': 'SQS SendMessageBatch (sqs adapter)',
  'kinesis-put-records': 'Kinesis PutRecords (kinesis adapter)',
  'ledger-lease': 'DynamoDB Query + PutItem (ledger lease)',
  'ledger-lease-settle': 'DynamoDB Query + 2 PutItem (ledger lease, then settle)',
};

/**
 * Calls per kind and run. A ledger lease or settle of 100 positions costs the emulator (dynalite, one process)
 * more than an SQS or Kinesis call, so it gets fewer calls than the others; every count is enough for the CPU
 * time per call to settle.
 */
const CALLS: Record<SdkCall, number> = {
  'sqs-send-batch': 2_000,
  'kinesis-put-records': 1_000,
  'ledger-lease': 400,
  'ledger-lease-settle': 400,
};
const SDK_CALLS = Object.keys(LABELS) as SdkCall[];
const RUNS = 3;

async function run(context: SectionContext): Promise<SectionReport> {
  const { quick, cpuProfDir } = context.options;
  context.log('sdk-calls: starting kinesalite, fauxqs, dynalite');
  const emulators = await startEmulators();
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, ...emulators.env, AWS_EC2_METADATA_DISABLED: 'true' };
    delete env.AWS_PROFILE;
    const setup = {
      region: emulators.env.AWS_REGION,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      requestHandler: new NodeHttpHandler(),
    };
    await createStream(new KinesisClient({ ...setup, endpoint: emulators.kinesis.endpoint }), 'sdk-calls');
    const queueUrl = await createQueue(
      new SQSClient({ ...setup, endpoint: emulators.sqs.endpoint, useQueueUrlAsEndpoint: false }),
      'sdk-calls',
    );
    await createIdempotencyTable(
      new DynamoDBClient({ ...setup, endpoint: emulators.dynamodb.endpoint }),
      'sdk-calls',
    );
    const program = await bundle(
      fileURLToPath(new URL('../cases/sdk-calls-case.ts', import.meta.url)),
      join(context.workDir, 'sdk-calls'),
      { readable: true },
    );
    const input: SdkCallsCaseInput = {
      queueUrl,
      stream: 'sdk-calls',
      table: 'sdk-calls',
      calls: Object.fromEntries(
        SDK_CALLS.map((c) => [c, quick ? Math.ceil(CALLS[c] / 10) : CALLS[c]]),
      ) as Record<SdkCall, number>,
      warmup: quick ? 20 : 200,
      recordBytes: 200,
    };
    const runs: SdkCallResult[][] = [];
    for (let i = 0; i < (quick ? 1 : RUNS); i++) {
      context.log(`sdk-calls: run ${i + 1}`);
      const flags: string[] = [];
      if (cpuProfDir) {
        const dir = join(cpuProfDir, 'sdk-calls');
        mkdirSync(dir, { recursive: true });
        flags.push('--cpu-prof', `--cpu-prof-dir=${dir}`);
      }
      const out = await runJsonChild<SdkCallsCaseResult>(
        [...flags, program.file, JSON.stringify(input)],
        env,
      );
      runs.push(out.results);
    }
    const rows = SDK_CALLS.map((call) => {
      const of = runs.flatMap((r) => r.filter((x) => x.call === call));
      const perCall = summarize(of.map((r) => r.cpuUsPerCall));
      const median = summarize(of.map((r) => r.cpuUsMedian));
      const records = of[0]?.records ?? 0;
      return {
        call,
        records,
        calls: of[0]?.calls ?? 0,
        cpuUsPerCall: of.map((r) => r.cpuUsPerCall),
        cpuUsMedian: of.map((r) => r.cpuUsMedian),
        wallUsPerCall: of.map((r) => r.wallUsPerCall),
        cells: [
          LABELS[call],
          String(records),
          String(of[0]?.calls ?? 0),
          us(perCall.min),
          us(perCall.median),
          us(median.min),
          us(perCall.min / Math.max(1, records)),
        ],
      };
    });
    return {
      tables: [
        {
          title: `SDK calls: CPU time of the worker process per warm call (${quick ? 1 : RUNS} runs, emulators in other processes)`,
          head: [
            'call',
            'records',
            'calls/run',
            'CPU/call min (µs)',
            'CPU/call median (µs)',
            'per-call median, min (µs)',
            'CPU/record (µs)',
          ],
          rows: rows.map((r) => r.cells),
          notes: [
            'CPU/call: user + system time of the calling process over all measured calls, / calls; min and median over runs.',
            'per-call median: the median single call (leaves out calls a GC pause fell into), best run.',
            `records of ${input.recordBytes} B; ${input.warmup} unmeasured warm-up calls per kind and run.`,
          ],
        },
      ],
      data: rows.map(({ cells: _, ...row }) => row),
    };
  } finally {
    await emulators.stop();
  }
}

const us = (value: number): string =>
  Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '-';

export const sdkCallsSection: Section = {
  name: 'sdk-calls',
  title: 'CPU time per warm SDK call of a worker (SQS, Kinesis, DynamoDB key store)',
  run,
};
