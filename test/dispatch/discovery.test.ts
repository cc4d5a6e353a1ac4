/** A discovered target on the dispatcher side: one set of envelopes per stream, each naming its stream. */
import { describe, expect, it } from 'vitest';
import {
  configFactory,
  contextFactory,
  kinesisEventFactory,
  sequenceNumber,
} from '../../harness/support/factories.js';
import { createDispatcher } from '../../lib/dispatch/index.js';
import { recordingTelemetry } from '../../lib/observability/index.js';
import type { StreamDiscovery } from '../../lib/targets/discovery.js';
import { DiscoveryError } from '../../lib/targets/errors.js';
import { FakeHandoff, names } from './support.js';

function dispatcher(discovery: StreamDiscovery, discover: Record<string, unknown> = {}) {
  const handoff = new FakeHandoff();
  const telemetry = recordingTelemetry();
  const dispatch = createDispatcher({
    config: configFactory({
      targets: [{ name: 'archive', type: 'kinesis', destination: 'archive', ordered: false }],
      discover: { kinesisStreamPrefix: 'app-output-', ordered: false, ...discover },
    }),
    names,
    handoff,
    telemetry,
    discovery,
    sleep: async () => {},
  });
  return { handoff, telemetry, run: (n = 5) => dispatch(kinesisEventFactory(n), contextFactory()) };
}

const fixed = (names: string[], stale?: string): StreamDiscovery => ({
  streams: async () => ({ names, ...(stale ? { stale } : {}) }),
});

describe('dispatcher with discover', () => {
  it('hands the discovered target’s records to its one worker once per stream, naming the stream', async () => {
    const { handoff, run } = dispatcher(fixed(['app-output-a', 'app-output-b']));
    expect(await run()).toEqual({ batchItemFailures: [] });
    const discovered = handoff.invokes.filter((i) => i.envelope.target === 'discovered');
    expect(discovered.map((i) => [i.functionName, i.envelope.dest])).toEqual([
      ['fanout-test-discovered-worker', 'app-output-a'],
      ['fanout-test-discovered-worker', 'app-output-b'],
    ]);
    for (const { envelope } of discovered) {
      expect(envelope.records.map((r) => r.seq)).toEqual(
        Array.from({ length: 5 }, (_, i) => sequenceNumber(i)),
      );
    }
    const archive = handoff.invokes.filter((i) => i.envelope.target === 'archive');
    expect(archive.map((i) => i.envelope.dest)).toEqual([undefined]);
  });

  it('applies the discover filter, and hands nothing when no stream matches yet', async () => {
    const filtered = dispatcher(fixed(['app-output-a']), { filter: { log: [{ prefix: 'Record 3' }] } });
    await filtered.run();
    const records = filtered.handoff.invokes
      .filter((i) => i.envelope.target === 'discovered')
      .flatMap((i) => i.envelope.records);
    expect(records.map((r) => r.seq)).toEqual([sequenceNumber(3)]);

    const none = dispatcher(fixed([]));
    expect(await none.run()).toEqual({ batchItemFailures: [] });
    expect(none.handoff.invokes.map((i) => i.envelope.target)).toEqual(['archive']);
  });

  it('checkpoints at the first record when no stream list can be had, and still serves the other targets', async () => {
    const failing: StreamDiscovery = {
      streams: async () => {
        throw new DiscoveryError('ListStreams: LimitExceededException: Rate exceeded');
      },
    };
    const { handoff, telemetry, run } = dispatcher(failing);
    expect(await run()).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceNumber(0) }] });
    expect(handoff.invokes.map((i) => i.envelope.target)).toEqual(['archive']);
    expect(telemetry.logs.find((l) => l.level === 'error')?.message).toMatch(/stream discovery failed/);
  });

  it('warns when it delivers with a list it could not refresh', async () => {
    const { telemetry, run } = dispatcher(fixed(['app-output-a'], 'ListStreams: AccessDenied'));
    await run();
    expect(telemetry.logs.find((l) => l.level === 'warn')).toMatchObject({
      message: 'stream discovery could not refresh: using the last list',
      details: { reason: 'ListStreams: AccessDenied' },
    });
  });

  it('refuses to start without a discovery when the config has discover', () => {
    expect(() =>
      createDispatcher({
        config: configFactory({ discover: { kinesisStreamPrefix: 'app-output-' } }),
        names,
        handoff: new FakeHandoff(),
        telemetry: recordingTelemetry(),
      }),
    ).toThrow(/needs a stream discovery/);
  });
});
