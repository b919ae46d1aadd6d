// A workspace's loyalty rules: how points are earned, kept and clawed back, the tiers, and the
// status-based coupon grants. Stored as one validated JSON document in loyalty_program.rules;
// a missing field takes its default, so an empty document is a working programme.
import { type Kysely, sql, type Transaction } from 'kysely';
import { type Static, Type } from 'typebox';
import type { DB } from '../db/schema.ts';
import { invalid } from '../shared/domain-error.ts';
import { compileValidator } from '../shared/validate.ts';
import { assertCouponTemplatesExist, type CouponTemplateRef } from './coupon-template-refs.ts';
import { prepareGrantSegments, STATUS_TRIGGERS } from './status-segments.ts';

/**
 * A benefit of a tier, shown to its members ("your benefits": 送料無料, 誕生日クーポン 10%OFF,
 * 優先予約). With a coupon template, the coupon is granted once when a member reaches the tier.
 */
export const TierPerk = Type.Object(
  {
    nameJa: Type.String({ minLength: 1, maxLength: 100 }),
    nameEn: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    couponTemplateId: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);

export const Tier = Type.Object(
  {
    code: Type.String({ minLength: 1, maxLength: 50 }),
    name: Type.String({ minLength: 1, maxLength: 100 }),
    /** Rolling 12-month spend (yen) or points earned needed to hold the tier. */
    threshold: Type.Integer({ minimum: 0 }),
    /** Earn multiplier for members of this tier. */
    multiplier: Type.Number({ minimum: 0, maximum: 100 }),
    /** A coupon granted once when a member first reaches the tier. */
    couponTemplateId: Type.Optional(Type.Integer({ minimum: 1 })),
    perks: Type.Optional(Type.Array(TierPerk, { maxItems: 20 })),
  },
  { additionalProperties: false },
);

/**
 * A next-purchase coupon (次回使えるクーポン): a completed order that meets every condition given
 * grants the customer the template's coupon, usable from their next order (not on this one).
 */
export const NextPurchaseRule = Type.Object(
  {
    couponTemplateId: Type.Integer({ minimum: 1 }),
    /** Only the customer's first completed order grants it. */
    firstOrderOnly: Type.Optional(Type.Boolean()),
    /** Least order total (yen, after refunds) that grants it. */
    minOrderTotal: Type.Optional(Type.Integer({ minimum: 0 })),
    /** Only an order with a line of this SKU grants it. */
    sku: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false },
);

export const LoyaltyRules = Type.Object(
  {
    /** Points per yen of eligible spend: 0.01 is 1 point per ¥100. */
    pointsPerYen: Type.Number({ minimum: 0, maximum: 1, default: 0.01 }),
    rounding: Type.Union([Type.Literal('floor'), Type.Literal('round'), Type.Literal('ceil')], {
      default: 'floor',
    }),
    /** Months a lot of points stays valid after it is earned. */
    lotValidityMonths: Type.Integer({ minimum: 1, maximum: 120, default: 12 }),
    excludedSkus: Type.Array(Type.String({ maxLength: 100 }), { maxItems: 1000, default: [] }),
    excludedStoreCodes: Type.Array(Type.String({ maxLength: 100 }), { maxItems: 1000, default: [] }),
    bonusPeriods: Type.Array(
      Type.Object(
        {
          from: Type.String({ format: 'date-time', maxLength: 40 }),
          until: Type.String({ format: 'date-time', maxLength: 40 }),
          multiplier: Type.Number({ minimum: 0, maximum: 100 }),
        },
        { additionalProperties: false },
      ),
      { maxItems: 100, default: [] },
    ),
    /**
     * What a refund takes back when the order's points were already spent: `balance` takes the
     * rest from the member's other points (never below zero), `order_lots` only what is left of
     * the order's own lot.
     */
    clawback: Type.Union([Type.Literal('balance'), Type.Literal('order_lots')], { default: 'balance' }),
    /** "Points expiring soon" events are recorded this many days ahead. */
    expiringSoonDays: Type.Integer({ minimum: 1, maximum: 365, default: 30 }),
    tierBasis: Type.Union([Type.Literal('spend'), Type.Literal('points')], { default: 'spend' }),
    tiers: Type.Array(Tier, {
      maxItems: 20,
      default: [
        { code: 'regular', name: 'レギュラー', threshold: 0, multiplier: 1 },
        { code: 'silver', name: 'シルバー', threshold: 30000, multiplier: 1.5 },
        { code: 'gold', name: 'ゴールド', threshold: 100000, multiplier: 2 },
      ],
    }),
    /** Seconds a membership-card QR payload stays valid. */
    qrValiditySeconds: Type.Integer({ minimum: 30, maximum: 3600, default: 300 }),
    /**
     * Coupons granted to the members of a segment, once per spell of membership. A rule names
     * either a status (`trigger`: the workspace's segment built from that status's template) or
     * any segment (`segmentId`).
     */
    statusGrants: Type.Array(
      Type.Object(
        {
          trigger: Type.Optional(Type.Union(STATUS_TRIGGERS.map((t) => Type.Literal(t)))),
          segmentId: Type.Optional(Type.Integer({ minimum: 1 })),
          couponTemplateId: Type.Integer({ minimum: 1 }),
        },
        { additionalProperties: false },
      ),
      { maxItems: 50, default: [] },
    ),
    nextPurchaseCoupons: Type.Array(NextPurchaseRule, { maxItems: 20, default: [] }),
    /**
     * An order older than this when it is synced (an imported history) grants no next-purchase
     * coupon: the customer has long since made their "next" purchase.
     */
    nextPurchaseMaxOrderAgeDays: Type.Integer({ minimum: 1, maximum: 365, default: 7 }),
  },
  { additionalProperties: false },
);
export type LoyaltyRules = Static<typeof LoyaltyRules>;
export type TierRule = Static<typeof Tier>;
export type TierPerk = Static<typeof TierPerk>;
export type NextPurchaseRule = Static<typeof NextPurchaseRule>;

const validator = compileValidator<LoyaltyRules>(LoyaltyRules);

/** Validates a rules document (filling defaults in a copy); throws `invalid` naming the field. */
export function parseRules(input: unknown): LoyaltyRules {
  const copy = structuredClone(input ?? {});
  const problems = validator.problems(copy, 'rules');
  if (problems.length) throw invalid(problems);
  const rules = copy as LoyaltyRules;
  const codes = new Set<string>();
  for (const [i, tier] of rules.tiers.entries()) {
    if (codes.has(tier.code)) throw invalid([{ path: `rules.tiers[${i}].code`, message: 'is repeated' }]);
    codes.add(tier.code);
  }
  for (const [i, grant] of rules.statusGrants.entries()) {
    const named = Number(grant.trigger !== undefined) + Number(grant.segmentId !== undefined);
    if (named !== 1)
      throw invalid([
        {
          path: `rules.statusGrants[${i}]`,
          message: named
            ? 'names both trigger and segmentId; name one'
            : 'needs trigger (a status: first_visit, lapsed, regular, birthday, anniversary) or segmentId',
        },
      ]);
  }
  return rules;
}

type Db = Kysely<DB> | Transaction<DB>;

export async function loadRules(db: Db, workspaceId: string): Promise<LoyaltyRules> {
  const { rows } = await sql<{ rules: unknown }>`
    select rules from loyalty_program where workspace_id = ${workspaceId}`.execute(db);
  return parseRules(rows[0]?.rules ?? {});
}

/** The coupon templates the rules grant (tier perks, status grants), with the fields naming them. */
function couponTemplateRefs(rules: LoyaltyRules): CouponTemplateRef[] {
  const refs: CouponTemplateRef[] = [];
  for (const [i, tier] of rules.tiers.entries())
    if (tier.couponTemplateId !== undefined)
      refs.push({ path: `rules.tiers[${i}].couponTemplateId`, id: tier.couponTemplateId });
  for (const [i, tier] of rules.tiers.entries())
    for (const [j, perk] of (tier.perks ?? []).entries())
      if (perk.couponTemplateId !== undefined)
        refs.push({ path: `rules.tiers[${i}].perks[${j}].couponTemplateId`, id: perk.couponTemplateId });
  for (const [i, rule] of rules.nextPurchaseCoupons.entries())
    refs.push({ path: `rules.nextPurchaseCoupons[${i}].couponTemplateId`, id: rule.couponTemplateId });
  for (const [i, grant] of rules.statusGrants.entries())
    refs.push({ path: `rules.statusGrants[${i}].couponTemplateId`, id: grant.couponTemplateId });
  return refs;
}

/**
 * Replaces the rules (validated first, including that every coupon template they grant exists in
 * the workspace) and returns them with defaults filled in.
 */
export async function saveRules(
  db: Kysely<DB>,
  workspaceId: string,
  input: unknown,
  actor: string,
): Promise<LoyaltyRules> {
  const rules = parseRules(input);
  await assertCouponTemplatesExist(db, workspaceId, couponTemplateRefs(rules));
  await prepareGrantSegments(db, workspaceId, rules.statusGrants);
  await sql`
    insert into loyalty_program (workspace_id, rules, updated_by, updated_at)
    values (${workspaceId}, ${JSON.stringify(rules)}::jsonb, ${actor}, now())
    on conflict (workspace_id) do update set rules = excluded.rules, updated_by = excluded.updated_by,
      updated_at = now()`.execute(db);
  return rules;
}

/** The coupon templates granted once on reaching a tier: its own and its perks'. */
export function tierCouponTemplateIds(tier: TierRule | undefined): number[] {
  if (!tier) return [];
  const ids = [tier.couponTemplateId, ...(tier.perks ?? []).map((p) => p.couponTemplateId)];
  return [...new Set(ids.filter((id): id is number => id !== undefined))];
}

/** 「ゴールド・プラチナ ランクの会員様限定です（現在のランク: シルバー）」: tiers by their names. */
export function tierRestrictionText(
  rules: LoyaltyRules,
  codes: readonly string[],
  current: string | null,
): string {
  const name = (code: string) => rules.tiers.find((t) => t.code === code)?.name ?? code;
  return `${codes.map(name).join('・')} ランクの会員様限定です（現在のランク: ${current === null ? 'なし' : name(current)}）`;
}

/** Tiers from the lowest threshold up. */
export function sortedTiers(rules: LoyaltyRules): TierRule[] {
  return [...rules.tiers].sort((a, b) => a.threshold - b.threshold);
}
