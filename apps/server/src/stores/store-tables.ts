// Kysely's view of the tables in migrations/0001_core.sql, added to DB by module augmentation.
import type { Id, Timestamp } from '../db/column-types.ts';

export interface StoreTable {
  workspace_id: string;
  id: Id;
  code: string;
  name: string;
  prefecture: string | null;
  created_at: Timestamp;
}

declare module '../db/schema.ts' {
  interface DB {
    store: StoreTable;
  }
}
