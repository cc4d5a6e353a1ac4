import type * as core from 'zod/v4/core';
import { isSecretHeader, REDACTED } from '../observability/redact.js';
import { targetCountProblem } from './bounds.js';
import { ConfigError, type ConfigProblem } from './errors.js';
import { configSchema, duplicateNameIssues, type FanoutConfig, knownFieldsAt } from './schema.js';
import { closestName } from './suggest.js';

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
  // JSON would print Infinity (a YAML 1e400 or .inf) and NaN (.nan) as null.
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  const text = JSON.stringify(value);
  return text && text.length > 60 ? `${text.slice(0, 57)}...` : (text ?? String(value));
}

/** "an object", "a string": zod's expected type as a sentence reads it. */
const withArticle = (type: string): string => `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;

/** A secret header's value (`http.headers.authorization`) is never repeated in a message. */
function isSecretValue(path: readonly PropertyKey[]): boolean {
  const n = path.length;
  return n >= 3 && path[n - 2] === 'headers' && path[n - 3] === 'http' && isSecretHeader(String(path[n - 1]));
}

/** zod also checks that an integer is a safe one: noise next to the field's own range, which names the problem. */
function isSafeIntegerNoise(issue: core.$ZodIssue, all: readonly core.$ZodIssue[]): boolean {
  if (issue.code !== 'too_big' && issue.code !== 'too_small') return false;
  const bound = Number(issue.code === 'too_big' ? issue.maximum : issue.minimum);
  if (Math.abs(bound) !== Number.MAX_SAFE_INTEGER) return false;
  const path = formatPath(issue.path);
  return all.some((other) => other !== issue && formatPath(other.path) === path);
}

/** Turns zod issues into messages that name the path, the bad value and what is allowed. */
export function toProblems(error: { issues: readonly core.$ZodIssue[] }, input: unknown): ConfigProblem[] {
  const issues = error.issues.filter((issue) => !isSafeIntegerNoise(issue, error.issues));
  return issues.map((issue) => {
    const path = formatPath(issue.path);
    const value = isSecretValue(issue.path)
      ? REDACTED
      : issue.path.reduce<unknown>(
          (node, key) =>
            node !== null && typeof node === 'object'
              ? (node as Record<PropertyKey, unknown>)[key]
              : undefined,
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
              : `${describe(value)} is not ${issue.expected === 'int' ? 'an integer' : withArticle(issue.expected)}`,
        };
      case 'too_small':
      case 'too_big':
        if (issue.origin === 'array') return { path, message: issue.message };
        if (issue.origin === 'string') return { path, message: `${describe(value)} is ${lengthOf(issue)}` };
        return { path, message: `${describe(value)} is out of range: ${rangeOf(issue)}` };
      case 'unrecognized_keys':
        return { path, message: unknownFields(issue.keys, knownFieldsAt(issue.path)) };
      case 'invalid_key':
        // The path ends with the key; its value (perhaps a credential) is not repeated.
        return {
          path,
          message: `${describe(issue.path.at(-1))}: ${issue.issues[0]?.message ?? issue.message}`,
        };
      case 'custom':
        return { path, message: issue.message };
      default:
        return { path, message: `${describe(value)}: ${issue.message}` };
    }
  });
}

/** `unknown field "concurency"; did you mean concurrency?` (the suggestion when a known field is close). */
function unknownFields(keys: readonly string[], known: readonly string[]): string {
  const listed = `unknown field${keys.length > 1 ? 's' : ''} ${keys.map((k) => `"${k}"`).join(', ')}`;
  const guesses = keys.flatMap((key) => {
    const guess = closestName(key, known);
    return guess === undefined ? [] : [keys.length > 1 ? `${guess} for "${key}"` : guess];
  });
  return guesses.length > 0 ? `${listed}; did you mean ${guesses.join(', ')}?` : listed;
}

function lengthOf(issue: core.$ZodIssueTooSmall | core.$ZodIssueTooBig): string {
  return issue.code === 'too_small'
    ? `too short: must be at least ${String(issue.minimum)} character(s)`
    : `too long: must be at most ${String(issue.maximum)} characters`;
}

function rangeOf(issue: core.$ZodIssueTooSmall | core.$ZodIssueTooBig): string {
  return issue.code === 'too_small'
    ? `must be ${issue.inclusive ? '>=' : '>'} ${String(issue.minimum)}`
    : `must be ${issue.inclusive ? '<=' : '<'} ${String(issue.maximum)}`;
}

/** Validates an already-parsed configuration object. Throws {@link ConfigError} listing every problem. */
export function parseConfig(input: unknown, file = '<config>'): FanoutConfig {
  if (input === null || input === undefined || typeof input !== 'object' || Array.isArray(input)) {
    // An empty file, a list or a lone value: say what the file should be rather than "null is not an object".
    const what =
      input === null || input === undefined
        ? 'empty'
        : Array.isArray(input)
          ? 'a list'
          : `a single ${typeof input} (${describe(input)})`;
    throw new ConfigError(file, [
      { path: '', message: `the configuration is ${what}; expected a mapping with "source" and "targets"` },
    ]);
  }
  const tooMany = targetCountProblem(input);
  if (tooMany) throw new ConfigError(file, [tooMany]);
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
