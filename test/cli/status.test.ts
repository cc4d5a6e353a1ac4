import { describe, expect, it } from 'vitest';
import { statusOutput } from '../../lib/cli/status.js';
import type { AwsPipelineStatus, PipelineStatus } from '../../lib/operate/status/types.js';
import { targetStatusFactory } from '../operate/factories.js';

const AT = '2026-01-01T00:00:00.000Z';
const CLEAR = '\x1b[H\x1b[2J';

const local: PipelineStatus = {
  mode: 'local',
  at: AT,
  source: { stream: 'input', recordsIn: 60, iteratorAgeMs: 0, failureQueueMessages: 0 },
  targets: [targetStatusFactory('webhook')],
};

const aws: AwsPipelineStatus = {
  mode: 'aws',
  at: AT,
  stage: 'prod',
  region: 'eu-west-1',
  windowMinutes: 15,
  source: {
    stream: 'input',
    iteratorAgeMs: 1_200,
    getRecordsIteratorAgeMs: null,
    dispatcherErrors: 0,
    dispatcherThrottles: 0,
    failureQueueMessages: 1,
  },
  targets: [
    {
      name: 'audit',
      type: 'sqs',
      via: 'queue',
      enabled: true,
      concurrency: { configured: 4, live: 4, setting: 'maximum concurrency' },
      queueMessages: 7,
      dlqMessages: 3,
      dlqMessagesInFlight: 0,
      dlqOldestAgeSeconds: 60,
      invocations: 9,
      errors: 1,
      throttles: 0,
    },
  ],
  dashboard: { name: 'fanout-prod', url: 'https://example.com/dashboard' },
  problems: [],
};

describe('what fanout status prints per reading', () => {
  it('with --watch into a file or a CI log: one line per refresh, with the time of the reading', () => {
    expect(statusOutput(local, { json: false, watch: 2 }, false)).toBe(
      `${AT} source input: 60 in | webhook: 10 delivered, 0 in flight, 50 in DLQ`,
    );
    expect(statusOutput(aws, { json: false, watch: 2 }, false)).toBe(
      `${AT} source input: iterator age 1.2 s, 1 failed batch(es) | audit: 7 queued, 3 DLQ msgs, 1 errors, 0 throttles`,
    );
  });

  it('with --watch on a terminal: the whole table, in place of the last one', () => {
    for (const status of [local, aws]) {
      const text = statusOutput(status, { json: false, watch: 2 }, true);
      expect(text.startsWith(CLEAR)).toBe(true);
      expect(text).toContain('┌');
      expect(text.split('\n').length).toBeGreaterThan(3);
    }
  });

  it('once: the table, without clearing the screen, wherever it goes; --json: the reading as JSON', () => {
    for (const tty of [true, false]) {
      const text = statusOutput(aws, { json: false, watch: 0 }, tty);
      expect(text).not.toContain(CLEAR);
      expect(text).toContain('DLQ msgs');
      expect(JSON.parse(statusOutput(local, { json: true, watch: 2 }, tty))).toEqual(local);
    }
  });
});
