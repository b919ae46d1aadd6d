import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { customerDataOwners } from './customer-data.ts';
import type { Identity } from './identities.ts';
import { planMergedProfile } from './merge-plan.ts';

/**
 * Merges customers into the survivor, the lowest id (the oldest record), so the outcome does not
 * depend on the order identities arrive in. The survivor's profile is planMergedProfile's (its own
 * values, the merged records' only where it has none; tags and interests united); identities,
 * orders, visits, events and consent history move; the newest consent state per channel and
 * purpose wins. Merged records stay as tombstones (merged_into_id) and the merge is recorded.
 * The other tables holding a customer's rows are treated as their capabilities declare
 * (customer-data.ts): moved, dropped, left to their jobs, or handed to the capability's own step.
 */
export async function mergeCustomers(
  db: Kysely<DB>,
  workspaceId: string,
  ids: number[],
  reason: { identities: Identity[]; source: string },
): Promise<{ survivorId: number; mergedIds: number[] }> {
  // The capabilities' merge steps must commit or roll back with the rest of the merge; the
  // callers (upsertCustomer, the LINE account link) type their handle as Kysely, hence the check.
  if (!db.isTransaction) throw new Error('mergeCustomers: must run inside a transaction');
  const tx = db as Transaction<DB>;
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
  const { patch, tags, interests, attributes, registeredAt } = planMergedProfile(rows);

  const owners = customerDataOwners();
  const moved = await moveRows(tx, workspaceId, survivorId, mergedIds, owners);
  const identities = await tx
    .updateTable('customer_identity')
    .set({ customer_id: survivorId })
    .where('workspace_id', '=', workspaceId)
    .where('customer_id', 'in', mergedIds)
    .returning(['kind', 'namespace', 'value'])
    .execute();

  await tx
    .updateTable('customer')
    .set({
      ...patch,
      tags,
      interests,
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
  await dropRows(tx, workspaceId, mergedIds, owners);
  for (const owner of owners) await owner.mergeCustomers?.(tx, workspaceId, survivorId, mergedIds);
  return { survivorId, mergedIds };
}

type Owners = ReturnType<typeof customerDataOwners>;

function tablesWith(owners: Owners, rule: 'move' | 'drop'): string[] {
  return owners.flatMap((o) => (o.customerData ?? []).filter((t) => t.onMerge === rule).map((t) => t.table));
}

/** Re-points the merged records' rows of every `move` table at the survivor; counts by table. */
async function moveRows(
  tx: Transaction<DB>,
  workspaceId: string,
  survivorId: number,
  mergedIds: number[],
  owners: Owners,
): Promise<Record<string, number>> {
  const moved: Record<string, number> = {};
  for (const table of tablesWith(owners, 'move')) {
    // The table names come from the descriptors, not from input; sql.table quotes them.
    const result = await sql`
      update ${sql.table(table)} set customer_id = ${survivorId}
      where workspace_id = ${workspaceId} and customer_id = any(${mergedIds}::bigint[])`.execute(tx);
    moved[table] = Number(result.numAffectedRows ?? 0);
  }
  return moved;
}

/** Deletes the merged records' rows of every `drop` table (derived rows their owner rebuilds). */
async function dropRows(tx: Transaction<DB>, workspaceId: string, mergedIds: number[], owners: Owners) {
  for (const table of tablesWith(owners, 'drop'))
    await sql`
      delete from ${sql.table(table)}
      where workspace_id = ${workspaceId} and customer_id = any(${mergedIds}::bigint[])`.execute(tx);
}
