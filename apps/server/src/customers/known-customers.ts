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
  await assertCustomerListsExist(db, workspaceId, [
    { ids: entries.map((e) => e.customerId), path: (i) => entries[i]!.path },
  ]);
}

/**
 * The same check for lists whose entries are named by position (`customerIds[3]`). It runs in the
 * database, which returns only the unknown positions: a send to a million customers used to ship
 * every known id back here to be matched.
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
