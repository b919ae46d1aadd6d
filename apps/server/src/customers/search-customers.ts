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
  // A search first picks the page's ids from the indexes alone (every branch answers customer ids
  // from an index-only scan), then reads only those customers: reading every match's row before
  // the limit cost a heap fetch per match, 200 ms for a common surname at 1M customers.
  const page =
    options.q === undefined
      ? sql`select id from customer
          where workspace_id = ${workspaceId} and merged_into_id is null
            ${options.after === undefined ? sql`` : sql`and id < ${options.after}`}
          order by id desc limit ${options.limit + 1}`
      : sql`select id from (${await matchingIds(workspaceId, options.q, options.after, options.limit + 1)}) as hit (id)
          group by id order by id desc limit ${options.limit + 1}`;
  const { rows } = await sql<{
    id: number;
    family_name: string | null;
    given_name: string | null;
    family_name_kana: string | null;
    given_name_kana: string | null;
    registered_at: Date;
    live: boolean;
  }>`
    with page as (${page})
    select c.id, c.family_name, c.given_name, c.family_name_kana, c.given_name_kana, c.registered_at,
      c.merged_into_id is null as live
    from page join customer c on c.workspace_id = ${workspaceId} and c.id = page.id
    order by c.id desc`.execute(db);
  // The cursor comes from the page of ids, so a row dropped below (a source that still pointed at
  // a merged-away record) shortens the page but never skips a customer on the next one.
  const last = rows.length > options.limit ? rows[options.limit - 1] : undefined;
  const items = rows
    .slice(0, options.limit)
    .filter((r) => r.live)
    .map((r) => ({
      id: Number(r.id),
      familyName: r.family_name,
      givenName: r.given_name,
      familyNameKana: r.family_name_kana,
      givenNameKana: r.given_name_kana,
      registeredAt: r.registered_at.toISOString(),
    }));
  return { items, nextCursor: last ? String(last.id) : null };
}

/** SQL selecting the ids of customers that `q` finds, one index range per field, united. */
async function matchingIds(
  workspaceId: string,
  q: string,
  after: number | undefined,
  limit: number,
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
  // Each branch keeps only its own newest `limit` ids: the page cannot need more from any one of
  // them, and a top-N sort per branch is far cheaper than collecting every match of a common
  // surname (25,000 at 1M customers) for one sort.
  return sql.join(
    branches.map((branch) => sql`(${branch} order by 1 desc limit ${limit})`),
    sql` union all `,
  );
}
