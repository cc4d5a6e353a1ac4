import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { main } from '../../lib/cli/main.js';
import { tempDir } from '../support/temp-dir.js';

const run = promisify(execFile);
const dir = tempDir('fanout-validate-');
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const capture = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
};

describe('fanout validate', () => {
  it('prints a summary and exits 0 for a valid file', async () => {
    const path = file(
      'ok.yml',
      'source: {stream: input}\ntargets:\n  - {name: a, type: kinesis, destination: out}\n',
    );
    const c = capture();
    expect(await main(['node', 'fanout', 'validate', path], c.io)).toBe(0);
    // A kinesis target is ordered by default: its hand-off is its FIFO queue.
    expect(c.out.join('\n')).toBe('ok: source "input", 1 enabled target(s): a (kinesis via queue)');
  });

  it('prints every problem with its path and exits 1', async () => {
    const path = file(
      'bad.yml',
      'source: {stream: input}\ntargets:\n  - {name: a, type: kinesis, destination: out, via: bus}\n  - {name: a, type: mq, destination: x}\n',
    );
    const c = capture();
    expect(await main(['node', 'fanout', 'validate', path], c.io)).toBe(1);
    const text = c.err.join('\n');
    expect(text).toContain(`${path}: 3 problems`);
    expect(text).toContain('targets[0].via: "bus" is not allowed; expected one of "invoke", "queue"');
    expect(text).toContain('targets[1].type: "mq" is not allowed');
    expect(text).toContain('targets[1].name: duplicate target name "a"');
  });

  it('names a missing file', async () => {
    const c = capture();
    expect(await main(['node', 'fanout', 'validate', join(dir, 'nope.yml')], c.io)).toBe(1);
    expect(c.err.join('\n')).toMatch(/nope\.yml: 1 problem\n {2}- cannot read the file \(ENOENT/);
  });

  it('rejects an unknown command with exit code 2', async () => {
    const c = capture();
    expect(await main(['node', 'fanout', 'frobnicate'], c.io)).toBe(2);
    expect(c.err.join('\n')).toMatch(/unknown command 'frobnicate'/);
  });

  it('works as the package bin, reading FANOUT_CONFIG', async () => {
    const path = file(
      'env.yml',
      'source: {stream: input}\ntargets:\n  - {name: a, type: sqs, destination: q, via: queue, concurrency: 1}\n',
    );
    const error = (await run(process.execPath, ['bin/fanout.js', 'validate'], {
      env: { ...process.env, FANOUT_CONFIG: path },
    }).catch((e: unknown) => e)) as {
      code: number;
      stderr: string;
    };
    expect(error.code).toBe(1);
    expect(error.stderr).toContain(
      'targets[0].concurrency: is 1, but an SQS event source mapping needs 2-1000 (via: queue)',
    );
  });
});
