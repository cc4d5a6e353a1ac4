import { resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { fileSizeProblem, readBounded } from './bounds.js';
import { ConfigError } from './errors.js';
import { parseConfig } from './parse.js';
import type { FanoutConfig } from './schema.js';
import { yamlSyntaxProblems } from './yaml-errors.js';

export { describe, formatPath, parseConfig, toProblems } from './parse.js';

/** Where the configuration lives unless `FANOUT_CONFIG` says otherwise. */
export const DEFAULT_CONFIG_FILE = 'fanout.yml';

/** Parses and validates YAML text. */
export function parseConfigText(text: string, file = '<config>'): FanoutConfig {
  const tooLarge = fileSizeProblem(Buffer.byteLength(text));
  if (tooLarge) throw new ConfigError(file, [tooLarge]);
  // The yaml package takes a binary file (an image, an archive) for one long string; say what it is instead.
  const binary = Math.min(
    ...[text.indexOf('\u0000'), text.indexOf('\uFFFD')].map((i) => (i === -1 ? Infinity : i)),
  );
  if (binary !== Infinity) {
    const before = text.slice(0, binary).split('\n');
    throw new ConfigError(file, [
      {
        path: `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`,
        message: 'not a YAML text file: it holds binary data (a NUL byte or bytes that are not UTF-8)',
      },
    ]);
  }
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) throw new ConfigError(file, yamlSyntaxProblems(doc, text));
  let value: unknown;
  try {
    // The yaml package refuses documents whose aliases would expand without bound ("billion laughs").
    value = doc.toJS();
  } catch (cause) {
    throw new ConfigError(file, [{ path: '', message: `YAML: ${(cause as Error).message}` }], { cause });
  }
  return parseConfig(value, file);
}

/**
 * Loads the configuration file: `file`, else env `FANOUT_CONFIG`, else `./fanout.yml`.
 *
 * @example
 * const config = loadConfigFile(); // throws ConfigError naming every bad field
 */
export function loadConfigFile(file?: string, env: NodeJS.ProcessEnv = process.env): FanoutConfig {
  const path = resolve(file ?? env.FANOUT_CONFIG ?? DEFAULT_CONFIG_FILE);
  return parseConfigText(readConfigFile(path), path);
}

/**
 * The text of a configuration file, read within its size limit ({@link readBounded}). Throws
 * {@link ConfigError} under `shown` (the file as the user knows it) when it cannot be read or is too large.
 */
export function readConfigFile(path: string, shown = path): string {
  let read: ReturnType<typeof readBounded>;
  try {
    read = readBounded(path);
  } catch (cause) {
    throw new ConfigError(
      shown,
      [{ path: '', message: `cannot read the file (${(cause as Error).message})` }],
      { cause },
    );
  }
  if ('problem' in read) throw new ConfigError(shown, [read.problem]);
  return read.text;
}
