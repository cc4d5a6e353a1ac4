import { type Command, InvalidArgumentError } from 'commander';

/** Parses an integer option within [min, max], naming the option and the range when it is not. */
export function intOption(name: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}, got "${value}"`);
    }
    return n;
  };
}

/** Parses a number option of at least `min`. */
export function numberOption(name: string, min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min)
      throw new InvalidArgumentError(`${name} must be a number >= ${min}, got "${value}"`);
    return n;
  };
}

/** Wraps a parser that throws RangeError (lib/operate/parse.ts) as a commander option parser. */
export function parsedOption<T>(name: string, parse: (value: string) => T): (value: string) => T {
  return (value) => {
    try {
      return parse(value);
    } catch (error) {
      throw new InvalidArgumentError(`${name}: ${(error as Error).message}`);
    }
  };
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
