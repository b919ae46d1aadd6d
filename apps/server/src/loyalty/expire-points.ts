// The expiry job: expires lots whose time has come (one short transaction per member, under the
// member lock) and records "points expiring soon" events, once per member and expiry day.
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import { transact } from '../db/transact.ts';
import { insertSelectedEvents } from '../domain-events/append-select.ts';
import { lockMember } from './members.ts';
import { expireMemberLots } from './points-ledger.ts';
import { loadRules } from './rules.ts';

export async function expirePoints(db: Kysely<DB>, options: { at?: Date; workspaceId?: string } = {}) {
  const at = options.at ?? new Date();
  const ws = options.workspaceId ?? null;
  const { rows } = await sql<{ workspace_id: string; customer_id: number }>`
    select distinct workspace_id, customer_id from point_lot
    where remaining > 0 and expires_at <= ${at} and (${ws}::uuid is null or workspace_id = ${ws})`.execute(
    db,
  );
  let points = 0;
  for (const row of rows)
    points += await transact(db, async (tx) => {
      await lockMember(tx, row.workspace_id, row.customer_id);
      return expireMemberLots(tx, row.workspace_id, row.customer_id, at);
    });
  return { members: rows.length, points };
}

/**
 * Appends `loyalty.points_expiring` { points, expiresOn, firstExpiry, balance } for members with points
 * expiring within the workspace's expiringSoonDays, one event per member and JST expiry day.
 */
export async function recordExpiringSoon(db: Kysely<DB>, options: { at?: Date; workspaceId?: string } = {}) {
  const at = options.at ?? new Date();
  const ws = options.workspaceId ?? null;
  const workspaces = await sql<{ workspace_id: string }>`select distinct workspace_id from point_lot
    where remaining > 0 and (${ws}::uuid is null or workspace_id = ${ws})`.execute(db);
  let recorded = 0;
  for (const { workspace_id: workspaceId } of workspaces.rows) {
    const rules = await loadRules(db, workspaceId);
    const until = new Date(at.getTime() + rules.expiringSoonDays * 86_400_000);
    const result = await insertSelectedEvents(workspaceId, {
      type: 'loyalty.points_expiring',
      from: sql`point_lot l
        cross join lateral (select to_char(l.expires_at at time zone 'Asia/Tokyo', 'YYYY-MM-DD') as day) d
        join loyalty_member m on m.workspace_id = l.workspace_id and m.customer_id = l.customer_id
        where l.workspace_id = ${workspaceId} and l.remaining > 0 and l.expires_at > ${at} and l.expires_at <= ${until}
        group by l.customer_id, d.day`,
      customerId: sql<number>`l.customer_id`,
      payload: {
        points: sql<number>`sum(l.remaining)`,
        expiresOn: sql<string>`d.day`,
        firstExpiry: sql<string>`min(l.expires_at)`,
        balance: sql<number>`min(m.balance)`,
      },
      occurredAt: sql<Date>`${at}::timestamptz`,
      dedupeKey: sql<string>`'loyalty:points_expiring:' || l.customer_id || ':' || d.day`,
    }).execute(db);
    recorded += Number(result.numAffectedRows ?? 0);
  }
  return { recorded };
}
