import { type Command, InvalidArgumentError, Option } from 'commander';

/** Converts an option's value or throws; `flag` (the option's long flag) names the option in the error. */
export type ValueCheck<T> = (value: string, flag: string) => T;

/** An integer within [min, max]. */
export const integer =
  (min: number, max: number): ValueCheck<number> =>
  (value, flag) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${flag} must be an integer from ${min} to ${max}, got "${value}"`);
    }
    return n;
  };

/** A number of at least `min`. */
export const atLeast =
  (min: number): ValueCheck<number> =>
  (value, flag) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min)
      throw new InvalidArgumentError(`${flag} must be a number >= ${min}, got "${value}"`);
    return n;
  };

/** What a parser that throws RangeError (lib/operate/parse.ts) returns. */
export const parsedBy =
  <T>(parse: (value: string) => T): ValueCheck<T> =>
  (value, flag) => {
    try {
      return parse(value);
    } catch (error) {
      throw new InvalidArgumentError(`${flag}: ${(error as Error).message}`);
    }
  };

/**
 * An option whose value `check` converts, for `command.addOption`. The flag is written once, in `flags`: the
 * check's error names the option by it, so the message cannot drift from the option it is about.
 */
export function checkedOption<T>(
  flags: string,
  description: string,
  check: ValueCheck<T>,
  defaultValue?: T,
): Option {
  const option = new Option(flags, description);
  const flag = option.long ?? option.short ?? flags;
  option.argParser((value: string) => check(value, flag));
  return defaultValue === undefined ? option : option.default(defaultValue);
}

/** `--local`, `--region`, `--profile`, `--stage`: where a command talks to (see lib/cli/session.ts). */
export const awsOptions = (command: Command): Command =>
  command
    .option('--local', 'talk to local mode (default when `fanout local` is running here)')
    .option('--region <region>', 'AWS region (talk to AWS)')
    .option('--profile <profile>', 'AWS profile (talk to AWS)')
    .option('--stage <stage>', 'deployment stage', 'dev');

/** `-c, --config <file>`. */
export const configOption = (command: Command): Command =>
  command.option('-c, --config <file>', 'configuration file (default: $FANOUT_CONFIG or ./fanout.yml)');
