import type * as core from 'zod/v4/core';
import { ConfigError, type ConfigProblem } from './errors.js';
import { configSchema, duplicateNameIssues, type FanoutConfig } from './schema.js';

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
export function toProblems(error: { issues: readonly core.$ZodIssue[] }, input: unknown): ConfigProblem[] {
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

function rangeOf(issue: core.$ZodIssueTooSmall | core.$ZodIssueTooBig): string {
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
