// The variables a message template can use, loaded for many customers at once (a few queries for
// a whole audience, never one per customer). The names are the template language's, snake_case
// as Shopify's Liquid objects are: {{ customer.given_name }}, {{ coupon.code }},
// {% for p in recommendations limit:3 %}{{ p.name }}{% endfor %}.
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import { type RecommendationOptions, recommendProducts } from '../recommendations/co-purchase.ts';

export interface CustomerVariables {
  customer: {
    id: number;
    family_name: string | null;
    given_name: string | null;
    family_name_kana: string | null;
    given_name_kana: string | null;
    /** 姓 名 with a space, or null when both are unknown. */
    name: string | null;
    /** Loyalty points balance (0 when not a member). */
    points: number;
    /** The loyalty tier's code (gold), or null. */
    tier: string | null;
    member_no: string | null;
  };
  /** The customer's newest active coupon (of the chosen template, when one is set), or null. */
  coupon: { code: string; name: string; valid_until: string | null } | null;
  recommendations: { sku: string; name: string; price: number | null }[];
}

export interface VariableOptions {
  /** Pick the coupon of this template (e.g. the one the campaign granted). */
  couponTemplateId?: number;
  /** Load recommendations (one more query); when false the list is empty. */
  recommendations?: boolean | RecommendationOptions;
}

interface Row {
  id: number;
  family_name: string | null;
  given_name: string | null;
  family_name_kana: string | null;
  given_name_kana: string | null;
  balance: number | null;
  tier_code: string | null;
  member_no: string | null;
  coupon_code: string | null;
  coupon_name: string | null;
  valid_until: Date | null;
}

/**
 * Variables for each of `customerIds` in this workspace (an id that is not the workspace's is
 * left out of the map). Two statements (three with recommendations) for any audience size.
 */
export async function loadTemplateVariables(
  db: Kysely<DB>,
  workspaceId: string,
  customerIds: readonly number[],
  options: VariableOptions = {},
): Promise<Map<number, CustomerVariables>> {
  const ids = [...new Set(customerIds)];
  const { rows } = await sql<Row>`
    select c.id, c.family_name, c.given_name, c.family_name_kana, c.given_name_kana,
      m.balance, m.tier_code, m.member_no, cp.code as coupon_code, cp.name as coupon_name, cp.valid_until
    from customer c
    left join loyalty_member m on m.workspace_id = c.workspace_id and m.customer_id = c.id
    left join lateral (
      select k.code, t.name, k.valid_until from coupon k
      join coupon_template t on t.workspace_id = k.workspace_id and t.id = k.template_id
      where k.workspace_id = c.workspace_id and k.customer_id = c.id and k.status = 'active'
        and (${options.couponTemplateId ?? null}::bigint is null or k.template_id = ${options.couponTemplateId ?? null}::bigint)
      order by k.valid_from desc, k.id desc limit 1) cp on true
    where c.workspace_id = ${workspaceId} and c.id = any(${ids}::bigint[])`.execute(db);
  const recs = options.recommendations
    ? await recommendProducts(
        db,
        workspaceId,
        ids,
        options.recommendations === true ? {} : options.recommendations,
      )
    : undefined;
  return new Map(rows.map((r) => [Number(r.id), variablesOf(r, recs?.get(Number(r.id)) ?? [])]));
}

function variablesOf(r: Row, recs: { sku: string; name: string; price: number | null }[]): CustomerVariables {
  const name = [r.family_name, r.given_name].filter(Boolean).join(' ') || null;
  return {
    customer: {
      id: Number(r.id),
      family_name: r.family_name,
      given_name: r.given_name,
      family_name_kana: r.family_name_kana,
      given_name_kana: r.given_name_kana,
      name,
      points: Number(r.balance ?? 0),
      tier: r.tier_code,
      member_no: r.member_no,
    },
    coupon: r.coupon_code
      ? { code: r.coupon_code, name: r.coupon_name ?? '', valid_until: r.valid_until?.toISOString() ?? null }
      : null,
    recommendations: recs.map((p) => ({ sku: p.sku, name: p.name, price: p.price })),
  };
}

/**
 * Two made-up customers every template is also checked against at save time: one with nothing
 * known (no name, no coupon, no recommendations) and one with everything, so that a variable used
 * only inside `{% if coupon %}` is checked too.
 */
export const SYNTHETIC_CUSTOMERS: readonly CustomerVariables[] = [
  {
    customer: {
      id: 0,
      family_name: null,
      given_name: null,
      family_name_kana: null,
      given_name_kana: null,
      name: null,
      points: 0,
      tier: null,
      member_no: null,
    },
    coupon: null,
    recommendations: [],
  },
  {
    customer: {
      id: 0,
      family_name: '山田',
      given_name: '花子',
      family_name_kana: 'ヤマダ',
      given_name_kana: 'ハナコ',
      name: '山田 花子',
      points: 1200,
      tier: 'gold',
      member_no: '00000001',
    },
    coupon: { code: 'SAMPLE-0001', name: '10%OFFクーポン', valid_until: '2027-01-31T14:59:59.000Z' },
    recommendations: [
      { sku: 'SAMPLE-1', name: 'サンプル商品A', price: 1200 },
      { sku: 'SAMPLE-2', name: 'サンプル商品B', price: 800 },
      { sku: 'SAMPLE-3', name: 'サンプル商品C', price: null },
    ],
  },
];
