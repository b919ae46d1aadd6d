import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';

/** The workspace's connected LIFF ids (a tracked link is made for each). */
export async function liffIdsOf(db: Kysely<DB>, workspaceId: string): Promise<string[]> {
  const { rows } = await sql<{ liff_id: string }>`select liff_id from liff_app
    where workspace_id = ${workspaceId} order by liff_id`.execute(db);
  return rows.map((r) => r.liff_id);
}
