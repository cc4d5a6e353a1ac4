import { Command, CommanderError } from 'commander';
import { type CommandIo, validateCommand } from './validate.js';

const defaultIo: CommandIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/** Builds the `fanout` program; each command sets the exit code through `setExitCode`. */
export function buildProgram(io: CommandIo, setExitCode: (code: number) => void): Command {
  const program = new Command('fanout')
    .description('Fan out one Kinesis stream to many targets.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });

  program
    .command('validate')
    .description('Check a configuration file and print every problem (exit code 1 if any).')
    .argument('[file]', 'configuration file (default: $FANOUT_CONFIG or ./fanout.yml)')
    .action((file: string | undefined) => setExitCode(validateCommand(file, io)));

  return program;
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[], io: CommandIo = defaultIo): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    io.err(`fanout: ${(error as Error).message}`);
    return 1;
  }
  return code;
}
