import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import { type FieldProblem, invalid } from '../shared/domain-error.ts';

/** At most this many ids are named one by one; the rest are counted. */
const NAMED = 100;

/**
 * Throws `invalid` naming every entry whose customer id is not a customer of this workspace
 * (another workspace's or none at all: the two read the same, so nothing is revealed about other
 * workspaces). Customers merged into another one are this workspace's and pass.
 *
 * @example
 * await assertCustomersExist(db, ws, ids.map((customerId, i) => ({ path: `customerIds[${i}]`, customerId })));
 * // → 400 customerIds[2]: no customer 9001 in this workspace
 */
export async function assertCustomersExist(
  db: Kysely<DB>,
  workspaceId: string,
  entries: { path: string; customerId: number }[],
): Promise<void> {
  if (!entries.length) return;
  const ids = [...new Set(entries.map((e) => e.customerId))];
  const { rows } = await sql<{ id: number }>`
    select id from customer where workspace_id = ${workspaceId} and id = any(${ids}::bigint[])`.execute(db);
  const known = new Set(rows.map((r) => Number(r.id)));
  const unknown = entries.filter((e) => !known.has(e.customerId));
  if (!unknown.length) return;
  const problems: FieldProblem[] = unknown
    .slice(0, NAMED)
    .map((e) => ({ path: e.path, message: `no customer ${e.customerId} in this workspace` }));
  if (unknown.length > NAMED)
    problems.push({
      path: '(body)',
      message: `${unknown.length - NAMED} more customer ids are not customers of this workspace`,
    });
  throw invalid(problems);
}
