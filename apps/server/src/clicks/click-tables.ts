// Kysely's view of the click tables in migrations/0026_campaigns.sql, added to DB by module augmentation.
import type { Id, Timestamp } from '../db/column-types.ts';

export interface LinkKeyTable {
  workspace_id: string;
  key_sealed: string;
}

export interface TrackedLinkTable {
  workspace_id: string;
  id: Id;
  origin: string;
  url: string;
}

export interface LinkClickTable {
  workspace_id: string;
  id: Id;
  link_id: number;
  customer_id: number;
  clicked_at: Timestamp;
}

declare module '../db/schema.ts' {
  interface DB {
    link_key: LinkKeyTable;
    tracked_link: TrackedLinkTable;
    link_click: LinkClickTable;
  }
}
