/**
 * The repository's import graph, read with the TypeScript compiler's own pre-processor (static imports,
 * re-exports, `import()` and `require()` with a literal specifier), for the import rules in
 * test/architecture/imports.test.ts. Only relative specifiers are edges: packages are not rooms of this house.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** File (repo-relative, `/`-separated) -> the repo files it imports. */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

const SOURCE = /\.(ts|js|mjs|cjs)$/;

function sourceFiles(root: string, folder: string): string[] {
  const dir = join(root, folder);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => SOURCE.test(f) && !f.split(sep).includes('node_modules'))
    .map((f) => join(folder, f).split(sep).join('/'))
    .filter((f) => statSync(join(root, f)).isFile());
}

/** `./x.js` written for ESM resolves to `x.ts` on disk; a folder to its index. */
function resolveSpecifier(root: string, from: string, specifier: string): string | undefined {
  const base = resolve(root, dirname(from), specifier);
  const candidates = [base, base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')];
  const hit = candidates.find((c) => existsSync(c) && statSync(c).isFile());
  return hit && relative(root, hit).split(sep).join('/');
}

export function readImportGraph(root: string, folders: readonly string[]): ImportGraph {
  const graph = new Map<string, string[]>();
  for (const file of folders.flatMap((folder) => sourceFiles(root, folder))) {
    const info = ts.preProcessFile(readFileSync(join(root, file), 'utf8'), true, true);
    const targets = info.importedFiles
      .map((f) => f.fileName)
      .filter((s) => s.startsWith('./') || s.startsWith('../'))
      .map((s) => resolveSpecifier(root, file, s))
      .filter((s): s is string => s !== undefined);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Every file `start` reaches through imports (itself excluded), with the path that reached it first. */
export function reachable(graph: ImportGraph, start: string): Map<string, readonly string[]> {
  const paths = new Map<string, readonly string[]>();
  const queue: (readonly string[])[] = [[start]];
  while (queue.length > 0) {
    const path = queue.shift() as readonly string[];
    for (const next of graph.get(path[path.length - 1] as string) ?? []) {
      if (next === start || paths.has(next)) continue;
      const longer = [...path, next];
      paths.set(next, longer);
      queue.push(longer);
    }
  }
  return paths;
}

/** A rule: files under `from` never import (directly, or through any chain when `transitive`) files under `never`. */
export interface ImportRule {
  readonly name: string;
  readonly from: readonly string[];
  readonly never: readonly string[];
  readonly except?: readonly string[];
  readonly transitive?: boolean;
}

const under = (file: string, folders: readonly string[]): boolean =>
  folders.some((f) => file === f || file.startsWith(f.endsWith('/') ? f : `${f}/`));

/** The rule's violations, one line each: `a -> b` (or the whole chain for a transitive rule). */
export function violations(graph: ImportGraph, rule: ImportRule): string[] {
  const found: string[] = [];
  for (const [file, imports] of graph) {
    if (!under(file, rule.from)) continue;
    const forbidden = (target: string): boolean =>
      under(target, rule.never) && !under(target, rule.except ?? []);
    if (rule.transitive) {
      for (const [target, path] of reachable(graph, file))
        if (forbidden(target)) found.push(path.join(' -> '));
    } else {
      for (const target of imports) if (forbidden(target)) found.push(`${file} -> ${target}`);
    }
  }
  return found.sort();
}

/**
 * The import circles among files under `folders`: each strongly connected component of two or more files (or a
 * file importing itself), its files sorted, found with Tarjan's algorithm. Imports leaving `folders` are ignored.
 */
export function circles(graph: ImportGraph, folders: readonly string[]): string[][] {
  const inside = (file: string): boolean => under(file, folders) && graph.has(file);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, index.size);
    low.set(file, index.get(file) as number);
    stack.push(file);
    for (const next of (graph.get(file) ?? []).filter(inside)) {
      if (!index.has(next)) visit(next);
      if (stack.includes(next)) low.set(file, Math.min(low.get(file) as number, low.get(next) as number));
    }
    if (low.get(file) !== index.get(file)) return;
    const component = stack.splice(stack.indexOf(file));
    if (component.length > 1 || graph.get(file)?.includes(file)) found.push(component.sort());
  };
  for (const file of [...graph.keys()].filter(inside)) if (!index.has(file)) visit(file);
  return found.sort((a, b) => (a[0] as string).localeCompare(b[0] as string));
}
