import { describe, expect, it } from 'vitest';
import { renderEmulators, renderStatus, renderStatusLine } from '../../../lib/operate/status/render.js';
import type { PipelineStatus } from '../../../lib/operate/status/types.js';
import { targetStatusFactory } from '../factories.js';

const status = (overrides: Partial<PipelineStatus> = {}): PipelineStatus => ({
  mode: 'local',
  at: '2026-01-01T00:00:00.000Z',
  source: { stream: 'input', recordsIn: 60, iteratorAgeMs: 0, failureQueueMessages: 0 },
  targets: [
    targetStatusFactory('webhook', { failing: 'HTTP 503' }),
    targetStatusFactory('lake', { disabled: 'no local Firehose emulator' }),
  ],
  emulators: [
    { kind: 'kinesis', program: 'kinesalite', pid: 1, port: 4001, state: 'running', restarts: 0 },
    { kind: 'sqs', program: 'fauxqs', pid: 2, port: 4002, state: 'running', restarts: 0 },
    {
      kind: 'dynamodb',
      program: 'dynalite',
      pid: 3,
      port: 4003,
      state: 'restarting',
      restarts: 0,
      lastFailure: 'pid 9 killed by SIGKILL at 2026-01-01T00:00:00.000Z',
    },
  ],
  notices: [
    '2026-01-01T00:00:00.000Z dynalite (pid 9) was killed (SIGKILL): starting it again on the same port',
  ],
  ...overrides,
});

describe('the local status, rendered', () => {
  it('counts the DLQ in records with messages beside, and says which target fails on purpose', () => {
    const text = renderStatus(status());
    expect(text).toContain('in DLQ (msgs)');
    expect(text).toContain('50 (2 msg)');
    expect(text).toContain(
      'webhook is failing on purpose (HTTP 503): `fanout local fail webhook --recover` ends it',
    );
    expect(text).toContain('off: no local Firehose emulator');
  });

  it('names an emulator that is not running as started, with how it died, and the last notices', () => {
    const text = renderStatus(status());
    expect(text).toContain(
      'emulators: kinesalite RUNNING | fauxqs RUNNING | dynalite RESTARTING (pid 9 killed by SIGKILL',
    );
    expect(text).toContain('notices:\n  2026-01-01T00:00:00.000Z dynalite (pid 9) was killed (SIGKILL)');
    expect(renderEmulators(status().emulators?.map((e) => ({ ...e, state: 'running' as const })))).toBe(
      'emulators: kinesalite, fauxqs, dynalite running',
    );
  });

  it('fits on one line for a live view that is not a terminal', () => {
    const line = renderStatusLine(status());
    expect(line).not.toContain('\n');
    expect(line).toBe(
      'source input: 60 in | webhook (failing: HTTP 503): 10 delivered, 0 in flight, 50 in DLQ | emulators: dynalite restarting',
    );
  });
});
