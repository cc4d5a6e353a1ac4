import { CST, type Document, Parser, type YAMLError } from 'yaml';
import type { ConfigProblem } from './errors.js';

/** What some of the yaml package's error codes usually mean in a hand-written config file. */
const HINTS: Record<string, string> = {
  MULTILINE_IMPLICIT_KEY: 'is the colon after a key missing, or its value on the next line?',
  BLOCK_AS_IMPLICIT_KEY: 'the next line is indented deeper than this one: is it indented too far?',
  BAD_INDENT: 'check the indentation of this line and of the ones around it',
};

/**
 * The syntax errors of a YAML document as problems: where the error really is (line and column), what it is
 * (the yaml package's message, without its own "at line L, column C:" tail and context), and the line itself
 * with a caret under the column. An unclosed quote is reported where the quote opens: the yaml package
 * reports it where the text ends, lines later.
 */
export function yamlSyntaxProblems(doc: Document, text: string): ConfigProblem[] {
  const lines = text.split('\n');
  const seen = new Set<number>();
  const problems: ConfigProblem[] = [];
  for (const error of doc.errors) {
    const at = errorOffset(error, text);
    const { line, col } = lineColumn(text, at);
    // One problem per line: the parser often reports one mistake twice (two codes at the same place).
    if (seen.has(line)) continue;
    seen.add(line);
    const hint = HINTS[error.code] ? `; ${HINTS[error.code]}` : '';
    const source = lines[line - 1] ?? '';
    problems.push({
      path: `line ${line}, column ${col}`,
      message: `YAML syntax: ${messageOf(error)}${hint}\n${excerpt(line, col, source)}`,
    });
  }
  return problems;
}

/** The message without the tail prettyErrors adds (" at line 9, column 1:" and the context after it). */
function messageOf(error: YAMLError): string {
  const first = error.message.split('\n')[0] ?? error.message;
  const bare = first.replace(/ at line \d+, column \d+:?\s*$/, '');
  const quote = /^Missing closing (["'])quote$/.exec(bare)?.[1];
  return quote ? `missing closing ${quote}: the quoted value that starts here is never closed` : bare;
}

/** Where the error is: for an unclosed quote, the quote that opens the value; else the parser's place. */
function errorOffset(error: YAMLError, text: string): number {
  const reported = error.pos[0];
  if (error.code !== 'MISSING_CHAR' || !/quote/.test(error.message)) return reported;
  return openingQuote(text, reported) ?? reported;
}

/** The offset of the quoted scalar that runs up to `offset` (the CST knows where each token starts). */
function openingQuote(text: string, offset: number): number | undefined {
  let found: number | undefined;
  for (const token of new Parser().parse(text)) {
    if (token.type !== 'document') continue;
    CST.visit(token, (item) => {
      for (const node of [item.key, item.value]) {
        if (!node || (node.type !== 'double-quoted-scalar' && node.type !== 'single-quoted-scalar')) continue;
        if (node.offset <= offset && offset <= node.offset + node.source.length) found = node.offset;
      }
    });
  }
  return found;
}

function lineColumn(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, Math.max(0, offset)).split('\n');
  return { line: before.length, col: (before.at(-1)?.length ?? 0) + 1 };
}

/** `      2 |   stream: "input` and a caret under the column: what an editor would show. */
function excerpt(line: number, col: number, source: string): string {
  const number = String(line);
  const shown = source.length > 120 ? `${source.slice(0, 117)}...` : source;
  const gutter = ' '.repeat(number.length);
  return `      ${number} | ${shown}\n      ${gutter} | ${' '.repeat(Math.min(col - 1, 120))}^`;
}
