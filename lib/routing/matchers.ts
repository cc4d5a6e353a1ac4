import { type SpecProblem, shown } from './errors.js';

/** A test of one scalar JSON value (string, number, boolean or null). */
export type ValueTest = (value: unknown) => boolean;

/** What one entry of a field's list compiles to. */
export type CompiledMatcher = { kind: 'value'; test: ValueTest } | { kind: 'exists'; exists: boolean };

const MATCHERS = ['prefix', 'suffix', 'equals-ignore-case', 'numeric', 'exists', 'anything-but'] as const;
const ALLOWED = MATCHERS.map((m) => `{"${m}": ...}`).join(', ');
const OPERATORS = new Set(['=', '<', '<=', '>', '>=']);

type Problems = SpecProblem[];
type Path = Array<string | number>;

export function isScalar(value: unknown): value is string | number | boolean | null {
  return (
    value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
  );
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Compiles one object entry of a field's list (`{"prefix": "us-"}`, `{"numeric": [">", 0]}`...). Exact values
 * are handled by the caller (one Set for the whole list). Problems are pushed, never thrown, so a config
 * lists them all.
 */
export function compileMatcher(
  spec: Record<string, unknown>,
  path: Path,
  problems: Problems,
): CompiledMatcher | undefined {
  const keys = Object.keys(spec);
  const key = keys[0];
  if (keys.length !== 1 || key === undefined || !(MATCHERS as readonly string[]).includes(key)) {
    problems.push({
      path,
      message: `${shown(spec)} is not a matcher; expected a value or one of ${ALLOWED}`,
    });
    return undefined;
  }
  const arg = spec[key];
  const at = [...path, key];
  switch (key) {
    case 'prefix':
    case 'suffix': {
      const text = stringOrIgnoreCase(arg, at, problems, key);
      if (!text) return undefined;
      return { kind: 'value', test: affixTest(key, text.value, text.ignoreCase) };
    }
    case 'equals-ignore-case': {
      if (typeof arg !== 'string') return bad(problems, at, arg, 'a string');
      const lower = arg.toLowerCase();
      return { kind: 'value', test: (v) => typeof v === 'string' && v.toLowerCase() === lower };
    }
    case 'numeric':
      return numericMatcher(arg, at, problems);
    case 'exists':
      if (typeof arg !== 'boolean') return bad(problems, at, arg, 'true or false');
      return { kind: 'exists', exists: arg };
    default:
      return anythingBut(arg, at, problems);
  }
}

function bad(problems: Problems, path: Path, value: unknown, expected: string): undefined {
  problems.push({ path, message: `${shown(value)} is not allowed; expected ${expected}` });
  return undefined;
}

function stringOrIgnoreCase(
  arg: unknown,
  path: Path,
  problems: Problems,
  what: string,
): { value: string; ignoreCase: boolean } | undefined {
  if (typeof arg === 'string') return { value: arg, ignoreCase: false };
  if (isPlainObject(arg) && Object.keys(arg).length === 1 && typeof arg['equals-ignore-case'] === 'string') {
    return { value: arg['equals-ignore-case'], ignoreCase: true };
  }
  return bad(problems, path, arg, `a string or {"equals-ignore-case": "..."} (the ${what} to look for)`);
}

function affixTest(kind: 'prefix' | 'suffix', text: string, ignoreCase: boolean): ValueTest {
  const wanted = ignoreCase ? text.toLowerCase() : text;
  if (kind === 'prefix') {
    return ignoreCase
      ? (v) => typeof v === 'string' && v.toLowerCase().startsWith(wanted)
      : (v) => typeof v === 'string' && v.startsWith(wanted);
  }
  return ignoreCase
    ? (v) => typeof v === 'string' && v.toLowerCase().endsWith(wanted)
    : (v) => typeof v === 'string' && v.endsWith(wanted);
}

/** `["=", 5]`, `[">", 0]` or a range `[">", 0, "<=", 5]` (a lower bound, then an upper bound). */
function numericMatcher(arg: unknown, path: Path, problems: Problems): CompiledMatcher | undefined {
  const expected =
    '[op, number] or a range [">" or ">=", number, "<" or "<=", number], op one of =, <, <=, >, >=';
  if (!Array.isArray(arg) || (arg.length !== 2 && arg.length !== 4))
    return bad(problems, path, arg, expected);
  const tests: ValueTest[] = [];
  for (let i = 0; i < arg.length; i += 2) {
    const op = arg[i];
    const bound = arg[i + 1];
    if (
      typeof op !== 'string' ||
      !OPERATORS.has(op) ||
      typeof bound !== 'number' ||
      !Number.isFinite(bound)
    ) {
      return bad(problems, path, arg, expected);
    }
    tests.push(comparison(op, bound));
  }
  if (arg.length === 4 && !(String(arg[0]).startsWith('>') && String(arg[2]).startsWith('<'))) {
    return bad(problems, path, arg, `a range with a lower bound first: ${expected}`);
  }
  const [first, second] = tests as [ValueTest, ValueTest | undefined];
  return {
    kind: 'value',
    test: second
      ? (v) => typeof v === 'number' && first(v) && second(v)
      : (v) => typeof v === 'number' && first(v),
  };
}

function comparison(op: string, bound: number): ValueTest {
  switch (op) {
    case '=':
      return (v) => v === bound;
    case '<':
      return (v) => (v as number) < bound;
    case '<=':
      return (v) => (v as number) <= bound;
    case '>':
      return (v) => (v as number) > bound;
    default:
      return (v) => (v as number) >= bound;
  }
}

/** A value, a list of values, `{prefix}`, `{suffix}` or `{equals-ignore-case: value or list}`. */
function anythingBut(arg: unknown, path: Path, problems: Problems): CompiledMatcher | undefined {
  const expected =
    'a string or number, a non-empty list of them, {"prefix": "..."}, {"suffix": "..."} or {"equals-ignore-case": "..." or [...]}';
  const isValue = (v: unknown): v is string | number => typeof v === 'string' || typeof v === 'number';
  if (isValue(arg) || (Array.isArray(arg) && arg.length > 0 && arg.every(isValue))) {
    const excluded = new Set<unknown>(Array.isArray(arg) ? arg : [arg]);
    return { kind: 'value', test: (v) => !excluded.has(v) };
  }
  if (isPlainObject(arg) && Object.keys(arg).length === 1) {
    const prefix = arg.prefix;
    const suffix = arg.suffix;
    const ignoreCase = arg['equals-ignore-case'];
    if (typeof prefix === 'string')
      return { kind: 'value', test: negate(affixTest('prefix', prefix, false)) };
    if (typeof suffix === 'string')
      return { kind: 'value', test: negate(affixTest('suffix', suffix, false)) };
    const names = typeof ignoreCase === 'string' ? [ignoreCase] : ignoreCase;
    if (Array.isArray(names) && names.length > 0 && names.every((n) => typeof n === 'string')) {
      const lower = new Set(names.map((n: string) => n.toLowerCase()));
      return { kind: 'value', test: (v) => typeof v === 'string' && !lower.has(v.toLowerCase()) };
    }
  }
  return bad(problems, path, arg, expected);
}

/** anything-but prefix/suffix: a string that does not start/end so (other types never match, as for prefix). */
function negate(test: ValueTest): ValueTest {
  return (v) => typeof v === 'string' && !test(v);
}
