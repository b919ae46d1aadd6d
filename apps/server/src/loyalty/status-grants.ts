// The daily status-based grants: for each rule in rules.statusGrants, grant its coupon to every
// customer its condition (status-conditions.ts) selects, once per period (grant key).
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import { DomainError } from '../shared/domain-error.ts';
import { grantCoupon } from './coupons.ts';
import { loadRules } from './rules.ts';
import { statusCondition } from './status-conditions.ts';

export async function runStatusGrants(
  db: Kysely<DB>,
  workspaceId: string,
  options: { at?: Date; actor: string },
) {
  const at = options.at ?? new Date();
  const rules = await loadRules(db, workspaceId);
  const outcome = { granted: 0, skipped: 0 };
  for (const rule of rules.statusGrants) {
    const { rows } = await statusCondition(rule.trigger, workspaceId, at).execute(db);
    for (const row of rows) {
      try {
        const coupon = await grantCoupon(db, workspaceId, {
          templateId: rule.couponTemplateId,
          customerId: row.customer_id,
          source: `status:${rule.trigger}`,
          grantKey: `status:${rule.trigger}:${row.period}`,
          actor: options.actor,
          at,
        });
        if (coupon.replayed) outcome.skipped++;
        else outcome.granted++;
      } catch (error) {
        // A limit reached or an inactive template skips the customer; anything else is a bug.
        if (!(error instanceof DomainError && error.code === 'conflict')) throw error;
        outcome.skipped++;
      }
    }
  }
  return outcome;
}

export async function workspacesWithLoyalty(db: Kysely<DB>): Promise<string[]> {
  const { rows } = await sql<{ workspace_id: string }>`select workspace_id from loyalty_program
    union select distinct workspace_id from loyalty_member`.execute(db);
  return rows.map((r) => r.workspace_id);
}
