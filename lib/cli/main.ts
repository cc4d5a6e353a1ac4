import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { registerConcurrency } from './concurrency.js';
import { registerDestroy } from './destroy.js';
import { registerLocal } from './local.js';
import { registerProduce } from './produce.js';
import { registerReplay } from './replay.js';
import { explainNothingToTalkTo } from './session.js';
import { registerStatus } from './status.js';
import { registerTail } from './tail.js';
import { type CommandIo, registerValidate } from './validate.js';

const defaultIo: CommandIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/**
 * Builds the `fanout` program; each command sets the exit code through `setExitCode`. Each command's file
 * registers it (options, help, action); they are listed here in the order `fanout --help` shows them.
 */
export function buildProgram(io: CommandIo, setExitCode: (code: number) => void): Command {
  const program = new Command('fanout')
    .description('Fan out one Kinesis stream to many targets.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  registerValidate(program, io, setExitCode);
  registerLocal(program, io, setExitCode);
  registerProduce(program, io);
  registerTail(program, io);
  registerStatus(program, io, setExitCode);
  registerReplay(program, io, setExitCode);
  registerConcurrency(program, io, setExitCode);
  registerDestroy(program, io, setExitCode);
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
    // Before CommanderError, which it extends: thrown by an action (a usage error found late), commander has
    // not printed it.
    if (error instanceof InvalidArgumentError) {
      io.err(`fanout: ${error.message}`);
      return 2;
    }
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    io.err(`fanout: ${explainNothingToTalkTo(error) ?? (error as Error).message}`);
    return 1;
  }
  return code;
}
