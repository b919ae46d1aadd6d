// Checks the descriptors against the database: a table with a customer_id column that no
// capability declares would be left behind by a merge (and by an export or an erasure).
import { type Kysely, sql } from 'kysely';
import type { CustomerDataOwner } from '../customers/customer-data.ts';
import type { DB } from '../db/schema.ts';

/** The base tables (not views) of the current schema that have a `customer_id` column, by name. */
export async function customerTablesInDatabase(db: Kysely<DB>): Promise<string[]> {
  const { rows } = await sql<{ table_name: string }>`
    select c.table_name
    from information_schema.columns c
    join information_schema.tables t
      on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = current_schema() and c.column_name = 'customer_id'
      and t.table_type = 'BASE TABLE'
    order by c.table_name`.execute(db);
  return rows.map((r) => r.table_name);
}

export interface CustomerDataCoverage {
  /** Tables with a customer_id column that no descriptor declares. */
  undeclared: string[];
  /** Declared tables that are not a table with a customer_id column (a typo, or a dropped table). */
  unknown: string[];
}

/** Holds the owners' declared customer tables against the database's. */
export async function checkCustomerDataCoverage(
  db: Kysely<DB>,
  owners: readonly CustomerDataOwner[],
): Promise<CustomerDataCoverage> {
  const inDatabase = await customerTablesInDatabase(db);
  const declared = new Set(owners.flatMap((o) => (o.customerData ?? []).map((t) => t.table)));
  return {
    undeclared: inDatabase.filter((table) => !declared.has(table)),
    unknown: [...declared].filter((table) => !inDatabase.includes(table)).sort(),
  };
}
