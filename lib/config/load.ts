import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from './errors.js';
import { configSchema, duplicateNameIssues, type FanoutConfig } from './schema.js';

/** Where the configuration lives unless `FANOUT_CONFIG` says otherwise. */
export const DEFAULT_CONFIG_FILE = 'fanout.yml';

/** `targets[2].via` from `['targets', 2, 'via']`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

export function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  const text = JSON.stringify(value);
  return text && text.length > 60 ? `${text.slice(0, 57)}...` : (text ?? String(value));
}

/** Turns zod issues into messages that name the path, the bad value and what is allowed. */
export function toProblems(error: z.ZodError, input: unknown): ConfigProblem[] {
  return error.issues.map((issue) => {
    const path = formatPath(issue.path);
    const value = issue.path.reduce<unknown>(
      (node, key) =>
        node !== null && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key] : undefined,
      input,
    );
    switch (issue.code) {
      case 'invalid_value':
        return {
          path,
          message: `${describe(value)} is not allowed; expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`,
        };
      case 'invalid_type':
        return {
          path,
          message:
            value === undefined
              ? `is required (${issue.expected})`
              : `${describe(value)} is not ${issue.expected === 'int' ? 'an integer' : `a ${issue.expected}`}`,
        };
      case 'too_small':
      case 'too_big':
        if (issue.origin === 'array') return { path, message: issue.message };
        return { path, message: `${describe(value)} is out of range: ${rangeOf(issue)}` };
      case 'unrecognized_keys':
        return {
          path,
          message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`,
        };
      case 'custom':
        return { path, message: issue.message };
      default:
        return { path, message: `${describe(value)}: ${issue.message}` };
    }
  });
}

function rangeOf(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  return issue.code === 'too_small'
    ? `must be ${issue.inclusive ? '>=' : '>'} ${String(issue.minimum)}`
    : `must be ${issue.inclusive ? '<=' : '<'} ${String(issue.maximum)}`;
}

/** Validates an already-parsed configuration object. Throws {@link ConfigError} listing every problem. */
export function parseConfig(input: unknown, file = '<config>'): FanoutConfig {
  const result = configSchema.safeParse(input);
  if (!result.success) {
    const problems = toProblems(result.error, input);
    // Zod skipped the whole-config refinement (fields had issues): add the duplicate names it would have found.
    if (
      !result.error.issues.some((i) => i.code === 'custom' && i.message.startsWith('duplicate target name'))
    ) {
      problems.push(
        ...duplicateNameIssues(input).map((i) => ({ path: formatPath(i.path), message: i.message })),
      );
    }
    throw new ConfigError(file, problems);
  }
  return result.data;
}

/** Parses and validates YAML text. */
export function parseConfigText(text: string, file = '<config>'): FanoutConfig {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => ({
        path: e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '',
        message: `YAML syntax: ${e.message.split('\n')[0]}`,
      })),
    );
  }
  return parseConfig(doc.toJS(), file);
}

/**
 * Loads the configuration file: `file`, else env `FANOUT_CONFIG`, else `./fanout.yml`.
 *
 * @example
 * const config = loadConfigFile(); // throws ConfigError naming every bad field
 */
export function loadConfigFile(file?: string, env: NodeJS.ProcessEnv = process.env): FanoutConfig {
  const path = resolve(file ?? env.FANOUT_CONFIG ?? DEFAULT_CONFIG_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new ConfigError(
      path,
      [{ path: '', message: `cannot read the file (${(cause as Error).message})` }],
      { cause },
    );
  }
  return parseConfigText(text, path);
}
