// What an import is asked to do and what it reports, shared by the customers and orders engines.
import type { Publish } from '../jobs/domain-topics.ts';
import type { Clock } from '../shared/clock.ts';
import type { ImportKind, ImportUnit } from './import-units.ts';
import type { OrderFormatName } from './order-formats.ts';
import type { CsvEncoding } from './read-csv.ts';
import type { RejectsFile } from './rejects-file.ts';
import type { RowProblem } from './row-problem.ts';

export interface ImportProgress {
  phase: 'validate' | 'import';
  bytesRead: number;
  totalBytes: number;
  rows: number;
}

export interface ImportCsvOptions {
  kind: ImportKind;
  file: string;
  workspaceId: string;
  format?: OrderFormatName;
  encoding?: CsvEncoding;
  /** Import the valid rows and write the others to `rejectsFile` (default `FILE.rejects.csv`). */
  skipInvalid?: boolean;
  rejectsFile?: string;
  /** Rows per write batch (orders; default 1,000), or per segment (customers; default 50,000). */
  batchSize?: number;
  /** How many problems the summary keeps (all are counted). */
  maxProblems?: number;
  onProgress?: (progress: ImportProgress) => void;
  /** Publishes domain topics (orders.changed, customers.changed) in the import's transaction. */
  publish?: Publish;
  /** Business time (a consent or registration without a date is dated now); default the wall clock. */
  clock?: Clock;
}

export interface ImportSummary {
  format: OrderFormatName;
  /** Data rows read (the header not counted). */
  rows: number;
  /** Customers or orders. */
  created: number;
  updated: number;
  unchanged: number;
  /** Rows rejected (with skipInvalid), or rows with problems (without). */
  rejectedRows: number;
  /** Customers created for orders that named an unknown one. */
  customersCreated: number;
  /** False when problems stopped the import: then nothing was written. */
  imported: boolean;
  problems: RowProblem[];
  problemCount: number;
  /**
   * Cells skipped without stopping the import: a customer detail that cannot be read (a LINE
   * userId that is not one, an unknown prefecture). The order and its customer are imported
   * without it. Kept up to maxProblems, all counted.
   */
  warnings: RowProblem[];
  warningCount: number;
  rejectsFile: string | undefined;
}

export function emptySummary(): ImportSummary {
  return {
    format: 'kizuna',
    rows: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    rejectedRows: 0,
    customersCreated: 0,
    imported: false,
    problems: [],
    problemCount: 0,
    warnings: [],
    warningCount: 0,
    rejectsFile: undefined,
  };
}

export async function reject(rejects: RejectsFile, unit: ImportUnit, problems: RowProblem[]): Promise<void> {
  for (const record of unit.records) {
    const own = problems.filter((p) => p.line === record.line);
    const reason = own.length
      ? own.map((p) => `${p.column}: ${p.message}`).join('; ')
      : `rejected with its order (see line ${unit.line})`;
    await rejects.write(record.fields, reason);
  }
}
