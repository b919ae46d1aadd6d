import type { CsvRecord } from './read-csv.ts';
import type { RowProblem } from './row-problem.ts';

/** The header row of a file: which column each name is in. */
export interface CsvHeader {
  names: string[];
  index: ReadonlyMap<string, number>;
}

export function readHeader(record: CsvRecord): CsvHeader {
  const names = record.fields.map((name) => name.trim());
  const index = new Map<string, number>();
  names.forEach((name, i) => {
    if (!index.has(name)) index.set(name, i);
  });
  return { names, index };
}

/**
 * Header problems (line 1): unknown, duplicated and missing columns. `known` decides whether a
 * name is a column of the format; `required` lists groups of which at least one must be present.
 */
export function checkHeader(
  header: CsvHeader,
  known: (name: string) => boolean,
  required: readonly (readonly string[])[],
  expected: readonly string[],
): RowProblem[] {
  const problems: RowProblem[] = [];
  const seen = new Set<string>();
  for (const name of header.names) {
    if (name === '') continue;
    if (seen.has(name)) problems.push({ line: 1, column: name, message: 'appears twice in the header' });
    seen.add(name);
    if (!known(name))
      problems.push({
        line: 1,
        column: name,
        message: `unknown column; known columns: ${expected.join(', ')}`,
      });
  }
  for (const group of required) {
    if (!group.some((name) => header.index.has(name)))
      problems.push({
        line: 1,
        column: group.join('|'),
        message: group.length > 1 ? 'one of these columns is required' : 'required column is missing',
      });
  }
  return problems;
}

/** The trimmed cell of `column` in a record; '' when the column or cell is absent. */
export function cellOf(header: CsvHeader, record: CsvRecord, column: string): string {
  const i = header.index.get(column);
  return i === undefined ? '' : (record.fields[i] ?? '').trim();
}

/** Records with more cells than the header have lost their alignment: say so for the row. */
export function checkWidth(header: CsvHeader, record: CsvRecord): RowProblem | undefined {
  if (record.fields.length <= header.names.length) return undefined;
  return {
    line: record.line,
    column: '(row)',
    message: `has ${record.fields.length} cells but the header has ${header.names.length} columns (a comma that should be quoted?)`,
  };
}
