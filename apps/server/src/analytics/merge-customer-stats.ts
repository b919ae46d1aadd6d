import type { Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { applyStatsDeltas } from './customer-stats.ts';

/**
 * The customer-figures part of a merge: the survivor's order and visit figures are recomputed
 * to include the merged records' (whose own figures go), in the merge's transaction.
 */
export async function mergeCustomerStats(
  tx: Transaction<DB>,
  workspaceId: string,
  survivorId: number,
  mergedIds: number[],
): Promise<void> {
  await applyStatsDeltas(tx, workspaceId, [], [survivorId, ...mergedIds]);
}
