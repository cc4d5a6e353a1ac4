import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { atLeast, checkedOption, integer, parsedBy } from '../../lib/cli/options.js';

/** Parses `argv` with one checked option; returns the options, or the error commander printed. */
function parse(option: ReturnType<typeof checkedOption>, argv: string[]): Record<string, unknown> | string {
  let printed = '';
  const command = new Command('t')
    .exitOverride()
    .configureOutput({ writeErr: (text) => (printed += text) })
    .addOption(option);
  try {
    command.parse(argv, { from: 'user' });
    return command.opts();
  } catch {
    return printed.trim();
  }
}

describe('checkedOption', () => {
  it('converts the value and keeps the default when the option is not given', () => {
    const option = () => checkedOption('--rate <n>', 'per second', integer(1, 100), 20);
    expect(parse(option(), ['--rate', '7'])).toEqual({ rate: 7 });
    expect(parse(option(), [])).toEqual({ rate: 20 });
  });

  it('names the option by its long flag, written once, in the error', () => {
    expect(parse(checkedOption('-n, --max <n>', 'at most', integer(1, 10)), ['-n', '11'])).toBe(
      `error: option '-n, --max <n>' argument '11' is invalid. --max must be an integer from 1 to 10, got "11"`,
    );
    expect(parse(checkedOption('--scale <f>', 'factor', atLeast(0.5)), ['--scale', '0.1'])).toContain(
      '--scale must be a number >= 0.5, got "0.1"',
    );
  });

  it("prefixes a parser's own message with the flag", () => {
    const positive = parsedBy((value) => {
      if (!(Number(value) > 0)) throw new RangeError(`"${value}" is not positive`);
      return Number(value);
    });
    expect(parse(checkedOption('--wait <s>', 'seconds', positive), ['--wait', '-1'])).toContain(
      '--wait: "-1" is not positive',
    );
    expect(parse(checkedOption('--wait <s>', 'seconds', positive), ['--wait', '3'])).toEqual({ wait: 3 });
  });

  it('refuses what is not an integer', () => {
    expect(parse(checkedOption('--n <n>', 'count', integer(0, 5)), ['--n', '2.5'])).toContain(
      '--n must be an integer from 0 to 5, got "2.5"',
    );
  });
});
