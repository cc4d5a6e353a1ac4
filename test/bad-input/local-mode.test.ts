/**
 * Local-mode mistakes a newcomer makes, through `main()` as the `fanout` bin runs them, each in a folder of its
 * own (docs/bad-input.md M1-M4). The cases that need local mode running (a second start, an unknown target for
 * `fanout local fail`) are in test/cli/local-process.test.ts and test/local/operator.test.ts.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../lib/cli/main.js';
import { localTargetLimit, thisMachine } from '../../lib/local/capacity.js';
import { type Emulator, startEmulator } from '../../lib/local/emulators.js';
import { writeLocalEnv } from '../../lib/local/env-file.js';
import { folderWith } from '../cli/support.js';

const home = process.cwd();
const saved = { ...process.env };
afterEach(() => {
  process.chdir(home);
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
});

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['node', 'fanout', ...args], { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('local mode: bad input', () => {
  it('M1 `fanout produce` with local mode not running and no AWS region: says both, and how to do either', async () => {
    process.chdir(folderWith({}));
    for (const key of ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE']) delete process.env[key];
    process.env.AWS_CONFIG_FILE = join(process.cwd(), 'no-such-config');
    process.env.AWS_SHARED_CREDENTIALS_FILE = join(process.cwd(), 'no-such-credentials');
    const { code, err } = await run('produce', '--count', '1');
    expect(code).toBe(1);
    expect(err).toContain('local mode is not running in this folder');
    expect(err).toContain('AWS is not configured (no region)');
    expect(err).toContain('`npm start`');
    expect(err).toContain('--region <region>');
    expect(err).not.toContain('Region is missing');
  });

  it('M2 more targets than this machine can run: refused before anything starts, naming the limit', async () => {
    const { limit } = localTargetLimit(thisMachine());
    const targets = Array.from(
      { length: limit + 1 },
      (_, i) => `  - { name: t${i}, type: kinesis, destination: out${i} }`,
    );
    const dir = folderWith({ 'fanout.yml': `source:\n  stream: input\ntargets:\n${targets.join('\n')}\n` });
    process.chdir(dir);
    const { code, err } = await run('local', '--no-demo', '--refresh', '0');
    expect(code).toBe(1);
    expect(err).toContain(`local mode can run at most ${limit} targets on this machine`);
    expect(err).toContain(`the configuration has ${limit + 1} to run`);
    expect(err).toContain('enabled: false');
    // Nothing was started or left behind.
    expect(err).not.toContain('local mode is running');
    expect(existsSync(join(dir, '.fanout/local.lock'))).toBe(false);
    expect(existsSync(join(dir, '.fanout/local.env'))).toBe(false);
  });

  describe('against a local kinesalite', () => {
    let kinesalite: Emulator;
    beforeAll(async () => {
      kinesalite = await startEmulator('kinesis');
      const kinesis = new KinesisClient({
        endpoint: kinesalite.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        requestHandler: new NodeHttpHandler(),
      });
      await kinesis.send(new CreateStreamCommand({ StreamName: 'input', ShardCount: 1 }));
      while (
        (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'input' })))
          .StreamDescriptionSummary?.StreamStatus !== 'ACTIVE'
      );
    }, 30_000);
    afterAll(async () => {
      await kinesalite?.stop();
    });

    it("M3 a 2 MB record: refused with local mode's 1 MiB record limit named, not Java validation words", async () => {
      const dir = folderWith({});
      mkdirSync(join(dir, '.fanout'));
      writeLocalEnv(
        {
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'local',
          AWS_SECRET_ACCESS_KEY: 'local',
          AWS_ENDPOINT_URL_KINESIS: kinesalite.endpoint,
          FANOUT_LOCAL_PID: String(process.pid),
        },
        join(dir, '.fanout/local.env'),
      );
      process.chdir(dir);
      const { code, err } = await run('produce', '--count', '1', '--template', 'x'.repeat(2 * 1024 * 1024));
      expect(code).toBe(1);
      expect(err).toContain("of 2097152 bytes is over local mode's record limit of 1048576 bytes (1 MiB)");
      expect(err).toContain('10 MiB needs a stream that opts in');
      expect(err).not.toContain('HeapByteBuffer');
    }, 30_000);
  });
});
