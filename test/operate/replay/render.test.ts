import { describe, expect, it } from 'vitest';
import { renderReplayReport } from '../../../lib/operate/replay/render.js';
import { MESSAGE_OUTCOMES, type ReplayReport } from '../../../lib/operate/replay/report.js';

const dryRun = (error: string): ReplayReport => ({
  target: 'output1',
  via: 'invoke',
  dlq: 'fanout-local-output1-dlq',
  dryRun: true,
  wait: false,
  interrupted: false,
  messages: {
    ...Object.fromEntries(MESSAGE_OUTCOMES.map((o) => [o, 0])),
    'would-replay': 2,
  } as ReplayReport['messages'],
  leftInPlace: 2,
  records: { replayed: 0, wouldReplay: 100, delivered: null, skipped: null, failed: 0 },
  byError: [{ error, messages: 2, records: 100 }],
  problems: [],
});

/** The table's text without its borders and line breaks: what a reader can piece together. */
const readable = (text: string): string => text.replace(/[│┌┐└┘├┤┬┴┼─\s]/g, '');

describe('renderReplayReport', () => {
  it('wraps a long error over several lines instead of cutting off the part that says what to do', () => {
    const error =
      'DeliveryError: 50 record(s) not delivered to target "output1" (0 delivered): PutRecords: ResourceNotFoundException: Stream output1 under account 000000000000 not found.';
    const text = renderReplayReport(dryRun(error), 60);
    expect(readable(text)).toContain(readable(error));
    expect(text).not.toContain('...');
    // Wrapped: no line of the table is wider than the columns asked for.
    const errorTable = text.slice(text.indexOf('By error')).split('\n').slice(1);
    expect(errorTable.length).toBeGreaterThan(4);
    expect(Math.max(...errorTable.map((line) => line.length))).toBeLessThanOrEqual(10 + 9 + 62 + 4);
  });

  it('shows the first 1,000 characters of a huge error (an HTML error page quoted in full)', () => {
    const error = `DeliveryError: HTTP 500: ${'<div>'.repeat(1_000)}`;
    const text = renderReplayReport(dryRun(error), 100);
    expect(readable(text)).toContain(readable(error.slice(0, 997)));
    expect(readable(text)).not.toContain(readable(error.slice(0, 1_001)));
  });
});
