/**
 * Seeing what happened in local mode, through the CLI against a running local pipeline: `fanout tail` of an http
 * target shows what the local receiver got; `fanout local fail` makes a target fail and `--recover` ends it;
 * `fanout status` counts what went to the DLQ in records (never as in flight); `fanout replay` brings it back.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { afterAll, describe, expect, it } from 'vitest';
import { readStream } from '../../harness/support/aws.js';
import { main } from '../../lib/cli/main.js';
import { produceDemoRecords } from '../../lib/cli/produce.js';
import { parseConfigText } from '../../lib/config/load.js';
import { writeLocalEnv } from '../../lib/local/env-file.js';
import type { PipelineStatus, TargetStatus } from '../../lib/operate/status/types.js';
import { waitFor } from '../local/support.js';
import { useLocalPipeline } from '../support/local-pipeline.js';
import { captureIo, folderWith } from './support.js';

const YML = `source:
  stream: input
  batchSize: 50
  startingPosition: TRIM_HORIZON
targets:
  - name: webhook
    type: http
    destination: https://example.com/hook
    retries: 0
  - name: output1
    type: kinesis
    destination: output1
    # An async-invoke target (kinesis targets are ordered, through a FIFO queue, by default): --handoff fails
    # its Invoke.
    ordered: false
    retries: 0
  - name: audit
    type: sqs
    destination: audit
    via: queue
`;
let kinesis: KinesisClient;
const home = process.cwd();
let produced = 0;

const fanout = async (...args: string[]) => {
  const c = captureIo();
  const code = await main(['node', 'fanout', ...args], c.io);
  return { code, out: c.out.join('\n'), err: c.err.join('\n') };
};
const target = async (name: string): Promise<TargetStatus> => {
  const { out } = await fanout('status', '--json', '--local');
  return (JSON.parse(out) as PipelineStatus).targets.find((t) => t.name === name) as TargetStatus;
};
const produce = async (count: number): Promise<void> => {
  await produceDemoRecords(kinesis, 'input', count, { first: produced });
  produced += count;
};

const pipeline = useLocalPipeline(() => ({ config: parseConfigText(YML), timeScale: 0.001 }), {
  timeoutMs: 90_000,
  ready: async (pipeline) => {
    kinesis = pipeline.clients.get(KinesisClient);
    const dir = folderWith({ 'fanout.yml': YML });
    mkdirSync(join(dir, '.fanout'));
    writeLocalEnv({ ...pipeline.env, FANOUT_LOCAL_PID: String(process.pid) }, join(dir, '.fanout/local.env'));
    process.chdir(dir);
  },
});

afterAll(async () => {
  process.chdir(home);
});

describe('fanout tail <http target> (local mode)', () => {
  it("prints what the local receiver got: the answer, the record's headers with its Idempotency-Key, the body", async () => {
    await produce(3);
    await waitFor(async () => (await target('webhook')).delivered === 3, 60_000, 'webhook deliveries');
    const { code, out } = await fanout('tail', 'webhook', '--from-start', '--max', '3');
    expect(code).toBe(0);
    const requests = out.split('\n');
    expect(requests).toHaveLength(6);
    for (const body of ['{"log":"Record 0"}', '{"log":"Record 1"}', '{"log":"Record 2"}']) {
      const at = requests.indexOf(body);
      expect(at).toBeGreaterThan(0);
      const head = requests[at - 1] as string;
      expect(head).toMatch(/ POST \/webhook -> 200 /);
      expect(head).toMatch(/idempotency-key: \S+/);
      // The demo producer's records, as the seed's experiment puts them: all under partition key "key".
      expect(head).toContain('x-fanout-partition-key: key ');
      expect(head).toMatch(/x-fanout-sequence-number: \d+/);
      expect(head).toContain('content-type: application/octet-stream');
    }
    const keys = requests
      .filter((l) => l.includes('idempotency-key'))
      .map((l) => /idempotency-key: (\S+)/.exec(l)?.[1]);
    expect(new Set(keys).size).toBe(3);
  }, 90_000);
});

describe('fanout local fail (local mode)', () => {
  it('an http target: the receiver answers the status, records go to the DLQ counted in records; --recover and replay deliver them', async () => {
    const failed = await fanout('local', 'fail', 'webhook', '--status', '503');
    expect(failed).toMatchObject({ code: 0 });
    expect(failed.out).toContain(
      'target "webhook": the local receiver now answers every request with HTTP 503',
    );
    await produce(10);
    await waitFor(async () => (await target('webhook')).dlqRecords === 10, 60_000, '10 records in the DLQ');
    const status = await target('webhook');
    expect(status).toMatchObject({ failing: 'HTTP 503', delivered: 3, inFlight: 0, dlqRecords: 10 });
    expect(status.dlqMessages).toBeGreaterThan(0);
    expect(status.dlqMessages).toBeLessThan(10);
    const all = await fanout('tail', 'webhook', '--idle', '1', '--from-start');
    expect(all.out).toMatch(/ POST \/webhook -> 503 .*idempotency-key: /);

    const recovered = await fanout('local', 'fail', 'webhook', '--recover');
    expect(recovered.out).toContain('target "webhook" delivers again (the local receiver answers 200)');
    const replayed = await fanout('replay', 'webhook', '--yes', '--wait', '--json', '--local');
    expect(replayed.code).toBe(0);
    expect(JSON.parse(replayed.out)).toMatchObject({
      records: { replayed: 10, delivered: 10 },
      leftInPlace: 0,
    });
    expect(await target('webhook')).toMatchObject({
      delivered: 13,
      inFlight: 0,
      dlqRecords: 0,
      dlqMessages: 0,
    });
    expect((await target('webhook')).failing).toBeUndefined();
  }, 120_000);

  it('another target: its worker fails every invocation with LocalTargetFailure until --recover', async () => {
    const before = (await readStream(kinesis, 'output1')).length;
    const failed = await fanout('local', 'fail', 'output1');
    expect(failed.out).toContain('its worker now fails every invocation with LocalTargetFailure');
    await produce(5);
    await waitFor(async () => (await target('output1')).dlqRecords === 5, 60_000, '5 records in the DLQ');
    expect(await target('output1')).toMatchObject({ failing: 'LocalTargetFailure', inFlight: 0 });
    const dry = await fanout('replay', 'output1', '--dry-run', '--local');
    expect(dry.out).toContain('LocalTargetFailure: target "output1" was made to fail by `fanout local fail`');
    await fanout('local', 'fail', 'output1', '--recover');
    expect((await fanout('replay', 'output1', '--yes', '--wait', '--local')).code).toBe(0);
    await waitFor(
      async () => (await readStream(kinesis, 'output1')).length === before + 5,
      30_000,
      'output1',
    );
  }, 120_000);

  it("--handoff: the dispatcher's hand-off fails, the mapping retries the batch, and after --recover it goes through", async () => {
    const before = (await readStream(kinesis, 'output1')).length;
    const failed = await fanout('local', 'fail', 'output1', '--handoff');
    expect(failed.out).toContain(
      'target "output1": the dispatcher\'s hand-offs to it now fail (Invoke answers 500)',
    );
    const dispatcher = () =>
      pipeline()
        .runtime.stats()
        .mappings.find((m) => m.kind === 'kinesis');
    const retriesBefore = dispatcher()?.retries ?? 0;
    await produce(3);
    await waitFor(async () => (dispatcher()?.retries ?? 0) > retriesBefore, 60_000, 'the batch retried');
    expect(await target('output1')).toMatchObject({ failing: 'hand-off' });
    expect(await readStream(kinesis, 'output1')).toHaveLength(before);
    await fanout('local', 'fail', 'output1', '--recover');
    await waitFor(
      async () => (await readStream(kinesis, 'output1')).length === before + 3,
      60_000,
      'output1',
    );
  }, 120_000);

  it('refuses a target local mode does not have, a status that is not an error, --handoff of a queue target (exit 2)', async () => {
    const unknown = await fanout('local', 'fail', 'nope');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain(
      'no target "nope" in this configuration; its targets: webhook, output1, audit',
    );
    const queued = await fanout('local', 'fail', 'audit', '--handoff');
    expect(queued.code).toBe(2);
    expect(queued.err).toContain('"audit" is via: queue, whose hand-off goes to fauxqs');
    const ok = await fanout('local', 'fail', 'webhook', '--status', '200');
    expect(ok.code).toBe(2);
    expect(ok.err).toContain('--status must be an integer from 400 to 599, got "200"');
  });
});
