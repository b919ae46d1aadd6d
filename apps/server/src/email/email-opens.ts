// Opens per email send, for the results of journeys and campaigns. An open is an estimate
// (Apple Mail Privacy Protection loads every pixel); clicks are the reliable signal.
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';

/**
 * What one email costs in the results of journeys and campaigns: the price the shop set on its
 * sender for its relay (`yenPerMessage`, 0 by default and without a sender; LINE messages are
 * priced by the plan).
 */
export async function emailYenPerMessage(db: Kysely<DB>, workspaceId: string): Promise<number> {
  const row = await db
    .selectFrom('email_sender')
    .select('yen_per_message')
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
  return row ? Number(row.yen_per_message) : 0;
}

/** Messages opened (at most one per message) per send id; every id given gets an entry. */
export async function opensBySend(
  db: Kysely<DB>,
  workspaceId: string,
  sendIds: readonly number[],
): Promise<Map<number, number>> {
  const out = new Map<number, number>(sendIds.map((id) => [id, 0]));
  if (!sendIds.length) return out;
  const { rows } = await sql<{ send_id: number; n: number }>`
    select send_id, count(distinct seq)::int as n from email_event
    where workspace_id = ${workspaceId} and kind = 'open' and send_id = any(${[...sendIds]}::bigint[])
    group by send_id`.execute(db);
  for (const r of rows) out.set(Number(r.send_id), r.n);
  return out;
}
