/** A parsed JSONPath-lite path: field names and list indexes from the root. */
export type JsonPath = ReadonlyArray<string | number>;

const NAME = /^[A-Za-z0-9_$@-]+/;
const INDEX = /^\[(\d{1,9})\]/;
const QUOTED = /^\[(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\]/;

/**
 * Parses `$`, `$.a.b[0].c` or `$['odd key']` (JSONPath-lite: names, indexes and quoted names; no wildcards,
 * filters, slices or scripts, so a path can only read). Returns the segments, or why the text is no path.
 *
 * @example
 * parseJsonPath('$.detail.users[0].id'); // ['detail', 'users', 0, 'id']
 */
export function parseJsonPath(text: string): JsonPath | string {
  if (!text.startsWith('$')) return 'a path starts with $';
  const segments: Array<string | number> = [];
  let rest = text.slice(1);
  while (rest.length > 0) {
    if (rest.startsWith('.')) {
      const name = NAME.exec(rest.slice(1));
      if (!name) return `expected a field name after "." at "${rest}"`;
      segments.push(name[0]);
      rest = rest.slice(1 + name[0].length);
      continue;
    }
    const index = INDEX.exec(rest);
    if (index) {
      segments.push(Number(index[1]));
      rest = rest.slice(index[0].length);
      continue;
    }
    const quoted = QUOTED.exec(rest);
    if (quoted) {
      segments.push((quoted[1] ?? quoted[2] ?? '').replace(/\\(.)/g, '$1'));
      rest = rest.slice(quoted[0].length);
      continue;
    }
    return `unexpected "${rest}"; a path has only .name, [index] and ['name'] parts`;
  }
  return segments;
}

/**
 * The value at `path` in parsed JSON, or undefined when any part is missing. Reads own fields of objects and
 * elements of lists only (`$.items.length` or `$.__proto__` find nothing).
 */
export function readJsonPath(root: unknown, path: JsonPath): unknown {
  let node = root;
  for (const segment of path) {
    if (typeof segment === 'number') {
      if (!Array.isArray(node) || segment >= node.length) return undefined;
      node = node[segment];
    } else {
      if (typeof node !== 'object' || node === null || Array.isArray(node) || !Object.hasOwn(node, segment)) {
        return undefined;
      }
      node = (node as Record<string, unknown>)[segment];
    }
  }
  return node;
}
