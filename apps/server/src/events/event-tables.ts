// Kysely's view of the tables in migrations/0001_core.sql, added to DB by module augmentation.
import type { Id, Json, Timestamp } from '../db/column-types.ts';

export interface EventTable {
  workspace_id: string;
  id: Id;
  external_id: string | null;
  customer_id: number;
  type: string;
  occurred_at: Timestamp;
  properties: Json;
  received_at: Timestamp;
}

declare module '../db/schema.ts' {
  interface DB {
    event: EventTable;
  }
}
