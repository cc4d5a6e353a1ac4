/** `fanout concurrency` on the file (no --apply): the diff, comments kept, impossible values refused. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../lib/cli/main.js';
import { CONFIG_YML, captureIo, folderWith } from './support.js';

const run = async (...args: string[]) => {
  const file = join(folderWith({ 'fanout.yml': CONFIG_YML }), 'fanout.yml');
  const c = captureIo();
  const code = await main(['node', 'fanout', 'concurrency', ...args, '-c', file], c.io);
  return { code, out: c.out.join('\n'), err: c.err.join('\n'), after: readFileSync(file, 'utf8'), file };
};

describe('fanout concurrency', () => {
  it('writes the new value, shows the diff, and keeps comments and layout', async () => {
    const { code, out, after, file } = await run('webhook', '4');
    expect(code).toBe(0);
    expect(out).toContain('-    concurrency: 2 # peak hours: 4\n+    concurrency: 4 # peak hours: 4');
    expect(out).toContain(`wrote ${file}; the live setting changes at the next deploy, or now with --apply`);
    expect(after).toBe(CONFIG_YML.replace('concurrency: 2 # peak', 'concurrency: 4 # peak'));
  });

  it('adds the field to a target that relied on the default', async () => {
    const { code, after } = await run('audit', '12');
    expect(code).toBe(0);
    expect(after).toBe(
      CONFIG_YML.replace('    via: queue # batched\n', '    via: queue # batched\n    concurrency: 12\n'),
    );
  });

  it('shows the change and writes nothing with --dry-run', async () => {
    const { code, out, after } = await run('webhook', '9', '--dry-run');
    expect(code).toBe(0);
    expect(out).toContain('+    concurrency: 9 # peak hours: 4');
    expect(out).toContain('dry run: nothing written or applied');
    expect(after).toBe(CONFIG_YML);
  });

  it.each([
    [
      ['audit', '1'],
      'concurrency of target "audit" (via: queue, the SQS event source mapping\'s maximum concurrency) must be an integer from 2 to 1000, got 1',
    ],
    [['webhook', '0'], 'must be an integer from 1 to 1000, got 0'],
    [['webhook', '5000'], 'must be an integer from 1 to 1000, got 5000'],
    [['webhook', 'many'], '<n> must be an integer, got "many"'],
    [['webhok', '3'], 'unknown target "webhok"; the targets of this configuration are: webhook, audit'],
  ])('refuses %j with exit code 2 and leaves the file alone', async (args, message) => {
    const { code, err, after } = await run(...args);
    expect(code).toBe(2);
    expect(err).toContain(message);
    expect(after).toBe(CONFIG_YML);
  });
});
