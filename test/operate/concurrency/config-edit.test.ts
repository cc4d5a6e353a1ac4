import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../lib/config/load.js';
import {
  checkConcurrency,
  lineDiff,
  setTargetConcurrency,
} from '../../../lib/operate/concurrency/config-edit.js';

const example = readFileSync(new URL('../../../fanout.yml', import.meta.url), 'utf8');

/** Lines of `after` that differ from `before` (same line count expected). */
const changedLines = (before: string, after: string): Array<[string, string]> => {
  const a = before.split('\n');
  const b = after.split('\n');
  expect(b).toHaveLength(a.length);
  return a.flatMap((line, i) => (line === b[i] ? [] : [[line, b[i] as string] as [string, string]]));
};

describe('setTargetConcurrency', () => {
  it('changes only the value in fanout.yml: every comment and blank line stays where it was', () => {
    const edit = setTargetConcurrency(example, 'output2', 9);
    expect(edit.inPlace).toBe(true);
    expect(edit.previous).toBe(5);
    expect(changedLines(example, edit.after)).toEqual([['    concurrency: 5', '    concurrency: 9']]);
    expect(parseConfigText(edit.after).targets.find((t) => t.name === 'output2')?.concurrency).toBe(9);
    // Comments between sections are indented as written (re-serializing with yaml's toString would not keep them).
    expect(edit.after).toContain(
      "\n# The dispatcher function: packs records into envelopes and hands them to each target's worker.\n",
    );
  });

  it('keeps a comment on the same line as the value', () => {
    const text =
      'source: {stream: input}\ntargets:\n  - name: a\n    type: kinesis\n    destination: out\n    concurrency: 3 # peak hours\n';
    expect(setTargetConcurrency(text, 'a', 12).after).toContain('    concurrency: 12 # peak hours\n');
  });

  it('adds the field after via: when the file relies on the default, at the same indentation', () => {
    const text =
      'source: {stream: input}\ntargets:\n  - name: a\n    type: sqs\n    destination: q\n    via: queue # hand-off\n    retries: 4\n';
    const edit = setTargetConcurrency(text, 'a', 7);
    expect(edit.previous).toBe(5);
    expect(edit.inPlace).toBe(true);
    expect(edit.after).toBe(
      'source: {stream: input}\ntargets:\n  - name: a\n    type: sqs\n    destination: q\n    via: queue # hand-off\n    concurrency: 7\n    retries: 4\n',
    );
  });

  it('edits a flow mapping in place', () => {
    const text =
      'source: {stream: input}\ntargets:\n  - {name: a, type: kinesis, destination: out}   # the only one\n';
    const edit = setTargetConcurrency(text, 'a', 4);
    expect(edit.after).toBe(
      'source: {stream: input}\ntargets:\n  - {name: a, type: kinesis, destination: out, concurrency: 4}   # the only one\n',
    );
  });

  it('rejects impossible values with the range of the hand-off mode', () => {
    expect(() => setTargetConcurrency(example, 'audit', 1)).toThrow(
      'concurrency of target "audit" (via: queue, the SQS event source mapping\'s maximum concurrency) must be an integer from 2 to 1000, got 1',
    );
    expect(() => setTargetConcurrency(example, 'webhook', 0)).toThrow(
      /via: invoke, reserved concurrency\) must be an integer from 1 to 1000, got 0/,
    );
    expect(() => setTargetConcurrency(example, 'webhook', 1001)).toThrow(/from 1 to 1000, got 1001/);
    expect(() => checkConcurrency({ name: 'x', via: 'invoke' }, 2.5)).toThrow(/an integer/);
  });

  it('names the known targets for an unknown one', () => {
    expect(() => setTargetConcurrency(example, 'nope', 3)).toThrow(
      'unknown target "nope"; the targets of this configuration are: output1, output2, audit, webhook',
    );
  });
});

describe('lineDiff', () => {
  it('shows the changed line with two lines of context and line numbers', () => {
    const before = 'a\nb\nc\nd\ne\nf\n';
    const after = 'a\nb\nc\nD\ne\nf\n';
    expect(lineDiff(before, after, 'f.yml')).toBe(
      ['--- f.yml', '+++ f.yml', '@@ -2,5 +2,5 @@', ' b', ' c', '-d', '+D', ' e', ' f'].join('\n'),
    );
  });

  it('shows an added line, and nothing for equal texts', () => {
    expect(lineDiff('a\nb\n', 'a\nx\nb\n')).toContain('\n a\n+x\n b');
    expect(lineDiff('same\n', 'same\n')).toBe('');
  });
});
