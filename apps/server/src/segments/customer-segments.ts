// The segments one customer is in now (for the karte summary).
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import './segment-tables.ts';

export interface CustomerSegment {
  id: number;
  name: string;
  enteredAt: string;
}

/** The customer's current segments, by name. */
export async function customerSegments(
  db: Kysely<DB>,
  workspaceId: string,
  customerId: number,
): Promise<CustomerSegment[]> {
  const rows = await db
    .selectFrom('segment_member as m')
    .innerJoin('segment as s', (j) =>
      j.onRef('s.workspace_id', '=', 'm.workspace_id').onRef('s.id', '=', 'm.segment_id'),
    )
    .select(['s.id', 's.name', 'm.entered_at'])
    .where('m.workspace_id', '=', workspaceId)
    .where('m.customer_id', '=', customerId)
    .orderBy('s.name')
    .orderBy('s.id')
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, enteredAt: r.entered_at.toISOString() }));
}
