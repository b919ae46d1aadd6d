import type { Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';

// Replaced by the loyalty merge rule (other branch).
/**
 * The loyalty part of a customer merge. Today it leaves the merged records' members, points,
 * coupons and stamp cards where they are, as Kizuna did before merges read the descriptors.
 */
export async function mergeLoyalty(
  _tx: Transaction<DB>,
  _workspaceId: string,
  _survivorId: number,
  _mergedIds: number[],
): Promise<void> {}
