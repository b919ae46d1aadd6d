// Kysely's view of the tables in migrations/0001_core.sql and 0021, added to DB by module augmentation.
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
  staff: string | null;
  spend: Generated<number>;
  order_external_id: string | null;
  created_at: Timestamp;
}

export interface VisitMenuItemTable {
  workspace_id: string;
  visit_id: number;
  line_no: number;
  name: string;
  code: string | null;
  category: string | null;
  price: number | null;
  quantity: Generated<number>;
}

declare module '../db/schema.ts' {
  interface DB {
    visit: VisitTable;
    visit_menu_item: VisitMenuItemTable;
  }
}
