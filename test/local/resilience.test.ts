import { join } from 'node:path';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { describe, expect, it } from 'vitest';
import { readStream } from '../../harness/support/aws.js';
import { isAlive } from '../../harness/support/listeners.js';
import { produceDemoRecords } from '../../lib/cli/produce.js';
import { parseConfigText } from '../../lib/config/load.js';
import { startEmulator } from '../../lib/local/emulators.js';
import { type LocalPipeline, startLocalPipeline } from '../../lib/local/pipeline.js';
import { replayDlq } from '../../lib/operate/replay/replay.js';
import type { TargetStatus } from '../../lib/operate/status/types.js';
import { findTarget } from '../../lib/operate/target.js';
import { replayDeps } from '../operate/support.js';
import { tempDir } from '../support/temp-dir.js';
import { waitFor } from './support.js';

const YML = `source:
  stream: input
  batchSize: 100
  startingPosition: TRIM_HORIZON
targets:
  - name: stream
    type: kinesis
    destination: out-stream
  # failing in the first run: its events wait a minute for their retry when local mode stops
  - name: hook
    type: http
    destination: https://example.com/hook
    retries: 2
  # failing in the first run: its envelopes are in flight in its queue when local mode stops
  - name: queued
    type: kinesis
    destination: out-queued
    via: queue
    retries: 5
  # failing in the first run: its envelopes are in its DLQ when local mode stops
  - name: dead
    type: http
    destination: https://example.com/dead
    retries: 0
`;
const RUN1 = 20;
const WHILE_DOWN = 20;
const ALL = Array.from({ length: RUN1 + WHILE_DOWN }, (_, i) => `{"log":"Record ${i}"}`);

const target = async (pipeline: LocalPipeline, name: string): Promise<TargetStatus> =>
  (await pipeline.status()).targets.find((t) => t.name === name) as TargetStatus;
const bodies = async (pipeline: LocalPipeline, stream: string): Promise<string[]> =>
  [
    ...new Set(
      (await readStream(pipeline.clients.get(KinesisClient), stream)).map((r) =>
        Buffer.from(r.Data ?? []).toString(),
      ),
    ),
  ].sort();
const received = (pipeline: LocalPipeline, path: string): string[] =>
  [...new Set(pipeline.receiver.received(path).map((r) => r.body.toString()))].sort();

describe('local mode with --data-dir', () => {
  it('loses nothing across a restart with records in flight: async retries, target queues, DLQs, records not yet read', async () => {
    const dataDir = tempDir('fanout-resume-');
    const config = parseConfigText(YML);
    // timeScale 1: a failed async event waits a whole minute for its retry, so it is waiting at the stop.
    const first = await startLocalPipeline({ config, dataDir, keepBodies: true });
    let stopped = false;
    try {
      first.failures.fail('hook', 503);
      first.failures.fail('queued', 503);
      first.failures.fail('dead', 503);
      await produceDemoRecords(first.clients.get(KinesisClient), 'input', RUN1);
      await waitFor(
        async () => (await bodies(first, 'out-stream')).length === RUN1,
        60_000,
        'stream deliveries',
      );
      await waitFor(async () => (await target(first, 'dead')).dlqRecords === RUN1, 60_000, 'dead in its DLQ');
      await waitFor(
        async () =>
          (first.runtime.stats().functions.find((f) => f.name.includes('-hook-'))?.async.retries ?? 0) > 0,
        60_000,
        'hook retries waiting',
      );
      await waitFor(
        async () =>
          (first.runtime.stats().mappings.find((m) => m.functionName.includes('-queued-'))?.received ?? 0) >
          0,
        60_000,
        'queued envelopes received',
      );
      expect(received(first, '/hook')).toEqual([]);
      const report = await first.stop();
      stopped = true;
      expect(report.kept).toBe(true);
      expect(Object.entries(report.unfinishedAsync)).toContainEqual([
        first.names.workerFunction('hook'),
        expect.any(Number),
      ]);
      expect(report.queuedMessages).toBeGreaterThan(0);
    } finally {
      if (!stopped) await first.stop();
    }

    // Records put while local mode is down (as if it had stopped before reading them): only kinesalite runs.
    const kinesalite = await startEmulator('kinesis', { dataDir: join(dataDir, 'kinesis') });
    const kinesis = new KinesisClient({
      endpoint: kinesalite.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      requestHandler: new NodeHttpHandler(),
    });
    await produceDemoRecords(kinesis, 'input', WHILE_DOWN, { first: RUN1 });
    await kinesalite.stop();

    const second = await startLocalPipeline({ config, dataDir, keepBodies: true, timeScale: 0.01 });
    try {
      expect(second.runtime.resumed.checkpoints).toBe(1);
      expect(second.runtime.resumed.restoredAsync[second.names.workerFunction('hook')]).toBeGreaterThan(0);
      expect(second.emulators.sqs.restored?.messages).toBeGreaterThan(0);
      await waitFor(async () => (await bodies(second, 'out-stream')).length === ALL.length, 90_000, 'stream');
      await waitFor(async () => received(second, '/hook').length === ALL.length, 90_000, 'hook');
      await waitFor(async () => (await bodies(second, 'out-queued')).length === ALL.length, 90_000, 'queued');
      await waitFor(async () => received(second, '/dead').length === WHILE_DOWN, 90_000, 'dead (new ones)');
      // The DLQ came back with its envelopes: counted in records, and replayable.
      expect(await target(second, 'dead')).toMatchObject({ dlqRecords: RUN1, inFlight: 0 });
      const report = await replayDlq(
        {
          config: second.config,
          names: second.names,
          target: findTarget(second.config, 'dead'),
          dryRun: false,
          wait: true,
        },
        replayDeps(second),
      );
      expect(report).toMatchObject({ records: { replayed: RUN1, delivered: RUN1 }, leftInPlace: 0 });
      await waitFor(async () => received(second, '/dead').length === ALL.length, 60_000, 'dead replayed');

      const sorted = [...ALL].sort();
      expect(await bodies(second, 'out-stream')).toEqual(sorted);
      expect(received(second, '/hook')).toEqual(sorted);
      expect(await bodies(second, 'out-queued')).toEqual(sorted);
      expect(received(second, '/dead')).toEqual(sorted);
    } finally {
      await second.stop();
    }
  }, 400_000);
});

describe('a dead emulator', () => {
  it('is noticed, reported in the status and started again on its port; the pipeline delivers on', async () => {
    const notices: string[] = [];
    const config = parseConfigText(YML.replace(/retries: 2|retries: 5|retries: 0/g, 'retries: 1'));
    const pipeline = await startLocalPipeline({ config, timeScale: 0.01, onNotice: (n) => notices.push(n) });
    try {
      const kinesis = pipeline.clients.get(KinesisClient);
      await produceDemoRecords(kinesis, 'input', 5);
      await waitFor(async () => (await bodies(pipeline, 'out-stream')).length === 5, 60_000, 'first records');
      const { pid, port } = pipeline.emulators.dynamodb;
      process.kill(pid, 'SIGKILL');
      await waitFor(
        async () => notices.some((n) => n.startsWith('dynalite is running again')),
        60_000,
        'restart',
      );
      expect(isAlive(pid)).toBe(false);
      expect(notices[0]).toBe(
        `dynalite (pid ${pid}) was killed (SIGKILL): starting it again on the same port`,
      );
      expect(notices[1]).toContain(
        'it kept nothing in memory (no --data-dir): the idempotency table was created again, empty',
      );
      const status = await pipeline.status();
      expect(status.emulators?.find((e) => e.kind === 'dynamodb')).toMatchObject({
        port,
        state: 'running',
        restarts: 1,
        lastFailure: expect.stringContaining(`pid ${pid} killed by SIGKILL`),
      });
      expect(status.notices?.join('\n')).toContain(`dynalite (pid ${pid}) was killed (SIGKILL)`);

      await produceDemoRecords(kinesis, 'input', 5, { first: 5 });
      await waitFor(
        async () => (await bodies(pipeline, 'out-stream')).length === 10,
        60_000,
        'records after',
      );
      await waitFor(async () => received(pipeline, '/hook').length === 10, 60_000, 'hook after');
    } finally {
      await pipeline.stop();
    }
  }, 200_000);

  it('kinesalite and fauxqs too: without a data folder their streams and queues are created again, and records put after are delivered', async () => {
    const notices: string[] = [];
    const config = parseConfigText(
      'source:\n  stream: input\n  startingPosition: TRIM_HORIZON\ntargets:\n  - name: s\n    type: kinesis\n    destination: out\n  - name: q\n    type: sqs\n    destination: outq\n    via: queue\n',
    );
    const pipeline = await startLocalPipeline({ config, timeScale: 0.01, onNotice: (n) => notices.push(n) });
    try {
      const kinesis = pipeline.clients.get(KinesisClient);
      await produceDemoRecords(kinesis, 'input', 5);
      await waitFor(async () => (await bodies(pipeline, 'out')).length === 5, 60_000, 'first records');
      process.kill(pipeline.emulators.kinesis.pid, 'SIGKILL');
      await waitFor(
        async () => notices.some((n) => n.startsWith('kinesalite is running again')),
        60_000,
        'kinesalite',
      );
      expect(notices.at(-1)).toContain(
        'the streams were created again, empty: records not yet dispatched are lost',
      );
      // The output stream is new too: what it holds now came after the restart.
      await produceDemoRecords(kinesis, 'input', 5, { first: 5 });
      await waitFor(
        async () => (await bodies(pipeline, 'out')).length === 5,
        60_000,
        'records after kinesalite',
      );
      process.kill(pipeline.emulators.sqs.pid, 'SIGKILL');
      await waitFor(
        async () => notices.some((n) => n.startsWith('fauxqs is running again')),
        60_000,
        'fauxqs',
      );
      expect(notices.at(-1)).toContain(
        'the queues and DLQs were created again, empty: the messages they held are lost',
      );
      await produceDemoRecords(kinesis, 'input', 5, { first: 10 });
      await waitFor(
        async () => (await bodies(pipeline, 'out')).length === 10,
        60_000,
        'records after fauxqs',
      );
      await waitFor(async () => (await target(pipeline, 'q')).delivered === 15, 60_000, 'the queue target');
      expect((await pipeline.status()).emulators?.map((e) => [e.program, e.state, e.restarts])).toEqual([
        ['kinesalite', 'running', 1],
        ['fauxqs', 'running', 1],
        ['dynalite', 'running', 0],
      ]);
    } finally {
      await pipeline.stop();
    }
  }, 200_000);
});
