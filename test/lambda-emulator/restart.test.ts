/**
 * The local runtime across a restart with a state folder: a Kinesis mapping resumes after its checkpoint (records
 * put while it was down are delivered, none twice), and async invocations not finished at stop (waiting for a
 * retry, waiting for concurrency, running) run after the restart. Without a state folder, the stop says what it
 * did not keep.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  type KinesisClient,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalLambdaRuntime } from '../../lib/lambda-emulator/index.js';
import { type Emulator, startEmulator } from '../../lib/local/emulators.js';
import { fixture, kinesisClient, readJsonLines, waitFor } from './helpers.js';

let kinesalite: Emulator;
let kinesis: KinesisClient;
const dir = mkdtempSync(join(tmpdir(), 'runtime-restart-'));
const log = join(dir, 'deliveries.jsonl');
const delivered = (): string[] =>
  readJsonLines<{ items: Array<{ data: string }> }>(log).flatMap((d) => d.items.map((i) => i.data));

beforeAll(async () => {
  kinesalite = await startEmulator('kinesis');
  kinesis = kinesisClient(kinesalite.endpoint);
  await kinesis.send(new CreateStreamCommand({ StreamName: 'input', ShardCount: 1 }));
  for (;;) {
    const out = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'input' }));
    if (out.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') break;
    await new Promise((r) => setTimeout(r, 20));
  }
});

afterAll(async () => {
  await kinesalite?.stop();
});

async function put(from: number, count: number): Promise<void> {
  const records = Array.from({ length: count }, (_, i) => ({
    PartitionKey: `k${from + i}`,
    Data: Buffer.from(`r${from + i}`),
  }));
  await kinesis.send(new PutRecordsCommand({ StreamName: 'input', Records: records }));
}

function consumerRuntime(stateDir: string): LocalLambdaRuntime {
  const runtime = new LocalLambdaRuntime({ kinesis, stateDir });
  runtime.register({
    name: 'consumer',
    handler: { file: fixture('stream-consumer.ts'), export: 'kinesis' },
    timeoutSeconds: 10,
    memoryMb: 256,
    env: { RECORD_FILE: log },
  });
  runtime.addKinesisMapping({ functionName: 'consumer', streamName: 'input', startingPosition: 'LATEST' });
  return runtime;
}

describe('a Kinesis mapping with a state folder', () => {
  it('resumes after its checkpoint: records put while it was stopped are delivered, and none twice', async () => {
    const stateDir = join(dir, 'kinesis-state');
    const first = consumerRuntime(stateDir);
    await first.start();
    await put(0, 5);
    await waitFor('the first 5 records', () => (delivered().length >= 5 ? true : undefined), 60_000);
    await first.stop();
    expect(JSON.parse(readFileSync(join(stateDir, 'kinesis-checkpoints.json'), 'utf8'))).toEqual({
      'consumer/input/shardId-000000000000': expect.stringMatching(/^\d+$/),
    });

    // Put while nothing reads the stream: LATEST would skip these.
    await put(5, 5);
    const second = consumerRuntime(stateDir);
    await second.start();
    expect(second.resumed.checkpoints).toBe(1);
    try {
      await waitFor(
        'the 5 records put while stopped',
        () => (delivered().length >= 10 ? true : undefined),
        60_000,
      );
      await new Promise((r) => setTimeout(r, 1_500));
      expect(delivered().sort()).toEqual(Array.from({ length: 10 }, (_, i) => `r${i}`).sort());
    } finally {
      await second.stop();
    }
  }, 120_000);
});

describe('async invocations not finished at stop', () => {
  type Handler = { file: string; export: string };
  const throws: Handler = { file: fixture('fail.ts'), export: 'throws' };
  const sleeps: Handler = { file: fixture('fail.ts'), export: 'sleeps' };
  const echoes: Handler = { file: fixture('echo.ts'), export: 'handler' };
  const withFunctions = (
    stateDir: string | undefined,
    handlers: Record<string, Handler>,
  ): LocalLambdaRuntime => {
    // timeScale 1: a failed event waits a whole minute for its retry, so it is waiting when the runtime stops.
    const runtime = new LocalLambdaRuntime(stateDir ? { stateDir } : {});
    for (const [name, handler] of Object.entries(handlers)) {
      runtime.register({
        name,
        handler,
        timeoutSeconds: 60,
        memoryMb: 128,
        async: { maxRetryAttempts: 2 },
        ...(name === 'busy' ? { reservedConcurrency: 1 } : {}),
      });
    }
    return runtime;
  };
  const fn = (runtime: LocalLambdaRuntime, name: string) =>
    runtime.stats().functions.find((f) => f.name === name);

  it('are saved at stop and run after the restart; those of a function not registered any more are kept aside', async () => {
    const stateDir = join(dir, 'async-state');
    const first = withFunctions(stateDir, { retrying: throws, busy: sleeps });
    await first.start();
    first.invokeAsync('retrying', { message: 'not yet' });
    first.invokeAsync('busy', { ms: 60_000 });
    first.invokeAsync('busy', { ms: 60_000 });
    await waitFor('a retry scheduled', () =>
      (fn(first, 'retrying')?.async.retries ?? 0) >= 1 ? true : undefined,
    );
    await waitFor('one busy invocation running, one queued', () =>
      fn(first, 'busy')?.async.queued === 1 ? true : undefined,
    );
    expect(await first.stop()).toEqual({ unfinishedAsync: { retrying: 1, busy: 2 }, kept: true });

    // `retrying` is not registered in the second runtime: its event is kept aside, in the file.
    const second = withFunctions(stateDir, { busy: echoes });
    await second.start();
    expect(second.resumed).toMatchObject({ restoredAsync: { busy: 2 }, orphanedAsync: { retrying: 1 } });
    await second.idle();
    expect(fn(second, 'busy')?.async.succeeded).toBe(2);
    expect(await second.stop()).toEqual({ unfinishedAsync: {}, kept: true });

    const third = withFunctions(stateDir, { retrying: echoes });
    await third.start();
    expect(third.resumed.restoredAsync).toEqual({ retrying: 1 });
    await third.idle();
    expect(fn(third, 'retrying')?.async.succeeded).toBe(1);
    await third.stop();
    expect(JSON.parse(readFileSync(join(stateDir, 'async-events.json'), 'utf8'))).toEqual({});
  }, 120_000);

  it('are counted as not kept when the runtime has no state folder', async () => {
    const runtime = withFunctions(undefined, { retrying: throws });
    await runtime.start();
    runtime.invokeAsync('retrying', { message: 'lost' });
    await waitFor('a retry scheduled', () =>
      (fn(runtime, 'retrying')?.async.retries ?? 0) >= 1 ? true : undefined,
    );
    expect(await runtime.stop()).toEqual({ unfinishedAsync: { retrying: 1 }, kept: false });
    expect(existsSync(join(dir, 'async-events.json'))).toBe(false);
  }, 60_000);
});
