// What a customer merge does to each table that holds a customer's rows. Every capability
// declares its tables in its descriptor (capabilities/capability.ts); mergeCustomers reads them
// from here.
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { CustomerSearchSource } from './search-source.ts';

/**
 * - `move`: the merged records' rows are re-pointed at the survivor (`customer_id = survivor`).
 * - `recompute`: derived rows the owner's jobs rebuild after `customers.changed` (nothing here).
 * - `drop`: derived rows of the merged records are deleted; the owner rebuilds the survivor's.
 * - `custom`: the owning capability's `mergeCustomers` handles the table.
 */
export type MergeRule = 'move' | 'recompute' | 'drop' | 'custom';

/** What erasing a customer does to a table's rows: deleted, or kept (say why beside it). */
export type EraseRule = 'delete' | 'keep';

/** Whether a customer's data export carries a table's rows. */
export type ExportRule = 'include' | 'omit';

/**
 * One table with a `customer_id` column and what a merge, an erasure and an export do to its
 * rows. `onErase` and `onExport` are read by erasure and export (not built yet); until then
 * their defaults stand: rows are deleted with the customer and included in an export.
 */
export interface CustomerDataTable {
  table: string;
  onMerge: MergeRule;
  onErase?: EraseRule;
  onExport?: ExportRule;
}

/** A capability's own merge step, run inside the merge's transaction after the moves. */
export type CustomMerge = (
  tx: Transaction<DB>,
  workspaceId: string,
  survivorId: number,
  mergedIds: number[],
) => Promise<void>;

/** A figure a merge combines by the capability's own rule (loyalty: the points balance is summed). */
export interface MergePreviewFigure {
  name: string;
  byCustomer: { customerId: number; value: number }[];
  after: number;
}

/** What a capability's own merge step will leave, computed without writing anything. */
export type CustomMergePreview = (
  db: Kysely<DB>,
  workspaceId: string,
  survivorId: number,
  mergedIds: number[],
) => Promise<MergePreviewFigure[]>;

/** The part of a capability descriptor a merge (and customer search) reads. */
export interface CustomerDataOwner {
  name: string;
  customerData?: readonly CustomerDataTable[];
  mergeCustomers?: CustomMerge;
  /** The figures `mergeCustomers` combines, for the merge preview (`POST /v1/customers/{id}/merge/preview`). */
  mergePreview?: CustomMergePreview;
  /** Loads the fields of this capability's tables that customer search also matches. */
  customerSearch?(): Promise<CustomerSearchSource>;
}

// The owners are handed in by capabilities/index.ts when it is loaded, rather than imported from
// it: the capabilities import (through their routes and jobs) the code that merges customers, so
// an import from here would close a loop. Every entry point (app, worker, CLI) loads that index.
let installed: readonly CustomerDataOwner[] | undefined;

/** Declares the owners of customer data; a table declared twice or a `custom` without a step throws. */
export function installCustomerData(owners: readonly CustomerDataOwner[]): void {
  const seen = new Map<string, string>();
  for (const owner of owners) {
    for (const { table, onMerge } of owner.customerData ?? []) {
      const other = seen.get(table);
      if (other)
        throw new Error(`customerData: table ${table} is declared by both ${other} and ${owner.name}`);
      seen.set(table, owner.name);
      if (onMerge === 'custom' && !owner.mergeCustomers)
        throw new Error(`customerData: ${owner.name} declares ${table} as custom but has no mergeCustomers`);
    }
  }
  installed = owners;
}

/** The declared owners; throws when none were installed (a merge would leave rows behind). */
export function customerDataOwners(): readonly CustomerDataOwner[] {
  if (!installed)
    throw new Error('customerData: no capabilities installed (import capabilities/index.ts first)');
  return installed;
}

/** The search sources the capabilities declare (loyalty's member number, LINE's display name). */
export async function customerSearchSources(): Promise<CustomerSearchSource[]> {
  return Promise.all(customerDataOwners().flatMap((o) => (o.customerSearch ? [o.customerSearch()] : [])));
}
