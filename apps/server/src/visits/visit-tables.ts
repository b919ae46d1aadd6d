// Kysely's view of the tables in migrations/0001_core.sql, added to DB by module augmentation.
import type { Generated } from 'kysely';
import type { Id, Timestamp } from '../db/column-types.ts';

export interface VisitTable {
  workspace_id: string;
  id: Id;
  external_id: string;
  customer_id: number;
  store_id: number | null;
  visited_at: Timestamp;
  source: Generated<string>;
  created_at: Timestamp;
}

declare module '../db/schema.ts' {
  interface DB {
    visit: VisitTable;
  }
}
