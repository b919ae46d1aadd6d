// Kysely type of the domain event log (migrations/0013_domain_events.sql).
import type { ColumnType, Generated } from 'kysely';

export interface DomainEventTable {
  workspace_id: string;
  seq: Generated<number>;
  /** The writing transaction's id (xid8, read as text): set by the column default, never by hand. */
  xid: ColumnType<string, never, never>;
  customer_id: number;
  type: string;
  payload: ColumnType<unknown, string, never>;
  occurred_at: ColumnType<Date, Date | string, never>;
  recorded_at: ColumnType<Date, Date | string | undefined, never>;
  dedupe_key: string | null;
}

declare module '../db/schema.ts' {
  interface DB {
    domain_event: DomainEventTable;
  }
}
