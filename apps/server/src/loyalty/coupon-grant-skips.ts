// Grants made by rules (status grants, tier perks, next-purchase coupons, stamp-card rewards)
// rather than by a person: when the coupon's own conditions refuse the customer (a tier-restricted
// coupon and a member of another tier, a limit reached, an inactive template), the grant is
// skipped and the reason recorded in coupon_grant_skip, instead of failing the job that made it
// (an order's points would otherwise wait on a coupon it cannot have). A person granting through
// the API gets the refusal as a 409 instead.
import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { DomainError } from '../shared/domain-error.ts';
import type { Coupon } from './coupon-types.ts';
import { type GrantInput, grantCouponInTx } from './coupons.ts';

export type GrantSkipReason = 'tier_restricted' | 'per_customer_limit' | 'total_limit' | 'inactive';

/** The DomainError reasons of grantCouponInTx's refusals, by the skip reason recorded for them. */
const SKIP_REASONS: Record<string, GrantSkipReason> = {
  coupon_tier_restricted: 'tier_restricted',
  coupon_per_customer_limit: 'per_customer_limit',
  coupon_total_limit: 'total_limit',
  coupon_template_inactive: 'inactive',
};

export type GrantOrSkip =
  | { granted: Coupon & { replayed: boolean }; skipped?: undefined }
  | { granted?: undefined; skipped: GrantSkipReason };

/**
 * Grants the coupon, or records why the coupon's conditions refused it. The caller holds the
 * member's lock, so the check before the insert cannot race a second writer. The refusals are
 * thrown before anything is written, so the transaction is still usable after one.
 */
export async function grantCouponOrSkip(
  tx: Transaction<DB>,
  workspaceId: string,
  input: GrantInput & { grantKey: string },
): Promise<GrantOrSkip> {
  try {
    return { granted: await grantCouponInTx(tx, workspaceId, input) };
  } catch (error) {
    const reason = error instanceof DomainError && error.reason ? SKIP_REASONS[error.reason] : undefined;
    if (!reason || !(error instanceof DomainError)) throw error;
    await sql`insert into coupon_grant_skip (workspace_id, template_id, customer_id, source, grant_key, reason, message)
      select ${workspaceId}, ${input.templateId}, ${input.customerId}, ${input.source}, ${input.grantKey}, ${reason},
        ${error.message}
      where not exists (select 1 from coupon_grant_skip where workspace_id = ${workspaceId}
        and customer_id = ${input.customerId} and template_id = ${input.templateId} and grant_key = ${input.grantKey})`.execute(
      tx,
    );
    return { skipped: reason };
  }
}

export interface GrantSkip {
  templateId: number;
  source: string;
  grantKey: string;
  reason: GrantSkipReason;
  message: string;
  createdAt: string;
}

/** A customer's skipped grants, newest first. */
export async function listGrantSkips(
  db: Transaction<DB> | Kysely<DB>,
  workspaceId: string,
  customerId: number,
): Promise<GrantSkip[]> {
  const { rows } = await sql<{
    template_id: number;
    source: string;
    grant_key: string;
    reason: GrantSkipReason;
    message: string;
    created_at: Date;
  }>`select template_id, source, grant_key, reason, message, created_at from coupon_grant_skip
    where workspace_id = ${workspaceId} and customer_id = ${customerId} order by id desc limit 100`.execute(
    db,
  );
  return rows.map((r) => ({
    templateId: Number(r.template_id),
    source: r.source,
    grantKey: r.grant_key,
    reason: r.reason,
    message: r.message,
    createdAt: r.created_at.toISOString(),
  }));
}
