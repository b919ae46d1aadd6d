// Kysely's view of the tables in migrations/0001_core.sql and 0021, added to DB by module augmentation.
import type { Id, Timestamp } from '../db/column-types.ts';

export interface ProductTable {
  workspace_id: string;
  id: Id;
  sku: string;
  name: string;
  price: number | null;
  /** migrations/0021: e.g. コーヒー豆; the segment condition `purchased` can select by it. */
  category: string | null;
  created_at: Timestamp;
}

declare module '../db/schema.ts' {
  interface DB {
    product: ProductTable;
  }
}
