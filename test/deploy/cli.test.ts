/** `serverless package` on a config that cannot be deployed: it stops before bundling and names the field. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture, isolatedServiceDir, runServerless } from './support.js';

const tmp = mkdtempSync(join(tmpdir(), 'fanout-deploy-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('a config that cannot be deployed', () => {
  it('stops `serverless package` before bundling, naming the field', async () => {
    const dir = join(tmp, 'bad');
    const { code, output } = await runServerless(
      ['package', '--stage', 'test', '--package', dir],
      fixture('bad-queue-to-stream.yml'),
      isolatedServiceDir(join(tmp, 'service')),
    );
    expect(code).not.toBe(0);
    // Once, not once per serverless.yml variable that reads the generator.
    expect(output.split('targets[0].destination').length - 1).toBe(1);
    expect(output).toContain('is an ARN of kinesis, but an sqs target needs an ARN of sqs');
    expect(existsSync(dir)).toBe(false);
  });
});
