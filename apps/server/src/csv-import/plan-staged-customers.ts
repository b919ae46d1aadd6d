// Sorts the staged rows of a customers import, in a few statements over the whole file:
//
// - fresh:     none of the row's identities is held by anyone, and no other row of the file
//              names any of them: a new customer, inserted in bulk;
// - unchanged: all its identities belong to one live stored customer who already has the row's
//              values, and no other row of the file touches that customer or those identities;
// - serial:    everything else (a value to change, an identity to attach, customers to merge, an
//              identity or a customer that two rows of the file share). These go through the
//              API's own upsertCustomer, in file order, so the merge rules live in one place.
//
// Fresh and unchanged rows share no identity and no stored customer with any other row, so
// writing them before the serial rows is what writing the file in order would have done.
import { sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';

export type StagePlan = 'fresh' | 'unchanged' | 'serial';

/** Builds the temp table import_plan (line, plan, customer_id); returns the count per plan. */
export async function planStagedCustomers(
  tx: Transaction<DB>,
  workspaceId: string,
): Promise<Record<StagePlan, number>> {
  await sql`create temp table import_identity on commit drop as
    select r.line, x->>0 as kind, x->>1 as namespace, x->>2 as value
    from import_customer_row r cross join lateral jsonb_array_elements(r.identities) x`.execute(tx);
  // Temp tables have no statistics until analysed (autovacuum never sees them), and the group
  // and join estimates below need them. The wide staging table itself is only scanned whole.
  await sql`analyze import_identity`.execute(tx);
  // A correlated subquery, not a join: it is always one primary-key lookup per identity. As a
  // join the planner hashes the workspace's whole identity table for every segment, and the
  // import grows with the square of the file (1M rows: 20 segments, each hashing up to 2.8M).
  await sql`create temp table import_owner on commit drop as
    select i.line, i.kind, i.namespace, i.value,
      (select ci.customer_id from customer_identity ci
       where ci.workspace_id = ${workspaceId}
         and ci.kind = i.kind and ci.namespace = i.namespace and ci.value = i.value) as customer_id
    from import_identity i`.execute(tx);
  await sql`create temp table import_plan on commit drop as
    with repeated as (
      select kind, namespace, value from import_identity
      group by kind, namespace, value having count(*) > 1
    ), shared as (
      select customer_id from import_owner where customer_id is not null
      group by customer_id having count(distinct line) > 1
    )
    select o.line,
      case
        when bool_or(r.kind is not null or s.customer_id is not null) then 'serial'
        when count(o.customer_id) = 0 then 'fresh'
        when count(o.customer_id) = count(*) and min(o.customer_id) = max(o.customer_id) then 'held'
        else 'serial'
      end as plan,
      min(o.customer_id) as customer_id
    from import_owner o
    left join repeated r on r.kind = o.kind and r.namespace = o.namespace and r.value = o.value
    left join shared s on s.customer_id = o.customer_id
    group by o.line`.execute(tx);
  await sql`analyze import_plan`.execute(tx);
  await markUnchanged(tx, workspaceId);
  const { rows } = await sql<{ plan: string; n: number }>`
    select plan, count(*)::int as n from import_plan group by plan`.execute(tx);
  const counts: Record<StagePlan, number> = { fresh: 0, unchanged: 0, serial: 0 };
  for (const row of rows) counts[row.plan === 'held' ? 'serial' : (row.plan as StagePlan)] += row.n;
  return counts;
}

/**
 * A held row whose customer already has every value it gives is unchanged: the same test as
 * stored-customers.ts's `unchanged` (an absent value is no change; attributes compare key by
 * key; a consent compares its current status). The other held rows are left 'held' (serial).
 */
async function markUnchanged(tx: Transaction<DB>, workspaceId: string): Promise<void> {
  // The customer is read by a scalar subquery (one primary-key lookup per row) for the same
  // reason as the identities above: a join would hash the whole customer table per segment.
  await sql`update import_plan p set plan = 'unchanged'
    from import_customer_row r
    where p.plan = 'held' and r.line = p.line
      and coalesce((select c.merged_into_id is null
      and (r.input->>'familyName' is null or c.family_name is not distinct from r.input->>'familyName')
      and (r.input->>'givenName' is null or c.given_name is not distinct from r.input->>'givenName')
      and (r.input->>'familyNameKana' is null
        or c.family_name_kana is not distinct from r.input->>'familyNameKana')
      and (r.input->>'givenNameKana' is null
        or c.given_name_kana is not distinct from r.input->>'givenNameKana')
      and (r.input->>'birthday' is null or c.birthday is not distinct from (r.input->>'birthday')::date)
      and (r.input->>'gender' is null or c.gender is not distinct from r.input->>'gender')
      and (r.input->>'prefecture' is null or c.prefecture is not distinct from r.input->>'prefecture')
      and (r.input->>'postalCode' is null or c.postal_code is not distinct from r.input->>'postalCode')
      and (r.favorite_store_id is null or c.favorite_store_id is not distinct from r.favorite_store_id)
      and (r.input->'interests' is null
        or c.interests = array(select jsonb_array_elements_text(r.input->'interests')))
      and (r.input->>'registeredAt' is null
        or c.registered_at is not distinct from (r.input->>'registeredAt')::timestamptz)
      and (r.input->>'acquisitionSource' is null
        or c.acquisition_source is not distinct from r.input->>'acquisitionSource')
      and (r.input->'tags' is null or c.tags = array(select jsonb_array_elements_text(r.input->'tags')))
      and (r.input->'attributes' is null or c.attributes @> (r.input->'attributes'))
      and not exists (
        select from jsonb_array_elements(coalesce(r.input->'consents', '[]')) k
        where (select cc.status from customer_consent cc
               where cc.workspace_id = ${workspaceId} and cc.customer_id = c.id
                 and cc.channel = k->>'channel' and cc.purpose = k->>'purpose')
          is distinct from k->>'status')
      from customer c where c.workspace_id = ${workspaceId} and c.id = p.customer_id), false)`.execute(tx);
}
