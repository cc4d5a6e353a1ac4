/**
 * House rule: no function in the product (lib/, functions/, bin/) is longer than 80 lines unless it says why
 * with a `// long: <reason>` comment just above it. A long function is cut along its phases into named
 * functions in the domain's words; the comment is for the rare one that reads better whole.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const PRODUCT = ['lib', 'functions', 'bin'];
const MAX_LINES = 80;
const REASON = /\/\/ long: \S/;

interface LongFunction {
  where: string;
  name: string;
  lines: number;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|js|mjs)$/.test(e.name) && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath, e.name));
}

/** What a function is called where it is declared (a declaration, a variable, a property, a method). */
function nameOf(fn: ts.SignatureDeclaration): string {
  if (fn.name) return fn.name.getText();
  const parent = fn.parent;
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) && parent.name)
    return parent.name.getText();
  return '<anonymous>';
}

/** The `// long:` reason above a function, or above the statement or member that holds it on the same line. */
function hasReason(fn: ts.Node, sf: ts.SourceFile): boolean {
  const line = (n: ts.Node): number => sf.getLineAndCharacterOfPosition(n.getStart(sf)).line;
  const text = sf.getFullText();
  for (let n: ts.Node | undefined = fn; n && !ts.isSourceFile(n) && line(n) === line(fn); n = n.parent) {
    const comments = ts.getLeadingCommentRanges(text, n.getFullStart()) ?? [];
    if (comments.some((c) => REASON.test(text.slice(c.pos, c.end)))) return true;
  }
  return false;
}

/** Every function, method and arrow longer than `max` lines (first line to last) without a `// long:` reason. */
function longFunctions(fileName: string, source: string, max = MAX_LINES): LongFunction[] {
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true);
  const found: LongFunction[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const lines = sf.getLineAndCharacterOfPosition(node.getEnd()).line - start + 1;
      if (lines > max && !hasReason(node, sf)) {
        found.push({ where: `${fileName}:${start + 1}`, name: nameOf(node), lines });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

const body = (lines: number): string =>
  Array.from({ length: lines - 2 }, (_, i) => `  const v${i} = ${i};`).join('\n');

describe('function length', () => {
  it('finds a function, method or arrow over 80 lines unless a `// long:` comment says why', () => {
    const source = [
      `export function fits(): void {\n${body(80)}\n}`,
      `export function tooLong(): void {\n${body(81)}\n}`,
      `// long: one table of cases reads better whole\nexport function explained(): void {\n${body(90)}\n}`,
      `class Worker {\n  handle(): void {\n${body(81)}\n  }\n}`,
      `export const handler = async (): Promise<void> => {\n${body(81)}\n};`,
      `/** Documented. */\n// long: the steps share one transaction\nexport const held = (): void => {\n${body(85)}\n};`,
    ].join('\n\n');
    expect(longFunctions('example.ts', source).map((f) => [f.name, f.lines])).toEqual([
      ['tooLong', 81],
      ['handle', 81],
      ['handler', 81],
    ]);
  });

  it('holds for lib/, functions/ and bin/: cut a long function along its phases, or say why it is long', () => {
    const long = PRODUCT.flatMap((dir) =>
      sourceFiles(join(ROOT, dir)).flatMap((file) =>
        longFunctions(relative(ROOT, file), readFileSync(file, 'utf8')),
      ),
    );
    expect(long.map((f) => `${f.where} ${f.name}: ${f.lines} lines`)).toEqual([]);
  });
});
