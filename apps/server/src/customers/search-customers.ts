import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import { invalid } from '../shared/domain-error.ts';
import { customerSearchSources } from './customer-data.ts';
import { type KeyRange, phonePrefix, prefixRange, searchKey, searchTextProblems } from './search-key.ts';

/** One customer in a list or search page. */
export interface CustomerListItem {
  id: number;
  familyName: string | null;
  givenName: string | null;
  familyNameKana: string | null;
  givenNameKana: string | null;
  registeredAt: string;
}

export interface CustomerPage {
  items: CustomerListItem[];
  nextCursor: string | null;
}

export interface CustomerSearchOptions {
  limit: number;
  /** The previous page's nextCursor: only customers with a lower id. */
  after?: number;
  /** Search text; without it, every live customer. */
  q?: string;
}

/**
 * One page of live customers, newest first (id descending, so the cursor is the last id and a
 * page never repeats or skips a customer, searched or not). With `q`, only customers whose name,
 * given name, kana reading, email, phone, external id, loyalty member number or LINE display name
 * starts with it (names and kana through searchKey, phones through phonePrefix, emails
 * case-insensitively). Each field is an index range scan (migration 0016).
 *
 * @example
 * await searchCustomers(db, workspaceId, { q: 'ﾀﾅｶ', limit: 20 }); // タナカ, たなか, ﾀﾅｶ alike
 */
export async function searchCustomers(
  db: Kysely<DB>,
  workspaceId: string,
  options: CustomerSearchOptions,
): Promise<CustomerPage> {
  const matches =
    options.q === undefined ? undefined : await matchingIds(workspaceId, options.q, options.after);
  const { rows } = await sql<{
    id: number;
    family_name: string | null;
    given_name: string | null;
    family_name_kana: string | null;
    given_name_kana: string | null;
    registered_at: Date;
  }>`
    select id, family_name, given_name, family_name_kana, given_name_kana, registered_at
    from customer
    where workspace_id = ${workspaceId} and merged_into_id is null
      ${options.after === undefined ? sql`` : sql`and id < ${options.after}`}
      ${matches === undefined ? sql`` : sql`and id in (${matches})`}
    order by id desc
    limit ${options.limit + 1}`.execute(db);
  const items = rows.slice(0, options.limit).map((r) => ({
    id: Number(r.id),
    familyName: r.family_name,
    givenName: r.given_name,
    familyNameKana: r.family_name_kana,
    givenNameKana: r.given_name_kana,
    registeredAt: r.registered_at.toISOString(),
  }));
  const last = items.at(-1);
  return { items, nextCursor: rows.length > options.limit && last ? String(last.id) : null };
}

/** SQL selecting the ids of customers that `q` finds, one index range per field, united. */
async function matchingIds(
  workspaceId: string,
  q: string,
  after: number | undefined,
): Promise<RawBuilder<unknown>> {
  const problems = searchTextProblems(q, 'q');
  if (problems.length) throw invalid(problems);
  const key = prefixRange(searchKey(q));
  const text = q.normalize('NFKC').trim();
  const below = (column: RawBuilder<unknown>) =>
    after === undefined ? sql`` : sql`and ${column} < ${after}`;
  const customerKey = (column: string) => sql`
    select id from customer
    where workspace_id = ${workspaceId} and merged_into_id is null ${below(sql`id`)}
      and ${sql.ref(column)} >= ${key.from} and ${sql.ref(column)} < ${key.below}`;
  const identity = (kind: string, range: KeyRange) => sql`
    select customer_id from customer_identity
    where workspace_id = ${workspaceId} and kind = ${kind} ${below(sql`customer_id`)}
      and value collate "C" >= ${range.from} and value collate "C" < ${range.below}`;
  const branches = [
    customerKey('search_name'),
    customerKey('search_given_name'),
    customerKey('search_kana'),
    customerKey('search_given_kana'),
  ];
  if (text) {
    branches.push(
      identity('email', prefixRange(text.toLowerCase())),
      identity('external', prefixRange(text)),
    );
  }
  const phone = phonePrefix(q);
  // '+81' alone would match every Japanese number.
  if (phone && phone.length > 3) branches.push(identity('phone', prefixRange(phone)));
  for (const source of await customerSearchSources()) {
    const range = source.folding === 'key' ? key : text ? prefixRange(text) : undefined;
    if (range)
      branches.push(sql`
        select customer_id from (${source.select(workspaceId, range)}) as found
        where true ${below(sql`customer_id`)}`);
  }
  return sql.join(branches, sql` union all `);
}
