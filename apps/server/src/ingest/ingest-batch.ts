import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { transact } from '../db/transact.ts';
import { DomainError, type FieldProblem, invalid } from '../shared/domain-error.ts';
import type { Validator } from '../shared/validate.ts';

export const MAX_BATCH = 1000;

export interface Rejected {
  index: number;
  problems: FieldProblem[];
}

export interface BatchResult<R> {
  /** One entry per accepted item, in input order, with the item's index. */
  accepted: (R & { index: number })[];
  rejected: Rejected[];
}

/** Writes the valid items of a batch; throws invalid() with item-indexed problems for the rest. */
export type BatchWriter<T, R> = (
  tx: Transaction<DB>,
  items: { index: number; item: T }[],
) => Promise<(R & { index: number })[]>;

function group(problems: FieldProblem[]): Rejected[] {
  const byIndex = new Map<number, FieldProblem[]>();
  for (const problem of problems) {
    const index = problem.index ?? -1;
    byIndex.set(index, [...(byIndex.get(index) ?? []), problem]);
  }
  return [...byIndex]
    .sort(([a], [b]) => a - b)
    .map(([index, list]) => ({ index, problems: list.map(({ path, message }) => ({ path, message })) }));
}

/**
 * The ingest contract shared by customers, orders and events: every item is validated and every
 * problem is reported with its path; by default one bad item rejects the whole batch and nothing
 * is stored. With `partial`, the valid items are stored and the bad ones come back in `rejected`.
 * The write runs in one transaction, retried on a lost race, so a batch is stored whole or not at all.
 */
export async function ingestBatch<T, R>(
  db: Kysely<DB>,
  input: { field: string; items: unknown[]; partial: boolean },
  validator: Validator<T>,
  write: BatchWriter<T, R>,
): Promise<BatchResult<R>> {
  const { field, items, partial } = input;
  if (items.length > MAX_BATCH) {
    throw new DomainError(
      'too_large',
      `${field}: at most ${MAX_BATCH} items per request, got ${items.length}`,
      [{ path: field, message: `at most ${MAX_BATCH} items per request` }],
    );
  }
  const problems: FieldProblem[] = [];
  let valid: { index: number; item: T }[] = [];
  items.forEach((item, index) => {
    const found = validator.problems(item, `${field}[${index}]`);
    if (found.length) problems.push(...found.map((p) => ({ ...p, index })));
    else valid.push({ index, item: item as T });
  });
  if (problems.length && !partial) throw invalid(problems);
  // Problems only the database can see (unknown store, unknown customer id) come back from the
  // writer as invalid(); in partial mode those items are dropped and the rest written again.
  for (let round = 0; ; round++) {
    try {
      const accepted = valid.length ? await transact(db, (tx) => write(tx, valid)) : [];
      return { accepted, rejected: group(problems) };
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'invalid' || !partial || round > 2) throw error;
      const bad = new Set(error.problems.map((p) => p.index));
      if (bad.has(undefined)) throw error;
      problems.push(...error.problems);
      valid = valid.filter((v) => !bad.has(v.index));
    }
  }
}
