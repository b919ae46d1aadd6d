// The customers import: ONE streaming pass over the file, then set-based SQL.
//
// 1. Read and stage: every row is mapped and checked as the API would check it (the same
//    problems, by line and column, as before), and each valid row is sent with COPY into a temp
//    table, inside the import's one transaction. Nothing else is written in this pass.
// 2. Without skipInvalid, any problem rolls the transaction back: the temp table goes and nothing
//    was written. Otherwise the staged rows are planned and written (plan-staged-customers.ts,
//    write-staged-customers.ts) and the transaction commits.
//
// Memory: no row is kept. The file streams through COPY (PostgreSQL) or blobs of a few MB
// (PGlite); the serial rows are read back 1,000 at a time.
import type { Database } from '../db/open-database.ts';
import { clockOf } from '../shared/clock.ts';
import { emptySummary, type ImportCsvOptions, type ImportSummary, reject } from './import-summary.ts';
import { type ImportUnit, openUnits } from './import-units.ts';
import { planStagedCustomers } from './plan-staged-customers.ts';
import { fileSize } from './read-csv.ts';
import { RejectsFile } from './rejects-file.ts';
import type { RowProblem } from './row-problem.ts';
import { createCustomerStage, STAGE_COLUMNS, STAGE_TABLE, stageLine } from './stage-customers.ts';
import { insertFreshCustomers, writeSerialCustomers } from './write-staged-customers.ts';

/** Thrown inside the transaction to roll it back when problems refuse the whole file. */
class NothingImported extends Error {}

/** COPY text is handed over in pieces of about this many characters. */
const CHUNK_CHARS = 1 << 16;

export async function importCustomers(
  database: Database,
  options: ImportCsvOptions,
  stores: ReadonlyMap<string, number>,
): Promise<ImportSummary> {
  const summary = emptySummary();
  const maxProblems = options.maxProblems ?? 100;
  const note = (problems: RowProblem[]) => {
    summary.problemCount += problems.length;
    for (const p of problems) if (summary.problems.length < maxProblems) summary.problems.push(p);
  };
  const totalBytes = fileSize(options.file);
  const source = await openUnits({
    file: options.file,
    kind: 'customers',
    storeCodes: new Set(stores.keys()),
    ...(options.format ? { format: options.format } : {}),
    ...(options.encoding ? { encoding: options.encoding } : {}),
    onBytes: (bytesRead) =>
      options.onProgress?.({ phase: 'validate', bytesRead, totalBytes, rows: summary.rows }),
  });
  if (source.headerProblems.length) {
    note(source.headerProblems);
    return summary;
  }
  const rejects = options.skipInvalid
    ? new RejectsFile(options.rejectsFile ?? `${options.file}.rejects.csv`, source.header.names)
    : undefined;
  const write = {
    workspaceId: options.workspaceId,
    stores,
    publish: options.publish,
    now: clockOf(options).now(),
  };
  try {
    await database.bulkTransaction(async (tx, copyIn) => {
      await createCustomerStage(tx);
      const failure: { error?: unknown } = {};
      const chunks = stageChunks(source.units, { summary, note, rejects, stores, failure });
      await copyIn(STAGE_TABLE, STAGE_COLUMNS, chunks);
      if (failure.error !== undefined) throw failure.error;
      if (summary.problemCount && !rejects) throw new NothingImported();
      options.onProgress?.({ phase: 'import', bytesRead: 0, totalBytes, rows: summary.rows });
      const planned = await planStagedCustomers(tx, options.workspaceId);
      summary.created += await insertFreshCustomers(tx, write);
      summary.unchanged += planned.unchanged;
      const serial = await writeSerialCustomers(tx, write);
      summary.created += serial.created;
      summary.updated += serial.updated;
      summary.unchanged += serial.unchanged;
    });
    summary.imported = true;
  } catch (error) {
    if (!(error instanceof NothingImported)) throw error;
  } finally {
    await rejects?.close();
    if (rejects?.rows) summary.rejectsFile = rejects.path;
  }
  return summary;
}

interface StageState {
  summary: ImportSummary;
  note: (problems: RowProblem[]) => void;
  rejects: RejectsFile | undefined;
  stores: ReadonlyMap<string, number>;
  /** A read error (bad bytes, broken quoting) is kept here and rethrown after the COPY ends. */
  failure: { error?: unknown };
}

/**
 * The staging table's COPY text, read from the units. A read error ends the text early (so the
 * COPY itself finishes cleanly) and is left in `failure` for the caller to throw, which rolls
 * the transaction back. Once a problem has refused the file (without skipInvalid), rows are
 * still read, to report every problem, but no longer staged.
 */
async function* stageChunks(units: AsyncGenerator<ImportUnit>, state: StageState): AsyncGenerator<string> {
  const { summary, rejects } = state;
  let chunk = '';
  try {
    for await (const unit of units) {
      if (unit.kind !== 'customers') continue;
      summary.rows++;
      if (unit.problems.length) {
        state.note(unit.problems);
        summary.rejectedRows++;
        if (rejects) await reject(rejects, unit, unit.problems);
        continue;
      }
      if (!unit.input || (summary.problemCount && !rejects)) continue;
      const storeId = unit.input.favoriteStoreCode
        ? state.stores.get(unit.input.favoriteStoreCode)
        : undefined;
      chunk += stageLine(unit.line, unit.input, unit.identities, storeId);
      if (chunk.length >= CHUNK_CHARS) {
        yield chunk;
        chunk = '';
      }
    }
  } catch (error) {
    state.failure.error = error;
    return;
  }
  if (chunk) yield chunk;
}
