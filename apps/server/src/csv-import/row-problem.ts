import type { FieldProblem } from '../shared/domain-error.ts';

/** What is wrong with one cell (or row) of a CSV file: reported as `line N, column X: reason`. */
export interface RowProblem {
  /** Physical line the record starts on, 1-based; the header is line 1. */
  line: number;
  /** The CSV column's header; '(row)' when no single column is to blame. */
  column: string;
  message: string;
}

/**
 * Names the CSV column behind an API field path, by the longest known prefix:
 * `customer.external[0].value` → `columns['customer.external[0]']` or `columns['customer.external']`.
 */
export function columnOfPath(path: string, columns: Readonly<Record<string, string>>): string {
  let prefix = path;
  for (;;) {
    const column = columns[prefix];
    if (column !== undefined) return column;
    const cut = Math.max(prefix.lastIndexOf('.'), prefix.lastIndexOf('['));
    if (cut <= 0) return '(row)';
    prefix = prefix.slice(0, cut);
  }
}

/** Field problems from a validator, re-addressed to CSV columns of the record on `line`. */
export function toRowProblems(
  problems: FieldProblem[],
  line: number,
  columns: Readonly<Record<string, string>>,
): RowProblem[] {
  return problems.map((p) => ({ line, column: columnOfPath(p.path, columns), message: p.message }));
}

export function formatRowProblem(problem: RowProblem): string {
  return `line ${problem.line}, column ${problem.column}: ${problem.message}`;
}
