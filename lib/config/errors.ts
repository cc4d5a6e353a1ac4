import { defineError } from '../errors.js';

/** One problem in a configuration file: where, what was there, what is allowed. */
export interface ConfigProblem {
  /** Path in the file, e.g. `targets[2].via`. */
  path: string;
  message: string;
}

/** A configuration that cannot be used; lists every problem at once. */
export class ConfigError extends defineError('ConfigError', 'CONFIG_INVALID') {
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
    options?: ErrorOptions,
  ) {
    super(
      `${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n${problems
        .map((p) => `  - ${p.path ? `${p.path}: ` : ''}${p.message}`)
        .join('\n')}`,
      options,
    );
  }
}
