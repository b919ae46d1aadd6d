// Coupon-template ids named by other loyalty settings (tier perks, status grants, stamp-card
// rewards) live inside JSON documents, where no foreign key can guard them. They are checked
// here when the setting is saved: a dangling id would otherwise surface much later, as a failing
// order job or a till call that cannot grant the reward.
import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { invalid } from '../shared/domain-error.ts';

/** A coupon-template id and the path of the field that names it (`rewards[1].couponTemplateId`). */
export interface CouponTemplateRef {
  path: string;
  id: number;
}

/** Throws `invalid`, naming each field, when a referenced template is not in the workspace. */
export async function assertCouponTemplatesExist(
  db: Kysely<DB> | Transaction<DB>,
  workspaceId: string,
  refs: readonly CouponTemplateRef[],
): Promise<void> {
  if (refs.length === 0) return;
  const ids = [...new Set(refs.map((r) => r.id))];
  const { rows } = await sql<{ id: number }>`select id from coupon_template
    where workspace_id = ${workspaceId} and id = any(${ids}::bigint[])`.execute(db);
  const found = new Set(rows.map((r) => Number(r.id)));
  const problems = refs
    .filter((r) => !found.has(r.id))
    .map((r) => ({ path: r.path, message: `coupon template ${r.id} does not exist in this workspace` }));
  if (problems.length) throw invalid(problems);
}
