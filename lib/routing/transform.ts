import { type SpecProblem, shown, TransformError } from './errors.js';
import { isPlainObject } from './matchers.js';
import { type JsonPath, parseJsonPath, readJsonPath } from './path.js';

/**
 * A declarative projection of a record's JSON data: a path (`$.detail`) for one value, or an object whose
 * fields are paths (`$.a.b[0]`), literals (`"text"`, `5`, `true`, `null`; `"$$x"` for the text `$x`) or nested
 * objects of the same.
 */
export type TransformSpec = string | TransformTemplate;
export interface TransformTemplate {
  [field: string]: TransformValue;
}
export type TransformValue = string | number | boolean | null | TransformTemplate;

/** What a transform made of one record: the new data, or why the record cannot be transformed (permanent). */
export type TransformResult = { ok: true; data: Buffer } | { ok: false; reason: string };

/** A compiled transform: built once per worker, applied to each record's data before the adapter. */
export type RecordTransform = (data: Buffer) => TransformResult;

type Node =
  | { kind: 'path'; path: JsonPath; text: string }
  | { kind: 'const'; value: string | number | boolean | null }
  | { kind: 'object'; fields: Array<[string, Node]> };

/**
 * Compiles a target's transform once. Applying it parses the record's data as JSON (a record that is not JSON
 * fails permanently with a reason: it cannot be projected and must not be dropped), reads each path (a
 * missing path omits its field), and writes the result as JSON; a top-level path that selects a string
 * writes the string itself. Throws {@link TransformError} naming every bad part.
 *
 * @example
 * const transform = compileTransform({ LOG: '$.log', user: '$.detail.user.id', source: 'app' }, 'audit');
 * transform(Buffer.from('{"log":"hi","detail":{"user":{"id":7}}}'));
 * // { ok: true, data: Buffer('{"LOG":"hi","user":7,"source":"app"}') }
 */
export function compileTransform(spec: unknown, target: string): RecordTransform {
  const problems: SpecProblem[] = [];
  const root = compileNode(spec, [], problems);
  if (problems.length > 0) throw new TransformError(problems);
  const notJson = `record data is not JSON (target "${target}" has a transform)`;
  return (data) => {
    let input: unknown;
    try {
      input = JSON.parse(data.toString('utf8'));
    } catch {
      return { ok: false, reason: notJson };
    }
    const value = evaluate(root, input);
    if (value === undefined) {
      const path = root.kind === 'path' ? root.text : '$';
      return { ok: false, reason: `record has no ${path} (target "${target}" has the transform ${path})` };
    }
    const text = root.kind === 'path' && typeof value === 'string' ? value : JSON.stringify(value);
    return { ok: true, data: Buffer.from(text, 'utf8') };
  };
}

/** Every problem of a transform, with its path inside the transform (empty when it is valid). */
export function transformProblems(spec: unknown): SpecProblem[] {
  const problems: SpecProblem[] = [];
  compileNode(spec, [], problems);
  return problems;
}

function compileNode(spec: unknown, at: Array<string | number>, problems: SpecProblem[]): Node {
  if (typeof spec === 'string' && (at.length > 0 || (spec.startsWith('$') && !spec.startsWith('$$')))) {
    if (spec.startsWith('$$')) return { kind: 'const', value: spec.slice(1) };
    if (!spec.startsWith('$')) return { kind: 'const', value: spec };
    const path = parseJsonPath(spec);
    if (typeof path === 'string') {
      problems.push({
        path: at,
        message: `"${spec}" is not a path (${path}); paths look like $.a.b[0].c, and "$$..." is the literal text "$..."`,
      });
      return { kind: 'const', value: null };
    }
    return { kind: 'path', path, text: spec };
  }
  if (at.length > 0 && (spec === null || typeof spec === 'number' || typeof spec === 'boolean')) {
    return { kind: 'const', value: spec };
  }
  if (isPlainObject(spec) && Object.keys(spec).length > 0) {
    return {
      kind: 'object',
      fields: Object.entries(spec).map(([key, value]) => [key, compileNode(value, [...at, key], problems)]),
    };
  }
  problems.push({
    path: at,
    message:
      at.length === 0
        ? `${shown(spec)} is not a transform; expected a path ($.field) or an object of fields (name: $.path or literal)`
        : `${shown(spec)} is not allowed; expected a path ($.a.b), a literal (text, number, true/false, null) or an object${Array.isArray(spec) ? ' (lists are not built by a transform: a path copies a list from the record)' : ''}`,
  });
  return { kind: 'const', value: null };
}

function evaluate(node: Node, input: unknown): unknown {
  switch (node.kind) {
    case 'const':
      return node.value;
    case 'path':
      return readJsonPath(input, node.path);
    default: {
      // No prototype: a field named "__proto__" is written as a field, never as the object's prototype.
      const out: Record<string, unknown> = Object.create(null);
      for (const [key, child] of node.fields) {
        const value = evaluate(child, input);
        if (value !== undefined) out[key] = value;
      }
      return out;
    }
  }
}
