// Opens per email send, for the results of journeys and campaigns. An open is an estimate
// (Apple Mail Privacy Protection loads every pixel); clicks are the reliable signal.
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';

/**
 * What one email costs in the results of journeys and campaigns: nothing beyond the shop's own SMTP
 * relay, which Kizuna does not see (no setting changes it yet; LINE messages are priced by the plan).
 */
export const EMAIL_YEN_PER_MESSAGE = 0;

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
