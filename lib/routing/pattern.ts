import { PatternError, type SpecProblem, shown } from './errors.js';
import { type CompiledMatcher, compileMatcher, isPlainObject, isScalar, type ValueTest } from './matchers.js';

/**
 * An EventBridge-style content pattern, or a list of them (any may match). Fields map to a list of allowed
 * values and matchers, or to a nested pattern; `$or` takes a list of patterns.
 */
export type FilterPattern = PatternObject | PatternObject[];
export interface PatternObject {
  [field: string]: unknown;
}

/** A compiled filter: true when a record's parsed JSON data matches. Built once, called per record. */
export type RecordMatcher = (data: unknown) => boolean;

type Path = Array<string | number>;
type NodeTest = (node: unknown) => boolean;

/**
 * Compiles a filter pattern once (at config load), so matching a record is only walking its fields.
 * Semantics follow EventBridge content filtering: fields are ANDed, a field's list is ORed, a list in the
 * record matches when any element does, `exists` looks at leaves only. Throws {@link PatternError} naming
 * every bad part of the pattern.
 *
 * @example
 * const matches = compilePattern({ level: ['ERROR', { prefix: 'WARN' }], detail: { ms: [{ numeric: ['>', 500] }] } });
 * matches({ level: 'ERROR', detail: { ms: 900 } }); // true
 */
export function compilePattern(pattern: unknown): RecordMatcher {
  const problems: SpecProblem[] = [];
  const matcher = compileFilter(pattern, problems);
  if (problems.length > 0) throw new PatternError(problems);
  return matcher;
}

/** Every problem of a filter pattern, with its path inside the pattern (empty when it is valid). */
export function patternProblems(pattern: unknown): SpecProblem[] {
  const problems: SpecProblem[] = [];
  compileFilter(pattern, problems);
  return problems;
}

function compileFilter(pattern: unknown, problems: SpecProblem[]): RecordMatcher {
  if (Array.isArray(pattern)) {
    if (pattern.length === 0) problems.push({ path: [], message: 'must list at least one pattern' });
    return anyOf(pattern.map((p, i) => compileObject(p, [i], problems)));
  }
  return compileObject(pattern, [], problems);
}

function compileObject(spec: unknown, path: Path, problems: SpecProblem[]): NodeTest {
  if (!isPlainObject(spec)) {
    problems.push({
      path,
      message: `${shown(spec)} is not a pattern; expected an object of fields (field: [values]) or a list of them`,
    });
    return never;
  }
  const keys = Object.keys(spec);
  if (keys.length === 0) problems.push({ path, message: 'must test at least one field' });
  const tests: NodeTest[] = [];
  for (const key of keys) {
    const value = spec[key];
    const at = [...path, key];
    if (key === '$or') {
      if (!Array.isArray(value) || value.length === 0) {
        problems.push({ path: at, message: `${shown(value)} is not allowed; expected a list of patterns` });
        continue;
      }
      tests.push(anyOf(value.map((p, i) => compileObject(p, [...at, i], problems))));
    } else if (Array.isArray(value)) {
      const leaf = compileLeaf(value, at, problems);
      tests.push((node) => leaf(fieldOf(node, key)));
    } else if (isPlainObject(value)) {
      const nested = compileObject(value, at, problems);
      // A list of objects in the record matches when one of its elements matches the nested pattern.
      tests.push((node) => {
        const v = fieldOf(node, key);
        return Array.isArray(v) ? v.some(nested) : nested(v);
      });
    } else {
      problems.push({
        path: at,
        message: `${shown(value)} is not a list; values go in a list (e.g. [${shown(value)}]) and nested fields in an object`,
      });
    }
  }
  return allOf(tests);
}

/** A field's list: exact values (one Set lookup) and matchers, any of which may match. */
function compileLeaf(list: unknown[], path: Path, problems: SpecProblem[]): (value: unknown) => boolean {
  if (list.length === 0) problems.push({ path, message: 'must list at least one value or matcher' });
  const exact = new Set<unknown>();
  const tests: ValueTest[] = [];
  let existsTrue = false;
  let existsFalse = false;
  list.forEach((entry, i) => {
    if (isScalar(entry)) {
      exact.add(entry);
      return;
    }
    const matcher: CompiledMatcher | undefined = isPlainObject(entry)
      ? compileMatcher(entry, [...path, i], problems)
      : undefined;
    if (!isPlainObject(entry)) {
      problems.push({
        path: [...path, i],
        message: `${shown(entry)} is not allowed; expected a string, number, boolean, null or a matcher object`,
      });
    }
    if (matcher?.kind === 'value') tests.push(matcher.test);
    else if (matcher?.kind === 'exists') {
      if (matcher.exists) existsTrue = true;
      else existsFalse = true;
    }
  });
  if (exact.size > 0) tests.unshift((v) => exact.has(v));
  const anyTest = tests.length === 1 ? (tests[0] as ValueTest) : (v: unknown) => tests.some((t) => t(v));
  const hasTests = tests.length > 0;
  return (value) => {
    if (Array.isArray(value)) {
      const leaf = value.some(isScalar);
      if (leaf ? existsTrue : existsFalse) return true;
      return hasTests && value.some((v) => isScalar(v) && anyTest(v));
    }
    const leaf = isScalar(value);
    if (leaf ? existsTrue : existsFalse) return true;
    return leaf && hasTests && anyTest(value);
  };
}

/** A field of a JSON object; anything else (a list, a scalar, nothing) has no fields. */
function fieldOf(node: unknown, key: string): unknown {
  return isPlainObject(node) && Object.hasOwn(node, key) ? node[key] : undefined;
}

const never: NodeTest = () => false;

function allOf(tests: NodeTest[]): NodeTest {
  if (tests.length === 1) return tests[0] as NodeTest;
  return (node) => {
    for (const test of tests) if (!test(node)) return false;
    return true;
  };
}

function anyOf(tests: NodeTest[]): NodeTest {
  if (tests.length === 1) return tests[0] as NodeTest;
  return (node) => {
    for (const test of tests) if (test(node)) return true;
    return false;
  };
}
