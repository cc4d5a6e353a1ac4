import Table from 'cli-table3';

/** One printed table: what the sections return, and what `--json` emits as is. */
export interface ReportTable {
  title: string;
  head: string[];
  rows: string[][];
  /** Lines printed under the table: what a column means, why a target is missed, what bounds it. */
  notes?: string[];
}

/**
 * Renders a table for a terminal. No colours: the output is pasted into docs/benchmarks.md as it is, and
 * borders in plain ASCII-compatible box characters survive that.
 */
export function renderTable(table: ReportTable): string {
  const out = new Table({
    head: table.head,
    style: { head: [], border: [], compact: true },
    colAligns: table.head.map((_, i) => (i === 0 ? 'left' : 'right')),
  });
  out.push(...table.rows);
  const notes = (table.notes ?? []).map((n) => `  ${n}`).join('\n');
  return `${table.title}\n${out.toString()}${notes ? `\n${notes}` : ''}\n`;
}
