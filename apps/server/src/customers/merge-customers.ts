import { type Kysely, sql, type Transaction } from 'kysely';
import { applyStatsDeltas } from '../analytics/customer-stats.ts';
import type { DB } from '../db/schema.ts';
import { mergeLoyalty } from '../loyalty/merge-loyalty.ts';
import type { Identity } from './identities.ts';

const PROFILE_COLUMNS = [
  'family_name',
  'given_name',
  'family_name_kana',
  'given_name_kana',
  'birthday',
  'gender',
  'prefecture',
  'favorite_store_id',
  'acquisition_source',
] as const;

// Tables whose rows belong to a customer and move to the survivor on a merge. A new table with
// a customer_id column must be added here, or a merge would leave its rows on a hidden record.
const OWNED_TABLES = [
  'customer_order',
  'visit',
  'event',
  'consent_event',
  'line_friend',
  'line_account_link',
  'line_outbox',
  'line_rich_menu_link',
] as const;

/**
 * Merges customers into the survivor, the lowest id (the oldest record), so the outcome does not
 * depend on the order identities arrive in. The survivor keeps its own profile values and takes
 * the merged records' values only where it has none; tags and interests are united; identities,
 * orders, visits, events and consent history move; the newest consent state per channel and
 * purpose wins. Merged records stay as tombstones (merged_into_id) and the merge is recorded.
 */
export async function mergeCustomers(
  tx: Kysely<DB>,
  workspaceId: string,
  ids: number[],
  reason: { identities: Identity[]; source: string },
): Promise<{ survivorId: number; mergedIds: number[] }> {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const [survivorId, ...mergedIds] = sorted as [number, ...number[]];
  if (!mergedIds.length) return { survivorId, mergedIds };
  const rows = await tx
    .selectFrom('customer')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', 'in', sorted)
    .orderBy('id')
    // Not `for update`: that lock also blocks the key-share lock a foreign key check takes, so a
    // till writing a ledger entry for one of these customers while holding its member lock would
    // deadlock with this merge when it goes on to take that member lock (mergeLoyalty).
    .forNoKeyUpdate()
    .execute();
  const survivor = rows[0]!;
  const patch: Record<string, unknown> = {};
  for (const column of PROFILE_COLUMNS) {
    if (survivor[column] !== null) continue;
    const donor = rows.find((r) => r[column] !== null);
    if (donor) patch[column] = donor[column];
  }
  const union = (column: 'tags' | 'interests') => [...new Set(rows.flatMap((r) => r[column]))];
  const attributes = Object.assign(
    {},
    ...rows
      .slice(1)
      .reverse()
      .map((r) => r.attributes),
    survivor.attributes,
  );
  // biome-ignore lint/complexity/useMathMinMax: these are Dates; Math.min would turn them into numbers.
  const registeredAt = rows.map((r) => r.registered_at).reduce((a, b) => (a < b ? a : b));

  const moved: Record<string, number> = {};
  for (const table of OWNED_TABLES) {
    const result = await tx
      .updateTable(table)
      .set({ customer_id: survivorId })
      .where('workspace_id', '=', workspaceId)
      .where('customer_id', 'in', mergedIds)
      .executeTakeFirst();
    moved[table] = Number(result.numUpdatedRows);
  }
  const identities = await tx
    .updateTable('customer_identity')
    .set({ customer_id: survivorId })
    .where('workspace_id', '=', workspaceId)
    .where('customer_id', 'in', mergedIds)
    .returning(['kind', 'namespace', 'value'])
    .execute();
  await sql`
    insert into customer_consent (workspace_id, customer_id, channel, purpose, status, source, occurred_at)
    select distinct on (channel, purpose) workspace_id, ${survivorId}::bigint, channel, purpose, status, source, occurred_at
    from customer_consent
    where workspace_id = ${workspaceId} and customer_id = any(${mergedIds}::bigint[])
    order by channel, purpose, occurred_at desc
    on conflict (workspace_id, customer_id, channel, purpose) do update
      set status = excluded.status, source = excluded.source, occurred_at = excluded.occurred_at
      where excluded.occurred_at > customer_consent.occurred_at`.execute(tx);
  await tx
    .deleteFrom('customer_consent')
    .where('workspace_id', '=', workspaceId)
    .where('customer_id', 'in', mergedIds)
    .execute();

  await tx
    .updateTable('customer')
    .set({
      ...patch,
      tags: union('tags'),
      interests: union('interests'),
      attributes: JSON.stringify(attributes),
      registered_at: registeredAt,
      updated_at: new Date(),
    })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', survivorId)
    .execute();
  await tx
    .updateTable('customer')
    .set({ merged_into_id: survivorId, updated_at: new Date() })
    .where('workspace_id', '=', workspaceId)
    .where('id', 'in', mergedIds)
    .execute();
  // Loyalty keeps its own rule for what a merge does to points, lots, coupons, stamps and tier.
  // It runs once the merged records point at the survivor: the survivor's points-based tier
  // counts their earn entries through merged_into_id. Every caller merges inside a transaction;
  // their signatures still say Kysely, hence the cast.
  await mergeLoyalty(tx as Transaction<DB>, workspaceId, survivorId, mergedIds);
  for (const mergedId of mergedIds) {
    await tx
      .insertInto('customer_merge')
      .values({
        workspace_id: workspaceId,
        survivor_id: survivorId,
        merged_id: mergedId,
        detail: JSON.stringify({
          matchedBy: reason.identities,
          source: reason.source,
          movedIdentities: identities,
          moved,
        }),
      })
      .execute();
  }
  // The survivor's order and visit figures now include the merged records' (whose stats go).
  await applyStatsDeltas(tx, workspaceId, [], sorted);
  return { survivorId, mergedIds };
}
