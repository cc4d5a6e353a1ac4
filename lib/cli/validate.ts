import type { Command } from 'commander';
import { ConfigError } from '../config/errors.js';
import { loadConfigFile } from '../config/load.js';
import { configWarnings, formatWarning } from '../config/warnings.js';

export interface CommandIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** `fanout validate [file]`: prints every problem of the file, exit code 1 if any. */
export function validateCommand(file: string | undefined, io: CommandIo): number {
  try {
    const config = loadConfigFile(file);
    for (const warning of configWarnings(config)) io.err(formatWarning(warning));
    const enabled = config.targets.filter((t) => t.enabled);
    io.out(
      `ok: source "${config.source.stream}", ${enabled.length} enabled target(s): ${enabled
        .map((t) => `${t.name} (${t.type} via ${t.via})`)
        .join(', ')}`,
    );
    return 0;
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(error.message);
      return 1;
    }
    throw error;
  }
}

/** Adds `fanout validate` to the program. */
export function registerValidate(program: Command, io: CommandIo, setExitCode: (code: number) => void): void {
  program
    .command('validate')
    .description('Check a configuration file and print every problem (exit code 1 if any).')
    .argument('[file]', 'configuration file (default: $FANOUT_CONFIG or ./fanout.yml)')
    .action((file: string | undefined) => setExitCode(validateCommand(file, io)));
}
