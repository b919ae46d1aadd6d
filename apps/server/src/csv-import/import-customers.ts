// The customers import: ONE streaming pass over the file, in segments of `batchSize` rows (default
// SEGMENT_ROWS), all
// inside ONE transaction.
//
// 1. Read and stage: every row is mapped and checked as the API would check it (the same
//    problems, by line and column, as before); the valid rows of a segment are sent with COPY
//    into a temp table.
// 2. Write the segment in set-based SQL (plan-staged-customers.ts, write-staged-customers.ts)
//    while the next segment is read and checked: the database and the JavaScript work side by
//    side. Segments are written in file order, so a row sees what the rows before it wrote.
// 3. Without skipInvalid, a problem stops the writing (the rest is still read, to report every
//    problem) and the transaction rolls back: nothing was written. A read error (bad bytes,
//    broken quoting) rolls back too.
//
// Memory: one segment's COPY text is held while the one before it is written (about 30 MB);
// serial rows are read back 1,000 at a time.
import type { Transaction } from 'kysely';
import type { CopyIn } from '../db/bulk-transaction.ts';
import type { Database } from '../db/open-database.ts';
import type { DB } from '../db/schema.ts';
import { clockOf } from '../shared/clock.ts';
import { emptySummary, type ImportCsvOptions, type ImportSummary, reject } from './import-summary.ts';
import { type ImportUnit, openUnits } from './import-units.ts';
import { fileSize } from './read-csv.ts';
import { RejectsFile } from './rejects-file.ts';
import type { RowProblem } from './row-problem.ts';
import { createCustomerStage, STAGE_COLUMNS, STAGE_TABLE, stageLine } from './stage-customers.ts';
import { addCounts, type StagedWrite, writeSegment } from './write-staged-customers.ts';

/** Thrown inside the transaction to roll it back when problems refuse the whole file. */
class NothingImported extends Error {}

/** COPY text is handed over in pieces of about this many characters. */
const CHUNK_CHARS = 1 << 16;

/**
 * Rows read and written at a time. Larger segments spend less on each segment's fixed costs
 * (planning, temp tables) and hold more COPY text (about 550 bytes a row) in memory.
 */
const SEGMENT_ROWS = 50_000;

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
    // Rows are checked and written in the same pass: the whole pass is the import phase.
    onBytes: (bytesRead) =>
      options.onProgress?.({ phase: 'import', bytesRead, totalBytes, rows: summary.rows }),
  });
  if (source.headerProblems.length) {
    note(source.headerProblems);
    return summary;
  }
  const rejects = options.skipInvalid
    ? new RejectsFile(options.rejectsFile ?? `${options.file}.rejects.csv`, source.header.names)
    : undefined;
  const write: StagedWrite = {
    workspaceId: options.workspaceId,
    stores,
    publish: options.publish,
    now: clockOf(options).now(),
  };
  try {
    const state: StageState = {
      summary,
      note,
      rejects,
      stores,
      segmentRows: options.batchSize ?? SEGMENT_ROWS,
      failure: {},
    };
    await database.bulkTransaction((tx, copyIn) => writeSegments(tx, copyIn, source.units, state, write));
    summary.imported = true;
  } catch (error) {
    if (!(error instanceof NothingImported)) throw error;
    // The segments written before the problem was read were rolled back with the rest.
    summary.created = summary.updated = summary.unchanged = 0;
  } finally {
    await rejects?.close();
    if (rejects?.rows) summary.rejectsFile = rejects.path;
  }
  return summary;
}

/**
 * Reads, stages and writes the file segment by segment, in the import's transaction; throws to
 * roll it back (NothingImported when problems refuse the file).
 */
async function writeSegments(
  tx: Transaction<DB>,
  copyIn: CopyIn,
  units: AsyncGenerator<ImportUnit>,
  state: StageState,
  write: StagedWrite,
): Promise<void> {
  await createCustomerStage(tx);
  const refused = () => state.summary.problemCount > 0 && !state.rejects;
  let segment = await readSegment(units, state);
  for (let index = 0; segment; index++) {
    // A file that cannot be read to its end is rolled back: writing on would be wasted.
    if (state.failure.error !== undefined) break;
    if (!refused()) await copyIn(STAGE_TABLE, STAGE_COLUMNS, chunksOf(segment.chunks));
    // Sent: let the text go before the next segment's is built.
    segment.chunks = [];
    // The database writes this segment while JavaScript reads and checks the next one.
    const [written, next] = await Promise.allSettled([
      refused() ? Promise.resolve(undefined) : writeSegment(tx, write, index),
      segment.last ? Promise.resolve(undefined) : readSegment(units, state),
    ]);
    if (written.status === 'rejected') throw written.reason;
    if (next.status === 'rejected') throw next.reason;
    if (written.value) addCounts(state.summary, written.value);
    segment = next.value;
  }
  if (state.failure.error !== undefined) throw state.failure.error;
  if (refused()) throw new NothingImported();
}

interface StageState {
  summary: ImportSummary;
  note: (problems: RowProblem[]) => void;
  rejects: RejectsFile | undefined;
  stores: ReadonlyMap<string, number>;
  segmentRows: number;
  /** A read error (bad bytes, broken quoting), thrown once the segment in flight is written. */
  failure: { error?: unknown };
}

interface Segment {
  chunks: string[];
  /** The file ended (or could not be read on) with this segment. */
  last: boolean;
}

/**
 * Reads up to `segmentRows` rows and returns their COPY text for the staging table, noting the
 * problems and writing the rejects. A read error ends the file early and is left in
 * `state.failure` for the caller to throw once the segment in flight is written. Once a problem
 * has refused the file (without skipInvalid), rows are still read, to report every problem, but
 * no longer staged. Undefined at the end of the file.
 */
async function readSegment(
  units: AsyncGenerator<ImportUnit>,
  state: StageState,
): Promise<Segment | undefined> {
  const { summary, rejects } = state;
  const chunks: string[] = [];
  let chunk = '';
  let rows = 0;
  let last = false;
  try {
    while (rows < state.segmentRows) {
      const next = await units.next();
      if (next.done) {
        last = true;
        break;
      }
      const unit = next.value;
      if (unit.kind !== 'customers') continue;
      summary.rows++;
      rows++;
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
        chunks.push(chunk);
        chunk = '';
      }
    }
  } catch (error) {
    state.failure.error = error;
    last = true;
  }
  if (chunk) chunks.push(chunk);
  return rows || chunks.length ? { chunks, last } : undefined;
}

async function* chunksOf(chunks: string[]): AsyncGenerator<string> {
  yield* chunks;
}
