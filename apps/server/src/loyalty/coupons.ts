// Coupon templates, grants (one unguessable code per customer) and single-use redemption.
// Redemption (redeem-coupon.ts) is one conditional UPDATE (`… where status = 'active'`): when two
// tills send the same code at once, PostgreSQL makes the second wait for the first and then
// re-checks the condition, so exactly one succeeds. A void makes the coupon usable again.
import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { transact } from '../db/transact.ts';
import { appendDomainEvents } from '../domain-events/append.ts';
import { DomainError, invalid, notFound } from '../shared/domain-error.ts';
import { generateCouponCode, normalizeCouponCode } from './coupon-code.ts';
import type { Coupon, CouponKind } from './coupon-types.ts';
import { lockMember } from './members.ts';
import { loadRules, tierRestrictionText } from './rules.ts';

// The coupon's own shapes live in coupon-types.ts, which redemption imports without importing this file.
export type { Coupon, CouponKind } from './coupon-types.ts';
// Redemption lives in its own file (one statement and its refusal reasons); re-exported here so
// that callers keep finding every coupon operation in coupons.ts.
export {
  type RedeemCouponInput,
  type RedeemedCoupon,
  redeemCoupon,
  redeemCouponInTx,
} from './redeem-coupon.ts';

export interface CouponTemplateInput {
  name: string;
  description?: string;
  kind: CouponKind;
  value?: number;
  freeItem?: string;
  minSpend?: number;
  storeCodes?: string[];
  validFrom?: string;
  validUntil?: string;
  validDays?: number;
  perCustomerLimit?: number;
  totalLimit?: number;
  /** Tier codes (rules.tiers[].code) whose members may hold and use it; none: every member. */
  tierCodes?: string[];
}

export interface CouponTemplate {
  id: number;
  name: string;
  description: string;
  kind: CouponKind;
  value: number;
  free_item: string | null;
  min_spend: number;
  store_codes: string[];
  valid_from: Date | null;
  valid_until: Date | null;
  valid_days: number | null;
  per_customer_limit: number | null;
  total_limit: number | null;
  issued_count: number;
  active: boolean;
  tier_codes: string[];
}

export async function createCouponTemplate(
  db: Kysely<DB>,
  workspaceId: string,
  input: CouponTemplateInput,
): Promise<CouponTemplate> {
  await checkCouponTerms(db, workspaceId, input);
  const { rows } = await sql<CouponTemplate>`
    insert into coupon_template (workspace_id, name, description, kind, value, free_item, min_spend, store_codes,
      valid_from, valid_until, valid_days, per_customer_limit, total_limit, tier_codes)
    values (${workspaceId}, ${input.name}, ${input.description ?? ''}, ${input.kind}, ${input.value ?? 0},
      ${input.freeItem ?? null}, ${input.minSpend ?? 0}, ${input.storeCodes ?? []}, ${input.validFrom ?? null},
      ${input.validUntil ?? null}, ${input.validDays ?? null}, ${input.perCustomerLimit ?? null}, ${input.totalLimit ?? null},
      ${[...new Set(input.tierCodes ?? [])]})
    returning *`.execute(db);
  return rows[0]!;
}

/** The discount must make sense for its kind, and every tier code must name a tier. */
export async function checkCouponTerms(
  db: Kysely<DB>,
  workspaceId: string,
  input: Pick<CouponTemplateInput, 'kind' | 'value' | 'freeItem' | 'tierCodes'>,
): Promise<void> {
  if (input.kind === 'percent_off' && !(input.value && input.value <= 100))
    throw invalid([{ path: 'value', message: 'a percent_off coupon needs a value from 1 to 100' }]);
  if (input.kind === 'amount_off' && !input.value)
    throw invalid([{ path: 'value', message: 'an amount_off coupon needs a value in yen' }]);
  if (input.kind === 'free_item' && !input.freeItem)
    throw invalid([{ path: 'freeItem', message: 'a free_item coupon names the item' }]);
  await assertTierCodes(db, workspaceId, input.tierCodes ?? []);
}

/** Every code must name a tier of the workspace's rules (a typo would make the coupon unusable). */
async function assertTierCodes(db: Kysely<DB>, workspaceId: string, codes: readonly string[]) {
  if (!codes.length) return;
  const known = new Set((await loadRules(db, workspaceId)).tiers.map((t) => t.code));
  const problems = codes.flatMap((code, i) =>
    known.has(code)
      ? []
      : [{ path: `tierCodes[${i}]`, message: `"${code}" is not a tier (${[...known].join(', ')})` }],
  );
  if (problems.length) throw invalid(problems);
}

export async function listCouponTemplates(db: Kysely<DB>, workspaceId: string): Promise<CouponTemplate[]> {
  const { rows } =
    await sql<CouponTemplate>`select * from coupon_template where workspace_id = ${workspaceId} order by id`.execute(
      db,
    );
  return rows;
}

export interface GrantInput {
  templateId: number;
  customerId: number;
  source: string;
  actor: string;
  /** Grants with the same key for the same template and customer return the first coupon. */
  grantKey?: string;
  at?: Date;
  /**
   * A next-purchase coupon: the order that granted it. The coupon is valid from `at` (after the
   * order) and redemption refuses it on this order.
   */
  grantedOrderId?: number;
}

/** Grants a coupon; the caller holds the customer's member lock (per-customer limit). */
export async function grantCouponInTx(
  tx: Transaction<DB>,
  workspaceId: string,
  input: GrantInput,
): Promise<Coupon & { replayed: boolean }> {
  if (input.grantKey) {
    const { rows } = await sql<Coupon>`select * from coupon where workspace_id = ${workspaceId}
      and template_id = ${input.templateId} and customer_id = ${input.customerId} and grant_key = ${input.grantKey}`.execute(
      tx,
    );
    if (rows[0]) return { ...rows[0], replayed: true };
  }
  const template = (
    await sql<CouponTemplate>`select * from coupon_template where workspace_id = ${workspaceId} and id = ${input.templateId}`.execute(
      tx,
    )
  ).rows[0];
  if (!template) throw notFound(`coupon template ${input.templateId}`);
  if (!template.active)
    throw new DomainError('conflict', `coupon template ${input.templateId} is not active`, [], {
      reason: 'coupon_template_inactive',
    });
  if (template.tier_codes.length) await assertInTiers(tx, workspaceId, input.customerId, template);
  if (template.per_customer_limit) {
    const { rows } = await sql<{
      n: number;
    }>`select count(*)::int as n from coupon where workspace_id = ${workspaceId}
      and template_id = ${input.templateId} and customer_id = ${input.customerId}`.execute(tx);
    if (rows[0]!.n >= template.per_customer_limit)
      throw new DomainError(
        'conflict',
        `the customer already has ${rows[0]!.n} of this coupon (limit ${template.per_customer_limit})`,
        [],
        { reason: 'coupon_per_customer_limit' },
      );
  }
  // The total limit is a conditional increment: concurrent grants cannot exceed it.
  const counted = await sql`update coupon_template set issued_count = issued_count + 1
    where workspace_id = ${workspaceId} and id = ${input.templateId}
      and (total_limit is null or issued_count < total_limit) returning id`.execute(tx);
  if (!counted.rows.length)
    throw new DomainError('conflict', `coupon template ${input.templateId} has reached its total limit`, [], {
      reason: 'coupon_total_limit',
    });
  const at = input.at ?? new Date();
  const validFrom = template.valid_from && template.valid_from > at ? template.valid_from : at;
  let validUntil = template.valid_until;
  if (template.valid_days) {
    const byDays = new Date(at.getTime() + template.valid_days * 86_400_000);
    if (!validUntil || byDays < validUntil) validUntil = byDays;
  }
  // A code collision (2^-59 a pair) raises a unique violation, which transact retries.
  const { rows } = await sql<Coupon>`
    insert into coupon (workspace_id, template_id, customer_id, code, valid_from, valid_until, source, grant_key,
      granted_order_id)
    values (${workspaceId}, ${input.templateId}, ${input.customerId}, ${generateCouponCode()}, ${validFrom},
      ${validUntil}, ${input.source}, ${input.grantKey ?? null}, ${input.grantedOrderId ?? null})
    returning *`.execute(tx);
  const coupon = rows[0]!;
  await couponEvent(tx, workspaceId, coupon.id, 'granted', input.actor, input.source);
  await appendDomainEvents(tx, workspaceId, [
    {
      type: 'loyalty.coupon_granted',
      customerId: input.customerId,
      occurredAt: at,
      dedupeKey: `loyalty:coupon_granted:coupon:${coupon.id}`,
      payload: {
        couponId: coupon.id,
        templateId: template.id,
        name: template.name,
        source: input.source,
        validUntil: validUntil?.toISOString() ?? null,
      },
    },
  ]);
  return { ...coupon, replayed: false };
}

/** Refuses a tier-restricted coupon to a member outside its tiers (the caller holds the lock). */
async function assertInTiers(
  tx: Transaction<DB>,
  workspaceId: string,
  customerId: number,
  template: CouponTemplate,
) {
  const { rows } = await sql<{ tier_code: string | null }>`select tier_code from loyalty_member
    where workspace_id = ${workspaceId} and customer_id = ${customerId}`.execute(tx);
  const tier = rows[0]?.tier_code ?? null;
  if (tier !== null && template.tier_codes.includes(tier)) return;
  const rules = await loadRules(tx, workspaceId);
  throw new DomainError(
    'conflict',
    `このクーポンは${tierRestrictionText(rules, template.tier_codes, tier)}`,
    [],
    {
      reason: 'coupon_tier_restricted',
    },
  );
}

export async function grantCoupon(db: Kysely<DB>, workspaceId: string, input: GrantInput) {
  return transact(db, async (tx) => {
    await lockMember(tx, workspaceId, input.customerId);
    return grantCouponInTx(tx, workspaceId, input);
  });
}

async function couponEvent(
  tx: Transaction<DB>,
  workspaceId: string,
  couponId: number,
  kind: string,
  actor: string,
  reason: string | null,
  storeCode?: string | null,
) {
  await sql`insert into coupon_event (workspace_id, coupon_id, kind, actor, reason, store_code)
    values (${workspaceId}, ${couponId}, ${kind}, ${actor}, ${reason}, ${storeCode ?? null})`.execute(tx);
}

/** Undoes a redemption (a till mistake or a cancelled sale): the coupon can be used again. */
export async function voidCoupon(
  db: Kysely<DB>,
  workspaceId: string,
  input: { code: string; actor: string; reason: string },
) {
  const code = normalizeCouponCode(input.code);
  return db.transaction().execute(async (tx) => {
    const { rows } = await sql<{
      id: number;
    }>`update coupon set status = 'active', redeemed_at = null, redeemed_by = null,
        redeemed_store_code = null, redemption_key = null
      where workspace_id = ${workspaceId} and code = ${code} and status = 'redeemed' returning id`.execute(
      tx,
    );
    if (!rows[0]) {
      const exists =
        await sql`select 1 from coupon where workspace_id = ${workspaceId} and code = ${code}`.execute(tx);
      if (!exists.rows.length) throw notFound(`coupon ${code}`);
      throw new DomainError('conflict', `coupon ${code} is not redeemed`);
    }
    await couponEvent(tx, workspaceId, rows[0].id, 'voided', input.actor, input.reason);
    return { couponId: rows[0].id, code, status: 'active' as const };
  });
}

export interface UsableCoupon {
  code: string;
  name: string;
  kind: CouponKind;
  value: number;
  free_item: string | null;
  min_spend: number;
  valid_until: Date | null;
}

export async function usableCoupons(
  db: Kysely<DB> | Transaction<DB>,
  workspaceId: string,
  customerId: number,
  at = new Date(),
): Promise<UsableCoupon[]> {
  const { rows } = await sql<UsableCoupon>`
    select c.code, t.name, t.kind, t.value, t.free_item, t.min_spend, c.valid_until
    from coupon c join coupon_template t on t.workspace_id = c.workspace_id and t.id = c.template_id
      left join loyalty_member m on m.workspace_id = c.workspace_id and m.customer_id = c.customer_id
    where c.workspace_id = ${workspaceId} and c.customer_id = ${customerId} and c.status = 'active'
      and c.valid_from <= ${at} and (c.valid_until is null or c.valid_until > ${at})
      and (cardinality(t.tier_codes) = 0 or m.tier_code = any (t.tier_codes))
    order by c.valid_until nulls last, c.id`.execute(db);
  return rows;
}

export async function getCoupon(db: Kysely<DB>, workspaceId: string, code: string) {
  const { rows } = await sql<
    Coupon & {
      name: string;
      description: string;
      kind: CouponKind;
      value: number;
      free_item: string | null;
      min_spend: number;
    }
  >`
    select c.*, t.name, t.description, t.kind, t.value, t.free_item, t.min_spend
    from coupon c join coupon_template t on t.workspace_id = c.workspace_id and t.id = c.template_id
    where c.workspace_id = ${workspaceId} and c.code = ${normalizeCouponCode(code)}`.execute(db);
  if (!rows[0]) throw notFound(`coupon ${normalizeCouponCode(code)}`);
  return rows[0];
}
