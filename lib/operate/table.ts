import Table from 'cli-table3';

/**
 * A table of an operator command's output, without colours: it goes to files and CI logs as often as to a
 * terminal. `options` sets the rest (column widths, wrapping).
 */
export function plainTable(
  head: string[],
  options: Omit<Table.TableConstructorOptions, 'head' | 'style'> = {},
): Table.Table {
  return new Table({ head, ...options, style: { head: [], border: [] } });
}
