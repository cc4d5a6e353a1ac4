/**
 * The operator commands end to end through the CLI (`main`), against a running local pipeline found the way an
 * operator's shell finds it: `.fanout/local.env` and `fanout.yml` in the current folder.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { CreateQueueCommand, DeleteQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { readStream } from '../../harness/support/aws.js';
import { main } from '../../lib/cli/main.js';
import { produceDemoRecords } from '../../lib/cli/produce.js';
import { parseConfigText } from '../../lib/config/load.js';
import { encodeEnvelope } from '../../lib/envelope/codec.js';
import { writeLocalEnv } from '../../lib/local/env-file.js';
import type { SourceReplayReport } from '../../lib/operate/replay/source-report.js';
import type { PipelineStatus } from '../../lib/operate/status/types.js';
import { waitFor } from '../local/support.js';
import { envelopeFactory } from '../operate/factories.js';
import { depthOf, putMessages } from '../operate/support.js';
import { useLocalPipeline } from '../support/local-pipeline.js';
import { captureIo, folderWith } from './support.js';

const N = 30;
const YML = `# operations test (local mode)
source:
  stream: input
  batchSize: 15
  startingPosition: TRIM_HORIZON
  # give up on a failing batch at once: its range goes to the failure queue (a refused hand-off does not
  # fail the batch: its records go to the DLQ, or to the failure queue when the DLQ is gone)
  maxRetryAttempts: 0
  bisectOnError: false
targets:
  - name: output1
    type: kinesis
    destination: output1
    ordered: false # via: invoke
    concurrency: 2 # reserved

  - name: audit
    type: sqs
    destination: audit
    via: queue
    retries: 1

  # its queue and DLQ are deleted during the test, so the dispatcher parks its records in the failure queue
  - name: late
    type: http
    destination: https://example.com/late
    via: queue
    retries: 0
`;
let dir: string;
const home = process.cwd();
const fanout = async (...args: string[]) => {
  const c = captureIo();
  const code = await main(['node', 'fanout', ...args, '--local'], c.io);
  return { code, out: c.out.join('\n'), err: c.err.join('\n') };
};
const worker = (name: string) =>
  pipeline()
    .runtime.stats()
    .functions.find((f) => f.name === pipeline().names.workerFunction(name));
const mapping = (name: string) =>
  pipeline()
    .runtime.stats()
    .mappings.find((m) => m.functionName === pipeline().names.workerFunction(name));

const pipeline = useLocalPipeline(() => ({ config: parseConfigText(YML), timeScale: 0.001 }), {
  timeoutMs: 90_000,
  ready: async (pipeline) => {
    dir = folderWith({ 'fanout.yml': YML });
    mkdirSync(join(dir, '.fanout'));
    writeLocalEnv({ ...pipeline.env, FANOUT_LOCAL_PID: String(process.pid) }, join(dir, '.fanout/local.env'));
    process.chdir(dir);
  },
});

afterAll(async () => {
  process.chdir(home);
});

describe('fanout concurrency --apply (local mode)', () => {
  it("changes a via: invoke worker's reserved concurrency live, and fanout.yml with its comments", async () => {
    const { code, out } = await fanout('concurrency', 'output1', '7', '--apply');
    expect(code).toBe(0);
    expect(out).toContain('-    concurrency: 2 # reserved\n+    concurrency: 7 # reserved');
    expect(out).toContain(
      'live [local, stage local]: reserved concurrency of fanout-local-output1-worker: 2 -> 7',
    );
    expect(worker('output1')?.reservedConcurrency).toBe(7);
    expect(readFileSync(join(dir, 'fanout.yml'), 'utf8')).toBe(
      YML.replace('concurrency: 2 # reserved', 'concurrency: 7 # reserved'),
    );
  });

  it("changes a via: queue target's mapping maximum concurrency live", async () => {
    expect(mapping('audit')?.maximumConcurrency).toBe(5);
    const { code, out } = await fanout('concurrency', 'audit', '6', '--apply');
    expect(code).toBe(0);
    expect(out).toMatch(
      /live \[local, stage local\]: maximum concurrency of sqs:fanout-local-audit-queue->fanout-local-audit-worker#\d+: 5 -> 6/,
    );
    expect(mapping('audit')?.maximumConcurrency).toBe(6);
    expect(readFileSync(join(dir, 'fanout.yml'), 'utf8')).toContain(
      '    via: queue\n    concurrency: 6\n    retries: 1\n',
    );
  });

  it('refuses an impossible value and changes nothing live', async () => {
    const { code, err } = await fanout('concurrency', 'audit', '1', '--apply');
    expect(code).toBe(2);
    expect(err).toContain('must be an integer from 2 to 1000, got 1');
    expect(mapping('audit')?.maximumConcurrency).toBe(6);
  });
});

describe('fanout replay --source (local mode)', () => {
  it('re-reads records parked in the failure queue from the stream and re-dispatches them only to their target', async () => {
    const sqs = pipeline().clients.get(SQSClient);
    const late = pipeline().stack.targets.find((t) => t.name === 'late');
    // Neither its queue nor its DLQ is there: the dispatcher parks each record in its failure queue and goes on.
    await sqs.send(new DeleteQueueCommand({ QueueUrl: late?.queueUrl }));
    await sqs.send(new DeleteQueueCommand({ QueueUrl: late?.dlqUrl }));
    const kinesis = pipeline().clients.get(KinesisClient);
    await produceDemoRecords(kinesis, 'input', N);
    await waitFor(async () => (await readStream(kinesis, 'output1')).length >= N, 30_000, 'output1');
    await waitFor(
      async () => (await depthOf(pipeline(), pipeline().stack.failureQueueUrl)) >= N,
      30_000,
      'failure records',
    );
    // Queue and DLQ are back (same names, same URLs): the target works again, its records are in the stream only.
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: pipeline().names.targetDlq('late') }));
    expect(dlq.QueueUrl).toBe(late?.dlqUrl);
    const again = await sqs.send(
      new CreateQueueCommand({
        QueueName: pipeline().names.targetQueue('late'),
        Attributes: {
          VisibilityTimeout: '180',
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: late?.dlqArn, maxReceiveCount: 1 }),
        },
      }),
    );
    expect(again.QueueUrl).toBe(late?.queueUrl);

    const { code, out } = await fanout('replay', '--source', '--yes', '--json');
    expect(code).toBe(0);
    const report = JSON.parse(out) as SourceReplayReport;
    expect(report.batches.redispatched).toBe(N);
    expect(report.leftInPlace).toBe(0);
    expect(report.recordsRead).toBe(N);
    // Each failure record names its target: the others are not even looked up.
    expect(report.targets).toEqual([
      { target: 'output1', alreadyDelivered: 0, routed: 0, handedOff: 0, failed: 0 },
      { target: 'audit', alreadyDelivered: 0, routed: 0, handedOff: 0, failed: 0 },
      { target: 'late', alreadyDelivered: 0, routed: N, handedOff: N, failed: 0 },
    ]);
    await waitFor(async () => pipeline().receiver.received('/late').length >= N, 30_000, 'late deliveries');
    expect(
      new Set(
        pipeline()
          .receiver.received('/late')
          .map((r) => r.idempotencyKey),
      ).size,
    ).toBe(N);
    expect(await readStream(kinesis, 'output1')).toHaveLength(N);
    expect(await depthOf(pipeline(), pipeline().stack.failureQueueUrl)).toBe(0);
  });

  it('reports a range past retention with its shard and sequence numbers, and keeps its failure record', async () => {
    const gone = { start: `4959${'9'.repeat(52)}`, end: `4959${'9'.repeat(51)}8` };
    await putMessages(pipeline(), pipeline().stack.failureQueueUrl, [
      JSON.stringify({
        requestContext: {
          requestId: 'r',
          functionArn: 'f',
          condition: 'RetryAttemptsExhausted',
          approximateInvokeCount: 1,
        },
        version: '1.0',
        timestamp: new Date().toISOString(),
        KinesisBatchInfo: {
          shardId: 'shardId-000000000000',
          startSequenceNumber: gone.start,
          endSequenceNumber: gone.end,
          batchSize: 2,
          streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/input',
        },
      }),
    ]);
    const { code, out } = await fanout('replay', '--source', '--yes', '--json');
    expect(code).toBe(1);
    const report = JSON.parse(out) as SourceReplayReport;
    expect(report).toMatchObject({ batches: { expired: 1, redispatched: 0 }, leftInPlace: 1 });
    expect(report.missing).toEqual([
      expect.objectContaining({ shardId: 'shardId-000000000000', from: gone.start, to: gone.end }),
    ]);
    expect(await depthOf(pipeline(), pipeline().stack.failureQueueUrl)).toBe(1);
  });
});

describe('fanout replay <target> and status (local mode)', () => {
  it('replays a DLQ through the CLI, waiting for the worker', async () => {
    const dlq = pipeline().stack.targets.find((t) => t.name === 'audit')?.dlqUrl as string;
    await putMessages(pipeline(), dlq, [encodeEnvelope(envelopeFactory('audit', 3, 1_000))]);
    const { code, out } = await fanout('replay', 'audit', '--yes', '--wait', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({
      target: 'audit',
      messages: { replayed: 1 },
      records: { replayed: 3, delivered: 3, skipped: 0 },
      leftInPlace: 0,
    });
    expect(await depthOf(pipeline(), dlq)).toBe(0);
  });

  it('status --json has the live numbers', async () => {
    const { code, out } = await fanout('status', '--json');
    expect(code).toBe(0);
    const status = JSON.parse(out) as PipelineStatus;
    const target = (name: string) => status.targets.find((t) => t.name === name);
    expect(status.mode).toBe('local');
    expect(status.source).toMatchObject({ stream: 'input', recordsIn: N, failureQueueMessages: 1 });
    expect(target('output1')).toMatchObject({ via: 'invoke', concurrency: 7, delivered: N, dlqMessages: 0 });
    expect(target('audit')).toMatchObject({ via: 'queue', concurrency: 6, delivered: N + 3, dlqMessages: 0 });
    expect(target('late')).toMatchObject({ via: 'queue', delivered: N, dlqMessages: 0 });
  });
});
