/**
 * Invalid CLI arguments, through `main()` as the `fanout` bin runs it: exit code 2, nothing started, and a
 * message that names the option and what it allows (docs/bad-input.md L1-L9). An unknown command and a bad
 * config file are in test/cli/validate.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { main } from '../../lib/cli/main.js';

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['node', 'fanout', ...args], {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('invalid fanout arguments', () => {
  it.each([
    ['L1 below the range', ['local', '--rate', '0'], '--rate', 'an integer from 1 to 100000', '0'],
    [
      'L1 below the range',
      ['local', '--port-base', '80'],
      '--port-base',
      'an integer from 1024 to 65529',
      '80',
    ],
    ['L2 above the range', ['status', '--watch', '99999'], '--watch', 'an integer from 1 to 3600', '99999'],
    [
      'L2 above the range',
      ['produce', '--count', '100000001'],
      '--count',
      'an integer from 1 to 100000000',
      '100000001',
    ],
    ['L3 not a number', ['local', '--rate', 'fast'], '--rate', 'an integer from 1 to 100000', 'fast'],
    ['L3 not a number', ['tail', 'q', '--idle', '5s'], '--idle', 'an integer from 1 to 86400', '5s'],
    ['L4 a fraction', ['local', '--refresh', '1.5'], '--refresh', 'an integer from 0 to 600000', '1.5'],
    ['L5 negative', ['tail', 'q', '--max', '-1'], '--max', 'an integer from 1 to 100000000', '-1'],
    ['L5 negative', ['produce', '--rate', '-5'], '--rate', 'an integer from 0 to 1000000', '-5'],
    ['L6 a number out of range', ['local', '--time-scale', '0'], '--time-scale', 'a number >= 0.0001', '0'],
  ])('%s: %j exits 2 naming the option, the range and the value', async (_, args, option, allowed, value) => {
    const { code, out, err } = await run(...args);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toContain(`${option} must be ${allowed}, got "${value}"`);
    expect(err).toMatch(new RegExp(`option '(-\\w, )?${option} `));
  });

  it('L7 a value outside a fixed set: exit 2, the allowed choices listed', async () => {
    const { code, err } = await run('tail', 'q', '--type', 'bucket');
    expect(code).toBe(2);
    expect(err).toBe(
      "error: option '--type <type>' argument 'bucket' is invalid. Allowed choices are stream, queue.",
    );
  });

  it('L8 a missing argument or option value: exit 2, named', async () => {
    expect(await run('tail')).toMatchObject({ code: 2, err: "error: missing required argument 'name'" });
    expect(await run('local', '--rate')).toMatchObject({
      code: 2,
      err: "error: option '--rate <n>' argument missing",
    });
  });

  it('L9 an unknown option, on a command or before any: exit 2, named', async () => {
    expect(await run('validate', '--frobnicate')).toMatchObject({
      code: 2,
      err: "error: unknown option '--frobnicate'",
    });
    expect(await run('--port-base', '4000')).toMatchObject({
      code: 2,
      err: "error: unknown option '--port-base'",
    });
  });
});
