/**
 * `replayDlq` against local mode: the real bundled dispatcher and workers, a local http target that fails
 * (the receiver answers 500) until it is fixed, its DLQ in Lambda's destination format.
 */
import { KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { produceDemoRecords } from '../../../lib/cli/produce.js';
import { parseConfig } from '../../../lib/config/index.js';
import { encodeEnvelope } from '../../../lib/envelope/codec.js';
import { METRICS } from '../../../lib/observability/telemetry.js';
import { queueUrlOf } from '../../../lib/operate/queue.js';
import { replayDlq } from '../../../lib/operate/replay/replay.js';
import { findTarget } from '../../../lib/operate/target.js';
import { waitFor } from '../../local/support.js';
import { useLocalPipeline } from '../../support/local-pipeline.js';
import { envelopeFactory, oversizeNoticeFactory } from '../factories.js';
import { depthOf, peekBodies, putMessages, replayDeps } from '../support.js';

const N = 40;
const config = parseConfig({
  source: { stream: 'input', batchSize: 10, startingPosition: 'TRIM_HORIZON' },
  targets: [
    { name: 'flaky', type: 'http', destination: 'https://example.com/flaky', concurrency: 2, retries: 0 },
    {
      name: 'hook',
      type: 'http',
      destination: 'https://example.com/hook',
      via: 'queue',
      concurrency: 2,
      retries: 0,
      // Every demo record; not the big one of the oversize test, so only its notice stands for it.
      filter: { log: [{ prefix: 'Record' }] },
    },
  ],
});
const flaky = findTarget(config, 'flaky');
const hook = findTarget(config, 'hook');
let dlq: { flaky: string; hook: string };
const bodies = (path: string): string[] =>
  pipeline()
    .receiver.received(path)
    .map((r) => r.body.toString())
    .sort();
const keys = (path: string): Set<string | undefined> =>
  new Set(
    pipeline()
      .receiver.received(path)
      .map((r) => r.idempotencyKey),
  );
const replay = (overrides: Partial<Parameters<typeof replayDlq>[0]> = {}) =>
  replayDlq(
    { config, names: pipeline().names, target: flaky, dryRun: false, wait: false, ...overrides },
    replayDeps(pipeline()),
  );

const pipeline = useLocalPipeline(() => ({ config, timeScale: 0.001 }), {
  timeoutMs: 90_000,
  ready: async (pipeline) => {
    const dlqOf = (name: string) => pipeline.stack.targets.find((t) => t.name === name)?.dlqUrl as string;
    dlq = { flaky: dlqOf('flaky'), hook: dlqOf('hook') };
    pipeline.receiver.behave('/flaky', { status: 500 });
    await produceDemoRecords(pipeline.clients.get(KinesisClient), 'input', N);
    // Every record handed to the failing target, and every envelope through its (single) attempt.
    await waitFor(
      async () => pipeline.metrics.count(METRICS.recordsHandedOff, 'flaky') >= N,
      30_000,
      'hand-off',
    );
    await waitFor(async () => bodies('/hook').length >= N, 30_000, 'hook deliveries');
    await pipeline.runtime.idle(pipeline.names.workerFunction('flaky'));
  },
});

const expected = Array.from({ length: N }, (_, i) => `{"log":"Record ${i}"}`).sort();

describe('fanout replay <target> (local mode)', () => {
  it('dry run: counts by error, changes nothing', async () => {
    const before = await depthOf(pipeline(), dlq.flaky);
    expect(before).toBeGreaterThan(1);
    const report = await replay({ dryRun: true });
    expect(report.messages['would-replay']).toBe(before);
    expect(report.records.wouldReplay).toBe(N);
    expect(report.byError).toEqual([
      {
        error: expect.stringMatching(/^DeliveryError: .*not delivered to target "flaky".*500/),
        messages: before,
        records: N,
      },
    ]);
    expect(report.leftInPlace).toBe(before);
    expect(pipeline().receiver.received('/flaky')).toHaveLength(0);
    // Released at once, not hidden for the visibility timeout.
    const visible = await pipeline()
      .clients.get(SQSClient)
      .send(new ReceiveMessageCommand({ QueueUrl: dlq.flaky, VisibilityTimeout: 0 }));
    expect(visible.Messages).toHaveLength(1);
    expect(await depthOf(pipeline(), dlq.flaky)).toBe(before);
  });

  it('once fixed, delivers every record exactly once and empties the DLQ; a second replay delivers nothing twice', async () => {
    const snapshot = await peekBodies(pipeline(), dlq.flaky);
    pipeline().receiver.behave('/flaky', undefined);
    const report = await replay();
    expect(report.messages.replayed).toBe(snapshot.length);
    expect(report.records.replayed).toBe(N);
    expect(report.leftInPlace).toBe(0);
    await waitFor(async () => bodies('/flaky').length >= N, 30_000, 'replayed deliveries');
    await pipeline().runtime.idle(pipeline().names.workerFunction('flaky'));
    expect(bodies('/flaky')).toEqual(expected);
    expect(keys('/flaky').size).toBe(N);
    expect(await depthOf(pipeline(), dlq.flaky)).toBe(0);

    // The same DLQ messages again (as if the first replay had not deleted them): the keys travel in the envelopes.
    await putMessages(pipeline(), dlq.flaky, snapshot);
    const again = await replay({ wait: true });
    expect(again.messages.replayed).toBe(snapshot.length);
    expect(again.records).toMatchObject({ replayed: N, delivered: 0, skipped: N });
    expect(bodies('/flaky')).toEqual(expected);
    expect(await depthOf(pipeline(), dlq.flaky)).toBe(0);
  });

  it('leaves a corrupt message in place, and moves it to a quarantine queue with --quarantine', async () => {
    // --filter on the error keeps this independent of anything else in the DLQ.
    const unparseable = /^unparseable/;
    const before = await depthOf(pipeline(), dlq.flaky);
    await putMessages(pipeline(), dlq.flaky, ['not json at all', encodeEnvelope(envelopeFactory('hook'))]);
    const report = await replay({ filter: unparseable });
    expect(report.messages.unparseable).toBe(2);
    expect(report.problems.map((p) => p.reason).sort()).toEqual([
      'body is not JSON (15 characters)',
      'envelope for target "hook", not "flaky"',
    ]);
    expect(await depthOf(pipeline(), dlq.flaky)).toBe(before + 2);

    const quarantine = `${pipeline().names.targetDlq('flaky')}-quarantine`;
    const moved = await replay({ quarantine, filter: unparseable });
    expect(moved.messages.quarantined).toBe(2);
    expect(await depthOf(pipeline(), dlq.flaky)).toBe(before);
    const sqs = pipeline().clients.get(SQSClient);
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: await queueUrlOf(sqs, quarantine),
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
      }),
    );
    expect(
      out.Messages?.map((m) => [m.Body, m.MessageAttributes?.FanoutQuarantinedFrom?.StringValue]).sort(),
    ).toEqual([
      ['not json at all', 'fanout-local-flaky-dlq'],
      [encodeEnvelope(envelopeFactory('hook')), 'fanout-local-flaky-dlq'],
    ]);
  });

  it('replays a via: queue target through its queue; Ctrl-C stops taking messages and deletes only what was handed off', async () => {
    const envelopes = [100, 200, 300].map((first) => encodeEnvelope(envelopeFactory('hook', 2, first)));
    await putMessages(pipeline(), dlq.hook, envelopes);
    const stop = new AbortController();
    const first = await replayDlq(
      {
        config,
        names: pipeline().names,
        target: hook,
        dryRun: false,
        wait: false,
        concurrency: 1,
        // Ctrl-C right after the first message was handled.
        onMessage: () => stop.abort(),
        signal: stop.signal,
      },
      replayDeps(pipeline()),
    );
    expect(first.interrupted).toBe(true);
    expect(first.messages.replayed).toBe(1);
    expect(first.messages.replayed + first.messages.interrupted).toBeLessThanOrEqual(3);
    expect(await depthOf(pipeline(), dlq.hook)).toBe(2);

    const rest = await replayDlq(
      { config, names: pipeline().names, target: hook, dryRun: false, wait: false },
      replayDeps(pipeline()),
    );
    expect(rest).toMatchObject({ interrupted: false, messages: { replayed: 2 }, leftInPlace: 0 });
    await waitFor(async () => bodies('/hook').length >= N + 6, 30_000, 'hook replays');
    const replayed = pipeline()
      .receiver.received('/hook')
      .slice(N)
      .map((r) => r.body.toString())
      .sort();
    expect(replayed).toEqual([100, 101, 200, 201, 300, 301].map((i) => `{"log":"Record ${i}"}`).sort());
    expect(await depthOf(pipeline(), dlq.hook)).toBe(0);
  });

  it('replays an oversize notice: stored by the claim check (on by default), or once the limit fits; kept when gone or still too large', async () => {
    // A 2 KB record hook's filter does not take: hook never got it, the notice in its DLQ stands for it.
    const big = `{"big":"${'x'.repeat(2_000)}"}`;
    const { SequenceNumber: seq = '' } = await pipeline()
      .clients.get(KinesisClient)
      .send(new PutRecordCommand({ StreamName: 'input', PartitionKey: 'big', Data: Buffer.from(big) }));
    const gone = '49599999999999999999999999999999999999999999999999999999';
    await putMessages(pipeline(), dlq.hook, [
      JSON.stringify(oversizeNoticeFactory('hook', seq)),
      JSON.stringify(oversizeNoticeFactory('hook', gone)),
    ]);
    const run = (input: Record<string, unknown>, options: { dryRun?: boolean; wait?: boolean } = {}) => {
      const c = parseConfig({ ...config, dispatcher: { queueMessageLimit: 1024 }, ...input });
      return replayDlq(
        {
          config: c,
          names: pipeline().names,
          target: findTarget(c, 'hook'),
          dryRun: options.dryRun ?? false,
          wait: options.wait ?? false,
        },
        replayDeps(pipeline()),
      );
    };

    // The claim check off and the limit still 1 KiB: both stay, with the reason.
    const kept = await run({ claimCheck: false });
    expect(kept.messages['not-replayable']).toBe(2);
    expect(kept.problems.map((p) => p.reason).sort()).toEqual([
      expect.stringMatching(/^not replayable: exceeds hand-off limit .*the claim check is off/),
      expect.stringMatching(/^not replayable: record 4959+ is no longer in input/),
    ]);
    // The limit raised (1 MiB), the claim check off: it fits again.
    const raised = await run({ claimCheck: false, dispatcher: {} }, { dryRun: true });
    expect(raised.messages).toMatchObject({ 'would-replay': 1, 'not-replayable': 1 });

    // The claim check on (the default) and the limit still 1 KiB: stored in S3, handed off as a pointer, and
    // the worker reads it back and delivers it.
    const report = await run({}, { wait: true });
    expect(report.messages).toMatchObject({ replayed: 1, 'not-replayable': 1 });
    expect(report.records).toMatchObject({ replayed: 1, delivered: 1, skipped: 0 });
    expect(bodies('/hook').filter((b) => b === big)).toHaveLength(1);
    expect(await depthOf(pipeline(), dlq.hook)).toBe(1);

    // The same notice again: nothing is delivered twice.
    await putMessages(pipeline(), dlq.hook, [JSON.stringify(oversizeNoticeFactory('hook', seq))]);
    const again = await run({}, { wait: true });
    expect(again.records).toMatchObject({ replayed: 1, delivered: 0, skipped: 1 });
    expect(bodies('/hook').filter((b) => b === big)).toHaveLength(1);
  });
});
