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

/**
 * assertCustomersExist for long lists (a send to a million customers): the check runs in the
 * database, which returns only the positions of unknown ids, instead of every known id to be
 * matched here. Each list names its entries by position (`customerIds[3]`).
 */
export async function assertCustomerListsExist(
  db: Kysely<DB>,
  workspaceId: string,
  lists: { ids: number[]; path: (index: number) => string }[],
): Promise<void> {
  const problems: FieldProblem[] = [];
  let more = 0;
  for (const list of lists) {
    if (!list.ids.length) continue;
    const { rows } = await sql<{ ord: string; id: string; unknown: string }>`
      select u.ord, u.id, count(*) over () as unknown
      from unnest(${list.ids}::bigint[]) with ordinality as u(id, ord)
      where not exists (select 1 from customer c where c.workspace_id = ${workspaceId} and c.id = u.id)
      order by u.ord limit ${NAMED}`.execute(db);
    for (const r of rows)
      if (problems.length < NAMED)
        problems.push({
          path: list.path(Number(r.ord) - 1),
          message: `no customer ${r.id} in this workspace`,
        });
      else more++;
    more += Number(rows[0]?.unknown ?? 0) - rows.length;
  }
  if (!problems.length) return;
  if (more)
    problems.push({
      path: '(body)',
      message: `${more} more customer ids are not customers of this workspace`,
    });
  throw invalid(problems);
}
