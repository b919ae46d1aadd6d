// The import engine: two streaming passes over the file.
//
// 1. Validate: every row is mapped and checked as the API would check it, with no writes.
//    Any problem stops here (all problems are reported), unless skipInvalid is set.
// 2. Import: the file is read again and the valid units are written in batches of about 1,000
//    rows, all inside ONE transaction: a crash, a database error or a problem only the database
//    can see leaves nothing behind.
//
// Memory: neither pass keeps rows. The state that grows with the file is the first line of each
// order id (to catch an order split over non-consecutive rows) and, with skipInvalid, the first
// line of each rejected unit.
import { type ControlledTransaction, sql, type Transaction } from 'kysely';
import type { Database } from '../db/open-database.ts';
import type { DB } from '../db/schema.ts';
import { listStores } from '../stores/stores.ts';
import { importCustomers } from './import-customers.ts';
import {
  emptySummary,
  type ImportCsvOptions,
  type ImportProgress,
  type ImportSummary,
  reject,
} from './import-summary.ts';
import { type ImportUnit, openUnits } from './import-units.ts';
import { KIZUNA_ORDERS } from './order-formats.ts';
import { fileSize } from './read-csv.ts';
import { RejectsFile } from './rejects-file.ts';
import type { RowProblem } from './row-problem.ts';
import { SHOPIFY_ORDERS } from './shopify-orders.ts';
import type { RowOutcome } from './upsert-customer-batch.ts';
import { type BatchContext, BatchRejected, writeCustomerBatch, writeOrderBatch } from './write-batch.ts';

export type { ImportCsvOptions, ImportProgress, ImportSummary };

/**
 * Imports a customers or orders CSV file into a workspace, all or nothing (see the file comment).
 *
 * @example
 * const summary = await importCsv(database, { kind: 'orders', file: 'orders.csv', workspaceId });
 * if (!summary.imported) for (const p of summary.problems) console.error(formatRowProblem(p));
 */
export async function importCsv(database: Database, options: ImportCsvOptions): Promise<ImportSummary> {
  const stores = new Map((await listStores(database.db, options.workspaceId)).map((s) => [s.code, s.id]));
  if (options.kind === 'customers') return importCustomers(database, options, stores);
  const storeCodes = new Set(stores.keys());
  const maxProblems = options.maxProblems ?? 100;
  const summary = emptySummary();
  const totalBytes = fileSize(options.file);
  const open = (phase: ImportProgress['phase'], counter: { rows: number }) =>
    openUnits({
      file: options.file,
      kind: options.kind,
      storeCodes,
      ...(options.format ? { format: options.format } : {}),
      ...(options.encoding ? { encoding: options.encoding } : {}),
      onBytes: (bytesRead) => options.onProgress?.({ phase, bytesRead, totalBytes, rows: counter.rows }),
    });

  // Pass 1: validate.
  const counter = { rows: 0 };
  const source = await open('validate', counter);
  summary.format = source.format;
  const note = (problems: RowProblem[]) => {
    summary.problemCount += problems.length;
    for (const p of problems) if (summary.problems.length < maxProblems) summary.problems.push(p);
  };
  if (source.headerProblems.length) {
    note(source.headerProblems);
    return summary;
  }
  const rejects = options.skipInvalid
    ? new RejectsFile(options.rejectsFile ?? `${options.file}.rejects.csv`, source.header.names)
    : undefined;
  const rejected = new Set<number>();
  try {
    for await (const unit of source.units) {
      counter.rows += unit.records.length;
      for (const warning of unit.warnings ?? []) {
        summary.warningCount++;
        if (summary.warnings.length < maxProblems) summary.warnings.push(warning);
      }
      if (!unit.problems.length) continue;
      note(unit.problems);
      summary.rejectedRows += unit.records.length;
      rejected.add(unit.line);
      if (rejects) await reject(rejects, unit, unit.problems);
    }
    summary.rows = counter.rows;
    if (summary.problemCount && !rejects) return summary;

    // Pass 2: import in one transaction.
    const context: BatchContext = {
      workspaceId: options.workspaceId,
      ...(options.publish ? { publish: options.publish } : {}),
      stores,
      pathColumns: (source.format === 'shopify' ? SHOPIFY_ORDERS : KIZUNA_ORDERS).pathColumns,
      ...(source.format === 'shopify' ? { profiledAt: new Map<string, number>() } : {}),
    };
    const written = { rows: 0 };
    const units = (await open('import', written)).units;
    const tx = await database.db.startTransaction().execute();
    try {
      let batch: ImportUnit[] = [];
      let batchRows = 0;
      let batches = 0;
      const flush = async () => {
        // The tables grow from nothing inside this one transaction, so their statistics say
        // "empty" and the planner scans whole tables to look identities up: quadratic time.
        // ANALYZE inside the transaction counts its own rows; run it as the data doubles.
        if (++batches >= 2 && (batches & (batches - 1)) === 0)
          await sql`analyze customer, customer_identity, customer_consent, customer_order`.execute(tx);
        const failed = await writeBatch(tx, context, batch, summary, Boolean(rejects));
        for (const { unit, problems } of failed) {
          note(problems);
          summary.rejectedRows += unit.records.length;
          if (rejects) await reject(rejects, unit, problems);
        }
        written.rows += batchRows;
        batch = [];
        batchRows = 0;
      };
      for await (const unit of units) {
        if (rejected.has(unit.line) || !unit.input) {
          written.rows += unit.records.length;
          continue;
        }
        batch.push(unit);
        batchRows += unit.records.length;
        if (batchRows >= (options.batchSize ?? 1000)) await flush();
      }
      if (batch.length) await flush();
      if (summary.problemCount && !rejects) {
        await tx.rollback().execute();
        summary.created = summary.updated = summary.unchanged = summary.customersCreated = 0;
        return summary;
      }
      await tx.commit().execute();
    } catch (error) {
      await tx.rollback().execute();
      throw error;
    }
    summary.imported = true;
    return summary;
  } finally {
    await rejects?.close();
    if (rejects?.rows) summary.rejectsFile = rejects.path;
  }
}

/**
 * Writes a batch. Problems only the database can see come back as BatchRejected: without
 * skipInvalid they are recorded and the caller rolls everything back at the end (after reading
 * on, so that all of them are reported); with it, the batch is rolled back to its savepoint and
 * written again without the rejected units.
 */
async function writeBatch(
  tx: ControlledTransaction<DB>,
  context: BatchContext,
  batch: ImportUnit[],
  summary: ImportSummary,
  skipInvalid: boolean,
): Promise<{ unit: ImportUnit; problems: RowProblem[] }[]> {
  const failed: { unit: ImportUnit; problems: RowProblem[] }[] = [];
  let units = batch;
  for (let round = 0; units.length; round++) {
    const savepoint = await tx.savepoint('import_batch').execute();
    try {
      const outcomes = await writeUnits(savepoint, context, units, summary);
      for (const outcome of outcomes) summary[outcome]++;
      await savepoint.releaseSavepoint('import_batch').execute();
      return failed;
    } catch (error) {
      await savepoint.rollbackToSavepoint('import_batch').execute();
      if (!(error instanceof BatchRejected) || round > 2) throw error;
      const lines = new Set(error.problems.map((p) => p.line));
      for (const unit of units.filter((u) => lines.has(u.line)))
        failed.push({ unit, problems: error.problems.filter((p) => unitHasLine(unit, p.line)) });
      if (!skipInvalid) return failed;
      units = units.filter((u) => !lines.has(u.line));
    }
  }
  return failed;
}

function unitHasLine(unit: ImportUnit, line: number): boolean {
  return unit.records.some((r) => r.line === line);
}

async function writeUnits(
  tx: Transaction<DB>,
  context: BatchContext,
  units: ImportUnit[],
  summary: ImportSummary,
): Promise<RowOutcome[]> {
  const customers = units.flatMap((u) => (u.kind === 'customers' && u.input ? [u.input] : []));
  if (customers.length) return writeCustomerBatch(tx, context, customers);
  const orders = units.flatMap((u) =>
    u.kind === 'orders' && u.input ? [{ line: u.line, input: u.input, customer: u.customer }] : [],
  );
  const { outcomes, customersCreated } = await writeOrderBatch(tx, context, orders);
  summary.customersCreated += customersCreated;
  return outcomes;
}
